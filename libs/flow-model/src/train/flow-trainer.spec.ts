import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CountSession } from '../onnx/count-session.ts';
import { referenceCount } from '../model/count-graph.ts';
import { ROW_KIND } from '../model/flow-model.ts';
import { decodeFlowModel } from '../model/model-codec.ts';
import { batchOf, nonIpBatch, syntheticTraffic } from '../test-support/packet-fixtures.ts';
import { FlowTrainer } from './flow-trainer.ts';

function train(packets = syntheticTraffic(60, 20), options = {}) {
  const trainer = new FlowTrainer(options);
  const ids = new Map<string, number>();
  for (let i = 0; i < packets.length; i += 500) trainer.addBatch(batchOf(packets.slice(i, i + 500), 1_700_000_000, ids));
  return trainer.finish();
}

function rowExpectedTotal(model: ReturnType<typeof decodeFlowModel>, row: number): number {
  let sum = 0;
  for (let b = model.tables.startBin[row]!; b <= model.tables.lastBin[row]!; b++) sum += referenceCount(model, row, b);
  return sum;
}

describe('FlowTrainer', () => {
  it('refuses an empty trace and a trace without IP packets with coded errors', () => {
    expect(() => new FlowTrainer().finish()).toThrow(expect.objectContaining({ code: 'FLOWMODEL_ERR_EMPTY_TRACE' }));
    const trainer = new FlowTrainer();
    trainer.addBatch(nonIpBatch(5));
    expect(() => trainer.finish()).toThrow(expect.objectContaining({ code: 'FLOWMODEL_ERR_NO_IP_PACKETS' }));
  });

  it('keeps every flow as a row whose predicted total equals its packet count', () => {
    const packets = syntheticTraffic(60, 20);
    const { model, bytes } = train(packets);
    const decoded = decodeFlowModel(bytes);
    expect(decoded.info.tracePackets).toBe(packets.length);
    expect(decoded.info.modelledFlows).toBe(60);
    expect(decoded.info.classes).toBe(0);
    const t = decoded.tables;
    expect(t.packets.reduce((s, n) => s + n, 0)).toBe(packets.length);
    for (let row = 0; row < t.kind.length; row++) {
      expect(rowExpectedTotal(decoded, row)).toBeCloseTo(t.packets[row]!, 2);
      expect(t.coefCount[row]!).toBeGreaterThanOrEqual(1);
    }
    expect(Array.from(t.coef).every((c) => c >= 0 && Number.isFinite(c))).toBe(true);
    expect(model.tables.packets).toEqual(t.packets);
  });

  it('reproduces the aggregate packet count of every profile entry within a few percent', () => {
    const packets = syntheticTraffic(80, 30, 7);
    const { model } = train(packets);
    const width = 2 ** model.info.profileShift;
    const observed = new Float64Array(model.tables.profile.length);
    const t0 = packets[0]!.timeNs;
    for (const p of packets) observed[Math.floor(Math.floor((p.timeNs - t0) / model.info.binNs) / width)]! += 1;
    const predicted = new Float64Array(observed.length);
    for (let row = 0; row < model.tables.kind.length; row++) {
      for (let b = model.tables.startBin[row]!; b <= model.tables.lastBin[row]!; b++) predicted[Math.floor(b / width)]! += referenceCount(model, row, b);
    }
    let err = 0;
    for (let p = 0; p < observed.length; p++) err += Math.abs(observed[p]! - predicted[p]!);
    expect(err / packets.length).toBeLessThan(0.05);
  });

  it('computes the same counts in onnxruntime as the TypeScript reference', async () => {
    const { model, bytes } = train();
    const session = await CountSession.create(bytes);
    const flow: bigint[] = [];
    const bin: bigint[] = [];
    const rows = model.tables.kind.length;
    for (let row = 0; row < rows; row++) {
      for (const b of [-1, 0, model.tables.startBin[row]!, model.tables.lastBin[row]!, model.tables.lastBin[row]! + 1, model.info.windowBins + model.tables.startBin[row]!]) {
        flow.push(BigInt(row));
        bin.push(BigInt(b));
      }
    }
    const counts = await session.counts(BigInt64Array.from(flow), BigInt64Array.from(bin));
    counts.forEach((c, i) => expect(c).toBe(referenceCount(model, Number(flow[i]), Number(bin[i]))));
    await session.release();
  });

  it('stays within a small byte budget by grouping light flows into classes', () => {
    const packets = syntheticTraffic(600, 20, 3);
    const budget = 48 * 1024;
    const { model, bytes } = train(packets, { maxModelBytes: budget });
    expect(bytes.length).toBeLessThanOrEqual(budget);
    expect(model.info.classes).toBeGreaterThan(0);
    const t = model.tables;
    expect(t.packets.reduce((s, n) => s + n, 0)).toBe(packets.length);
    const members = t.members.reduce((s, n, i) => s + (t.kind[i] === ROW_KIND.class ? n : 0), 0);
    expect(members + model.info.modelledFlows).toBe(600);
  });

  it('captures a template per direction with the packet addresses, ports and TTL', () => {
    const packets = [
      { timeNs: 0, src: '10.1.2.3', dst: '10.9.9.9', srcPort: 1234, dstPort: 80, proto: 6, size: 74, flags: 0x02, ttl: 61 },
      { timeNs: 1e6, src: '10.9.9.9', dst: '10.1.2.3', srcPort: 80, dstPort: 1234, proto: 6, size: 74, flags: 0x12, ttl: 57 },
      { timeNs: 2e6, src: '10.1.2.3', dst: '10.9.9.9', srcPort: 1234, dstPort: 80, proto: 6, size: 66, flags: 0x10, ttl: 61 },
    ];
    const { model } = train(packets);
    const t = model.tables;
    const forward = t.headerBytes.subarray(t.headerOffset[0], t.headerOffset[1]);
    const reverse = t.headerBytes.subarray(t.headerOffset[1], t.headerOffset[2]);
    expect(Array.from(forward.subarray(26, 30))).toEqual([10, 1, 2, 3]);
    expect(forward[22]).toBe(61);
    expect(Array.from(reverse.subarray(26, 30))).toEqual([10, 9, 9, 9]);
    expect(reverse[22]).toBe(57);
    expect(t.firstFlags[0]).toBe(0x02);
    expect(t.firstFlags[1]).toBe(0x12);
    expect(t.reverse[0]).toBe(1);
    expect(t.startNs[0]).toBe(0);
    expect(t.endNs[0]).toBe(2e6);
  });

  // The bytes the trainer makes for fixed traffic (issue 4, train speed: speed work must leave
  // every model byte-identical). A change that is meant to change models updates these; the
  // last one did when bucketed sizes were cut to each direction's observed size range.
  it('writes the reference model bytes for fixed traffic and options (golden SHA-256)', () => {
    const cases = [
      { flows: 600, seed: 3, options: { maxModelBytes: 20 * 1024 }, sha256: 'b62efcfb51af4693918922dcd0bd346b45850e9cdfed99292e96d29df18a6593' },
      { flows: 600, seed: 3, options: { maxModelBytes: 48 * 1024, binMs: 2 }, sha256: 'eab94c979c875fa00e9e55df2ce2bd455af819199df59b33aa12eb5d90d14a2e' },
      { flows: 300, seed: 11, options: {}, sha256: '1820310fb48403d478e1da3bd83c968248056d458e7675454880a2c2153a858a' },
    ];
    for (const c of cases) {
      const { bytes } = train(syntheticTraffic(c.flows, 20, c.seed), c.options);
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(c.sha256);
    }
  });
});
