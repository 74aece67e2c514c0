import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { gapBucket } from '../model/log2-buckets.ts';
import { batchOf, nonIpBatch, syntheticTraffic, type FixturePacket } from '../test-support/packet-fixtures.ts';
import { CounterMerger } from './counter-merger.ts';
import { gapBucketOf } from './flow-accumulator.ts';
import { FlowStatsTable, NO_COUNTER, SIZE_BUCKET_BYTES } from './flow-stats.ts';
import { FlowTrainer } from './flow-trainer.ts';

function modelBytes(packets: readonly FixturePacket[], batchSize: number, options = {}): Uint8Array {
  const trainer = new FlowTrainer(options);
  const ids = new Map<string, number>();
  trainer.addBatch(nonIpBatch(3));
  for (let i = 0; i < packets.length; i += batchSize) trainer.addBatch(batchOf(packets.slice(i, i + batchSize), 1_700_000_000, ids));
  return trainer.finish().bytes;
}

describe('FlowAccumulator', () => {
  it('trains the same model bytes whatever the batches are cut into (runs, totals and flows carry over)', () => {
    const packets = syntheticTraffic(300, 20, 11);
    // A few packets out of order, as captures sometimes are.
    for (let i = 50; i < packets.length; i += 97) [packets[i - 1], packets[i]] = [packets[i]!, packets[i - 1]!];
    for (const options of [{}, { maxModelBytes: 24 * 1024 }, { binMs: 0.5, sizeAtoms: 2 }]) {
      const whole = modelBytes(packets, packets.length, options);
      for (const size of [7, 511, 513]) expect(Buffer.from(modelBytes(packets, size, options)).equals(Buffer.from(whole))).toBe(true);
    }
  });

  it('puts every gap in the log2 bucket gapBucket gives, from under 1024 ns to years', () => {
    const gaps = fc.oneof(fc.integer({ min: -5, max: 5000 }), fc.integer({ min: 0, max: 2 ** 40 }), fc.double({ min: 0, max: 2 ** 62, noNaN: true }));
    fc.assert(fc.property(gaps, (gap) => gapBucketOf(gap) === gapBucket(Math.max(0, gap))), { numRuns: 2000 });
    for (const gap of [1023, 1024, 2 ** 32 - 1, 2 ** 32, 2 ** 32 + 1, 2 ** 41 - 1, 2 ** 41, 2 ** 53]) expect(gapBucketOf(gap)).toBe(gapBucket(gap));
  });
});

/** The class merge done the obvious way: every member key added in turn to plain arrays. */
function referenceMerge(members: { atoms: [number, number][]; buckets: [number, number][]; flags: [number, number][] }[], atomCapacity: number) {
  const atoms = { keys: [] as number[], counts: [] as number[] };
  const buckets = { keys: [] as number[], counts: [] as number[] };
  const flags = { keys: [] as number[], counts: [] as number[] };
  const add = (c: typeof atoms, capacity: number, key: number, count: number) => {
    const i = c.keys.indexOf(key);
    if (i >= 0) {
      c.counts[i]! += count;
      return true;
    }
    if (c.keys.length >= capacity) return false;
    c.keys.push(key);
    c.counts.push(count);
    return true;
  };
  const addBucket = (key: number, count: number) => {
    if (!add(buckets, 24, key, count)) buckets.counts[buckets.counts.length - 1]! += count;
  };
  for (const m of members) {
    for (const [key, count] of m.atoms) if (!add(atoms, atomCapacity, key, count)) addBucket(Math.floor(key / SIZE_BUCKET_BYTES), count);
    for (const [key, count] of m.buckets) addBucket(key, count);
    for (const [key, count] of m.flags) add(flags, 16, key, count);
  }
  return { atoms, buckets, flags };
}

describe('CounterMerger', () => {
  it('merges class members exactly as adding their keys one by one would', () => {
    const counter = (maxKey: number, max: number) => fc.uniqueArray(fc.tuple(fc.integer({ min: 0, max: maxKey }), fc.integer({ min: 1, max: 1000 })), { maxLength: max, selector: (e) => e[0] });
    const member = fc.record({ atoms: counter(1600, 3), buckets: counter(30, 24), flags: counter(40, 16) });
    fc.assert(fc.property(fc.array(member, { minLength: 1, maxLength: 25 }), (members) => {
      const stats = new FlowStatsTable(64, 3);
      members.forEach((m, id) => {
        stats.addFlow(id, 4, 6, 0, 0);
        const slot = 2 * id;
        for (const [key, count] of m.atoms) stats.atoms.add(slot, key, count);
        if (m.buckets.length > 0) {
          stats.bucketsOf[slot] = stats.buckets.allocate();
          for (const [key, count] of m.buckets) stats.buckets.add(stats.bucketsOf[slot]!, key, count);
        }
        if (m.flags.length > 0) {
          stats.flagsOf[slot] = stats.flags.allocate();
          for (const [key, count] of m.flags) stats.flags.add(stats.flagsOf[slot]!, key, count);
        }
      });
      const merger = new CounterMerger(6);
      // Twice: the position tables must be clean for the next class.
      for (let round = 0; round < 2; round++) {
        merger.start();
        members.forEach((_, id) => merger.mergeSlot(stats, 2 * id));
        const merged = merger.finish(0, -1, 0);
        const expected = referenceMerge(members, 6);
        const read = (c: typeof merged.atoms, at: number) => (at === NO_COUNTER ? { keys: [], counts: [] } : { keys: Array.from(c.keys.subarray(at * c.stride, at * c.stride + c.sizes[at]!)), counts: Array.from(c.counts.subarray(at * c.stride, at * c.stride + c.sizes[at]!)) });
        expect(read(merged.atoms, merged.atomsAt)).toEqual(expected.atoms);
        expect(read(merged.buckets, merged.bucketsAt)).toEqual(expected.buckets);
        expect(read(merged.flags, merged.flagsAt)).toEqual(expected.flags);
      }
    }), { numRuns: 200 });
  });
});
