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

  /** Adds the counters of direction `slot` of the table. */
  mergeSlot(stats: FlowStatsTable, slot: number): void {
    this.sizeMin = Math.min(this.sizeMin, stats.sizeMin[slot]!);
    this.sizeMax = Math.max(this.sizeMax, stats.sizeMax[slot]!);
    const atoms = stats.atoms;
    const a = slot * atoms.stride;
    for (let i = 0; i < atoms.sizes[slot]!; i++) {
      const count = atoms.counts[a + i]!;
      if (count > 0 && !this.addAtom(atoms.keys[a + i]!, count)) this.addBucket(Math.floor(atoms.keys[a + i]! / SIZE_BUCKET_BYTES), count);
    }
    const b = stats.bucketsOf[slot]!;
    if (b !== NO_COUNTER) {
      const buckets = stats.buckets;
      for (let i = 0; i < buckets.sizes[b]!; i++) this.addBucket(buckets.keys[b * buckets.stride + i]!, buckets.counts[b * buckets.stride + i]!);
    }
    const fl = stats.flagsOf[slot]!;
    if (fl !== NO_COUNTER) {
      const flags = stats.flags;
      for (let i = 0; i < flags.sizes[fl]!; i++) this.addFlag(flags.keys[fl * flags.stride + i]!, flags.counts[fl * flags.stride + i]!);
    }
  }

  /** The merged direction; the position tables are cleared for the next one. */
  finish(packets: number, firstFlags: number, lastFlags: number): DirectionCounts {
    clear(this.atomAt, this.atoms);
    clear(this.bucketAt, this.buckets);
    clear(this.flagAt, this.flags);
    return { packets, firstFlags, lastFlags, atoms: this.atoms, atomsAt: 0, buckets: this.buckets, bucketsAt: 0, flags: this.flags, flagsAt: 0, sizeMin: this.sizeMin, sizeMax: this.sizeMax };
  }

  private addAtom(key: number, count: number): boolean {
    return addAt(this.atomAt, this.atoms, key, count);
  }

  private addBucket(key: number, count: number): void {
    if (!addAt(this.bucketAt, this.buckets, key, count)) this.buckets.counts[this.buckets.sizes[0]! - 1]! += count;
  }

  private addFlag(key: number, count: number): void {
    addAt(this.flagAt, this.flags, key, count);
  }
}

/** SmallCounters.add on counter 0 with `at` as the key -> position index. */
function addAt(at: Int32Array, counter: SmallCounters, key: number, count: number): boolean {
  const p = at[key]!;
  if (p >= 0) {
    counter.counts[p]! += count;
    return true;
  }
  const size = counter.sizes[0]!;
  if (size >= counter.stride) return false;
  counter.keys[size] = key;
  counter.counts[size] = count;
  counter.sizes[0] = size + 1;
  at[key] = size;
  return true;
}

function clear(at: Int32Array, counter: SmallCounters): void {
  for (let i = 0; i < counter.sizes[0]!; i++) at[counter.keys[i]!] = -1;
}
