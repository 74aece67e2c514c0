import { describe, expect, it } from 'vitest';
import { DEFAULT_TRAIN_OPTIONS } from '@memoco/flow-model';
import { parseTrainRequest } from './train-request.ts';

const LIMIT = 1 << 24;
const parse = (query: Record<string, unknown>, headers: Record<string, unknown> = {}) => parseTrainRequest(query, headers, LIMIT);

describe('parseTrainRequest', () => {
  it("defaults to memoco train's options", () => {
    expect(parse({})).toEqual({ train: { binMs: DEFAULT_TRAIN_OPTIONS.binMs, maxModelBytes: DEFAULT_TRAIN_OPTIONS.maxModelBytes }, traceName: undefined });
  });

  it('reads the query or the headers, the same value in both is fine', () => {
    expect(parse({ binMs: '2.5', maxModelBytes: '65536', name: 'tls2.pcap' })).toEqual({ train: { binMs: 2.5, maxModelBytes: 65536 }, traceName: 'tls2.pcap' });
    expect(parse({}, { 'memoco-bin-ms': '20', 'memoco-max-model-bytes': '32768', 'memoco-trace-name': 'a b.pcapng' })).toEqual({ train: { binMs: 20, maxModelBytes: 32768 }, traceName: 'a b.pcapng' });
    expect(parse({ binMs: '20' }, { 'memoco-bin-ms': '20' }).train.binMs).toBe(20);
  });

  it('refuses bad, unknown, repeated and contradictory values with exact messages', () => {
    const fails = (query: Record<string, unknown>, headers: Record<string, unknown> = {}) => () => parse(query, headers);
    expect(fails({ binMs: 'fast' })).toThrowError('binMs must be a number of milliseconds, got "fast"');
    expect(fails({ maxModelBytes: '1e6' })).toThrowError('maxModelBytes must be a whole number of bytes, got "1e6"');
    expect(fails({ binMs: ['1', '2'] })).toThrowError('query parameter binMs is given 2 times; give it once');
    expect(fails({ binMs: '10' }, { 'memoco-bin-ms': '20' })).toThrowError('binMs is given twice, as query 10 and header memoco-bin-ms 20; give it once');
    expect(fails({ bin: '10' })).toThrowError('unknown query parameter "bin" (known: binMs, maxModelBytes, name)');
    expect(fails({ maxModelBytes: String(LIMIT + 1) })).toThrowError(`maxModelBytes ${LIMIT + 1} is over this trainer's limit of ${LIMIT} (MEMOCO_TRAINER_MAX_MODEL_BYTES)`);
    expect(fails({ name: 'a\nb' })).toThrowError('name must be 1..200 characters without control characters, got "a\\nb"');
  });

  it("leaves ranges to the trainer's own checks (FLOWMODEL_ERR_BAD_OPTIONS)", () => {
    expect(fails2({ binMs: '9999' })).toMatchObject({ code: 'FLOWMODEL_ERR_BAD_OPTIONS', message: 'binMs must be between 0.001 and 4294 ms, got 9999' });
    expect(fails2({ maxModelBytes: '100' })).toMatchObject({ code: 'FLOWMODEL_ERR_BAD_OPTIONS', message: 'maxModelBytes must be an integer >= 16384, got 100' });
    expect(fails2({ binMs: 'x' })).toMatchObject({ code: 'TRAINER_ERR_BAD_REQUEST' });
  });
});

function fails2(query: Record<string, unknown>): unknown {
  try {
    parse(query);
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure');
}
