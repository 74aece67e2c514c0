/**
 * Rows of the model's flow table from the trainer's statistics, written into a RowSet
 * (row-set.ts): a modelled flow, or (flow-classes.ts) a flow class, with its time histogram
 * (the regression's sufficient statistics) and its distributions in the model's terms (size
 * ranges, flag values, gap buckets).
 */
import { ROW_KIND } from '../model/flow-model.ts';
import { GAP_BUCKETS } from '../model/log2-buckets.ts';
import {
  DIR_PACKETS, DIR_STRIDE, FIRST_FLAGS, FIRST_NS, FLAG_VALUES, FLOW_STRIDE, LAST_FLAGS, LAST_NS, NO_COUNTER, PACKETS, SIZE_BUCKET_BYTES, type FlowStatsTable,
} from './flow-stats.ts';
import { MAX_STORED_WEIGHT, type RowSet } from './row-set.ts';
import type { SmallCounters } from './small-counter.ts';

/** A direction's counters, wherever they live (a flow's slot in FlowStatsTable, or a class's sums). */
export interface DirectionCounts {
  packets: number;
  firstFlags: number;
  lastFlags: number;
  atoms: SmallCounters;
  atomsAt: number;
  buckets: SmallCounters;
  /** NO_COUNTER when the direction has no buckets (flags likewise). */
  bucketsAt: number;
  flags: SmallCounters;
  flagsAt: number;
  /** Smallest and largest wire size counted (sizeMin > sizeMax: none). */
  sizeMin: number;
  sizeMax: number;
}

/**
 * Exact sizes (atoms) then 64-byte buckets, in order of first appearance, without empty ones.
 * A bucket's range is cut to the sizes the direction really had, so regeneration never makes
 * a frame larger (or smaller) than any it saw.
 */
export function addSizeEntries(set: RowSet, dir: DirectionCounts): void {
  addSizes(set, dir.atoms, dir.atomsAt, dir.buckets, dir.bucketsAt, dir.sizeMin, dir.sizeMax);
}

/** addSizeEntries of the counters given one by one (a flow's are read straight from the table, no object per direction). */
function addSizes(set: RowSet, atoms: SmallCounters, atomsAt: number, buckets: SmallCounters, bucketsAt: number, sizeMin: number, sizeMax: number): void {
  const atomCount = atoms.sizes[atomsAt]!;
  const bucketCount = bucketsAt === NO_COUNTER ? 0 : buckets.sizes[bucketsAt]!;
  set.reserveSizes(atomCount + bucketCount);
  // Written straight into the set's arrays (a call per entry costs, where this runs before V8 optimises it).
  const { sizeLo, sizeSpan, sizeWeight } = set;
  let n = set.sizes;
  const a = atomsAt * atoms.stride;
  const { keys: atomKeys, counts: atomCounts } = atoms;
  for (let i = a; i < a + atomCount; i++) {
    const count = atomCounts[i]!;
    if (count > 0) {
      sizeLo[n] = atomKeys[i]!;
      sizeSpan[n] = 1;
      sizeWeight[n++] = count >= MAX_STORED_WEIGHT ? MAX_STORED_WEIGHT : (count | 0) === count ? count : Math.round(count);
    }
  }
  const b = bucketsAt * buckets.stride;
  const { keys: bucketKeys, counts: bucketCounts } = buckets;
  for (let i = b; i < b + bucketCount; i++) {
    const count = bucketCounts[i]!;
    if (!(count > 0)) continue;
    // Bucket [lo, lo + 64) cut to [sizeMin, sizeMax]; a bucket holding overflow from others
    // (past the kept set) keeps at least one size, the nearest bound.
    const lo = bucketKeys[i]! * SIZE_BUCKET_BYTES;
    if (sizeMin > sizeMax) {
      sizeLo[n] = lo;
      sizeSpan[n] = SIZE_BUCKET_BYTES;
    } else {
      // min(max(lo, sizeMin), sizeMax) and max(min(hi, sizeMax), from), whole numbers.
      const above = lo > sizeMin ? lo : sizeMin;
      const from = above < sizeMax ? above : sizeMax;
      const hi = lo + SIZE_BUCKET_BYTES - 1;
      const below = hi < sizeMax ? hi : sizeMax;
      const to = below > from ? below : from;
      sizeLo[n] = from;
      sizeSpan[n] = to - from + 1;
    }
    sizeWeight[n++] = count >= MAX_STORED_WEIGHT ? MAX_STORED_WEIGHT : (count | 0) === count ? count : Math.round(count);
  }
  set.sizes = n;
}

