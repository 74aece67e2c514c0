import { describe, expect, it } from 'vitest';
import { encodeFlowSet } from './flow-set-codec.ts';
import { decodeMessage, encodeMessage, validateMessage } from './message-codec.ts';
import type { RunAssignment } from './run-messages.ts';

const SHA = 'ab'.repeat(32);

function assignment(overrides: Partial<RunAssignment> = {}): RunAssignment {
  return {
    runId: 'run-1',
    host: 'tx-1',
    hostIndex: 0,
    hostCount: 2,
    modelId: SHA,
    modelSha256: SHA,
    startAtUnixMs: 1_700_000_000_000,
    durationS: 10,
    rate: { unit: 'pps', value: 1e6 },
    seed: 7,
    port: 0,
    cores: [
      { core: 0, flows: encodeFlowSet(Uint32Array.from([0, 1, 2])), predictedPackets: 30 },
      { core: 1, flows: encodeFlowSet(Uint32Array.from([7])), predictedPackets: 29 },
    ],
    flowCount: 4,
    predictedPackets: 59,
    issuedAtUnixMs: 1_699_999_999_000,
    ...overrides,
  };
}

const bytes = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

describe('fleet message codec', () => {
  it('round-trips an assignment', () => {
    expect(decodeMessage('assignment', encodeMessage('assignment', assignment()))).toEqual(assignment());
  });

  it('names the first bad field path', () => {
    const bad = { ...assignment(), cores: [{ core: 0, flows: { encoding: 'zip', count: 1, data: '' }, predictedPackets: 1 }] };
    expect(() => decodeMessage('assignment', bytes(bad))).toThrowError('assignment.cores[0].flows.encoding: expected one of ranges|bitmap, got "zip"');
    expect(() => decodeMessage('assignment', bytes({ ...assignment(), modelSha256: 'xyz' }))).toThrowError(/assignment.modelSha256: expected a SHA-256 hex digest/);
    expect(() => decodeMessage('assignment', bytes({ ...assignment(), seed: 1.5 }))).toThrowError(expect.objectContaining({ code: 'PROTOCOL_ERR_INVALID_MESSAGE', details: expect.objectContaining({ path: 'assignment.seed' }) }));
  });

  it('checks rules across fields', () => {
    expect(() => validateMessage('assignment', assignment({ flowCount: 5 }))).toThrowError('assignment: the cores hold 4 flows, flowCount says 5');
    expect(() => validateMessage('assignment', assignment({ hostIndex: 2 }))).toThrowError(/hostIndex 2 is not below hostCount 2/);
    expect(() => validateMessage('result', { runId: 'r', host: 'h', status: 'failed', packets: 0, bytes: 0, outOfOrder: 0, startedAtUnixMs: null, finishedAtUnixMs: 1 })).toThrowError(/must carry its error/);
  });

  it('accepts exactly one rate unit', () => {
    expect(validateMessage('assignment', assignment({ rate: { unit: 'scale', value: 2 } })).rate).toEqual({ unit: 'scale', value: 2 });
    expect(() => validateMessage('assignment', { ...assignment(), rate: { unit: 'gbps', value: 1 } })).toThrowError(/rate.unit: expected one of pps\|scale/);
    expect(() => validateMessage('assignment', { ...assignment(), rate: { unit: 'pps', value: 0 } })).toThrowError(/rate.value/);
  });

  it('drops unknown fields so a newer optional field does not break an older reader', () => {
    const decoded = decodeMessage('cancel', bytes({ runId: 'r', atUnixMs: 5, reason: 'user', addedLater: true }));
    expect(decoded).toEqual({ runId: 'r', atUnixMs: 5, reason: 'user' });
  });

  it('rejects bodies that are not JSON', () => {
    expect(() => decodeMessage('progress', new Uint8Array([0x7b, 0xff]))).toThrowError(expect.objectContaining({ code: 'PROTOCOL_ERR_INVALID_JSON' }));
  });

  it('rejects an encoding over the size limit', () => {
    expect(() => encodeMessage('assignment', assignment(), { maxBytes: 100 })).toThrowError(expect.objectContaining({ code: 'PROTOCOL_ERR_MESSAGE_TOO_LARGE' }));
  });

  it('validates host registrations and model announcements', () => {
    const registration = { host: 'tx-1', version: '0.1.0', cores: 2, ports: [{ id: 0, name: 'net_null0' }], startedAtUnixMs: 1, heartbeatAtUnixMs: 2, heartbeatIntervalMs: 1000, activeRunIds: [] };
    expect(decodeMessage('hostRegistration', bytes(registration))).toEqual(registration);
    expect(() => validateMessage('hostRegistration', { ...registration, host: 'tx.1' })).toThrowError(/hostRegistration.host/);
    const model = { modelId: SHA, sha256: SHA, bytes: 142, flows: 3, predictedPackets: 99.5, createdAtUnixMs: 1, trainer: 't1', bucket: 'memoco-models', summary: { packets: 100, family: 'linear' } };
    expect(validateMessage('modelAnnouncement', model)).toEqual(model);
    expect(() => validateMessage('modelAnnouncement', { ...model, summary: { nested: {} } })).toThrowError(/summary.nested: expected a number or a string/);
  });
});
