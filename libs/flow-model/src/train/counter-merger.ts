/**
 * Sums the size atoms, size buckets and flag values of many flow directions into one class
 * direction (flow-classes.ts), exactly as adding them one by one would: keys in order of
 * first appearance, atoms that do not fit going to their 64-byte bucket, buckets beyond the
 * kept set going to the last kept one, flag values beyond 16 dropped. A position table per
 * kind of key finds a key in O(1) instead of scanning the class's counter for every member
 * key (a class can have thousands of members); only the touched entries are reset.
 */
import { FLAG_VALUES, MAX_WIRE_SIZE, NO_COUNTER, SIZE_BUCKET_BYTES, SIZE_BUCKETS_KEPT, type FlowStatsTable } from './flow-stats.ts';
import type { DirectionCounts } from './row-draft.ts';
import { SmallCounters } from './small-counter.ts';

export class CounterMerger {
  private readonly atomAt = new Int32Array(MAX_WIRE_SIZE + 1).fill(-1);
  private readonly bucketAt = new Int32Array(Math.floor(MAX_WIRE_SIZE / SIZE_BUCKET_BYTES) + 1).fill(-1);
  private readonly flagAt = new Int32Array(256).fill(-1);
  private atoms = new SmallCounters(0, 1);
  private buckets = new SmallCounters(0, 1);
  private flags = new SmallCounters(0, 1);
  private sizeMin = MAX_WIRE_SIZE;
  private sizeMax = 0;

  /** Class directions keep `atomCapacity` atoms (twice a flow's). */
  constructor(private readonly atomCapacity: number) {}

  /** Begins a new class direction. */
  start(): void {
    this.atoms = new SmallCounters(this.atomCapacity, 1);
    this.buckets = new SmallCounters(SIZE_BUCKETS_KEPT, 1);
    this.flags = new SmallCounters(FLAG_VALUES, 1);
    this.sizeMin = MAX_WIRE_SIZE;
    this.sizeMax = 0;
  }

  /**
   * Adds the counters of direction `slot` of the table. The key lookups are written out in
   * the loops rather than called per key: this runs once per class member and direction,
   * mostly before V8 optimises it, where every call and property load counts.
   */
  mergeSlot(stats: FlowStatsTable, slot: number): void {
    const min = stats.sizeMin[slot]!;
    const max = stats.sizeMax[slot]!;
    if (min < this.sizeMin) this.sizeMin = min;
    if (max > this.sizeMax) this.sizeMax = max;
    const atoms = stats.atoms;
    const atomCount = atoms.sizes[slot]!;
    if (atomCount > 0) this.mergeAtoms(atoms.keys, atoms.counts, slot * atoms.stride, atomCount);
    const b = stats.bucketsOf[slot]!;
    if (b !== NO_COUNTER) {
      const buckets = stats.buckets;
      this.mergeInto(this.bucketAt, this.buckets, buckets.keys, buckets.counts, b * buckets.stride, buckets.sizes[b]!, true);
    }
    const fl = stats.flagsOf[slot]!;
    if (fl !== NO_COUNTER) {
      const flags = stats.flags;
      this.mergeInto(this.flagAt, this.flags, flags.keys, flags.counts, fl * flags.stride, flags.sizes[fl]!, false);
    }
  }

  /** Atoms keys[from .. from + n): each into the class's atoms, or its 64-byte bucket when they are full. */
  private mergeAtoms(keys: Int32Array, counts: Float64Array, from: number, n: number): void {
    const at = this.atomAt;
    const { keys: into, counts: intoCounts, sizes, stride } = this.atoms;
    for (let i = from; i < from + n; i++) {
      const count = counts[i]!;
      if (!(count > 0)) continue;
      const key = keys[i]!;
      const p = at[key]!;
      if (p >= 0) intoCounts[p]! += count;
      else {
        const size = sizes[0]!;
        if (size < stride) {
          into[size] = key;
          intoCounts[size] = count;
          sizes[0] = size + 1;
          at[key] = size;
        } else this.addBucket(Math.floor(key / SIZE_BUCKET_BYTES), count);
      }
    }
  }

  /**
   * Adds keys[from .. from + n) with their counts into `into` through its position table `at`.
   * A new key that finds the counter full goes into its last kept entry when `spill` (size
   * buckets: the total stays exact) and is dropped otherwise (flag values beyond FLAG_VALUES).
   */
  private mergeInto(at: Int32Array, into: SmallCounters, keys: Int32Array, counts: Float64Array, from: number, n: number, spill: boolean): void {
    const { keys: intoKeys, counts: intoCounts, sizes, stride } = into;
    for (let i = from; i < from + n; i++) {
      const key = keys[i]!;
      const p = at[key]!;
      if (p >= 0) intoCounts[p]! += counts[i]!;
      else {
        const size = sizes[0]!;
        if (size < stride) {
          intoKeys[size] = key;
          intoCounts[size] = counts[i]!;
          sizes[0] = size + 1;
          at[key] = size;
        } else if (spill) intoCounts[size - 1]! += counts[i]!;
      }
    }
  }

  /** The merged direction; the position tables are cleared for the next one. */
  finish(packets: number, firstFlags: number, lastFlags: number): DirectionCounts {
    clear(this.atomAt, this.atoms);
    clear(this.bucketAt, this.buckets);
    clear(this.flagAt, this.flags);
    return { packets, firstFlags, lastFlags, atoms: this.atoms, atomsAt: 0, buckets: this.buckets, bucketsAt: 0, flags: this.flags, flagsAt: 0, sizeMin: this.sizeMin, sizeMax: this.sizeMax };
  }

  private addBucket(key: number, count: number): void {
    const at = this.bucketAt;
    const buckets = this.buckets;
    const p = at[key]!;
    if (p >= 0) {
      buckets.counts[p]! += count;
      return;
    }
    const size = buckets.sizes[0]!;
    if (size >= buckets.stride) {
      buckets.counts[size - 1]! += count;
      return;
    }
    buckets.keys[size] = key;
    buckets.counts[size] = count;
    buckets.sizes[0] = size + 1;
    at[key] = size;
  }
}

function clear(at: Int32Array, counter: SmallCounters): void {
  for (let i = 0; i < counter.sizes[0]!; i++) at[counter.keys[i]!] = -1;
}