/** A counter's counts, copied to be adjusted without allocating (counters hold at most FLAG_VALUES keys). */
const flagScratch = new Float64Array(FLAG_VALUES);

/** The mid-flow flag mix: all flags of the direction but its first and last packet's. */
export function addMidFlags(set: RowSet, dir: DirectionCounts): void {
  addFlags(set, dir.flags, dir.flagsAt, dir.packets, dir.firstFlags, dir.lastFlags);
}

/** addMidFlags of the counters given one by one. */
function addFlags(set: RowSet, flags: SmallCounters, flagsAt: number, packets: number, firstFlags: number, lastFlags: number): void {
  if (flagsAt === NO_COUNTER) return;
  const base = flagsAt * flags.stride;
  const size = flags.sizes[flagsAt]!;
  const { keys, counts: flagCounts } = flags;
  const counts = flagScratch;
  let first = -1;
  let last = -1;
  for (let i = 0; i < size; i++) {
    const key = keys[base + i]!;
    if (first < 0 && key === firstFlags) first = i;
    if (last < 0 && key === lastFlags) last = i;
    counts[i] = flagCounts[base + i]!;
  }
  if (packets >= 1 && first >= 0 && counts[first]! > 0) counts[first]!--;
  if (packets >= 2 && last >= 0 && counts[last]! > 0) counts[last]!--;
  set.reserveFlags(size);
  const { flagValue, flagWeight } = set;
  let n = set.flags;
  for (let i = 0; i < size; i++) {
    const count = counts[i]!;
    if (count > 0) {
      flagValue[n] = keys[base + i]!;
      flagWeight[n++] = count >= MAX_STORED_WEIGHT ? MAX_STORED_WEIGHT : (count | 0) === count ? count : Math.round(count);
    }
  }
  set.flags = n;
}

/** Direction `dir` of row `row`: the flow direction `slot`'s template, flags and distributions. */
function addFlowDirection(set: RowSet, stats: FlowStatsTable, row: number, dir: number, slot: number): void {
  const d = slot * DIR_STRIDE;
  const firstFlags = stats.dir[d + FIRST_FLAGS]!;
  const lastFlags = stats.dir[d + LAST_FLAGS]!;
  const s = 2 * row + dir;
  set.setTemplate(s, stats.templates[slot]);
  set.firstFlags[s] = firstFlags > 0 ? firstFlags : 0; // Math.max(0, firstFlags): -1 when none was counted
  set.lastFlags[s] = lastFlags;
  addSizes(set, stats.atoms, slot, stats.buckets, stats.bucketsOf[slot]!, stats.sizeMin[slot]!, stats.sizeMax[slot]!);
  addFlags(set, stats.flags, stats.flagsOf[slot]!, stats.dir[d + DIR_PACKETS]!, firstFlags, lastFlags);
  set.endDirection(s);
}

/** Flows `ids` modelled one by one: rows set.count .. set.count + ids.length - 1. */
export function addFlowRows(set: RowSet, stats: FlowStatsTable, ids: readonly number[], binNs: number, gapMasks: Int32Array): void {
  for (let i = 0; i < ids.length; i++) addFlowRow(set, stats, ids[i]!, binNs, gapMasks[ids[i]!]!);
}

function addFlowRow(set: RowSet, stats: FlowStatsTable, id: number, binNs: number, gapMask: number): void {
  const row = set.count++;
  const histogram = stats.histograms[id]!;
  const at = id * FLOW_STRIDE;
  const firstNs = stats.flow[at + FIRST_NS]!;
  const lastNs = stats.flow[at + LAST_NS]!;
  const startBin = histogram.anchor;
  const startNs = Math.max(firstNs, startBin * binNs);
  set.kind[row] = ROW_KIND.flow;
  set.ipVersion[row] = stats.ipVersion[id]!;
  set.proto[row] = stats.proto[id]!;
  set.startBin[row] = startBin;
  set.lastBin[row] = Math.max(startBin, Math.floor(lastNs / binNs));
  set.packets[row] = stats.flow[at + PACKETS]!;
  set.reverse[row] = stats.dir[(2 * id + 1) * DIR_STRIDE + DIR_PACKETS]!;
  set.startNs[row] = startNs;
  set.endNs[row] = Math.max(startNs, lastNs);
  set.members[row] = 1;
  set.concurrency[row] = 1;
  addFlowDirection(set, stats, row, 0, 2 * id);
  addFlowDirection(set, stats, row, 1, 2 * id + 1);
  set.setGaps(row, stats.gaps, id * GAP_BUCKETS, gapMask);
  set.memberSizeOffset[row + 1] = set.memberSizes;
  set.setHistogram(row, histogram.shift, histogram.keys, histogram.values);
}
