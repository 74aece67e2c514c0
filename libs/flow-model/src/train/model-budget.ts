/**
 * Keeps the model within --max-model-bytes whatever the flow count (issue 4). Sizes are
 * estimated from the tables model-codec.ts writes (per row: the graph's five int32 entries,
 * the other per-row tables, the templates and distributions, 4 bytes per coefficient); the
 * trainer checks the encoded size and tightens the coefficient budget if the estimate was
 * short. Order of sacrifice: the activity profile's resolution (at most a quarter of the
 * budget), then coefficients of light flows, then light flows themselves (into classes).
 */
import { GAP_BUCKETS } from '../model/log2-buckets.ts';
import { NO_COUNTER, type FlowStatsTable } from './flow-stats.ts';
import type { RowSet } from './row-set.ts';

/** Graph, metadata JSON, tensor names and protobuf framing (measured ~3 KB; kept generous). */
export const MODEL_OVERHEAD_BYTES = 6 * 1024;
/** The per-row tables of model-codec.ts without templates, distributions and coefficients. */
export const ROW_FIXED_BYTES = 111;
const SIZE_ENTRY_BYTES = 8;
const SMALL_ENTRY_BYTES = 5;
/** A class row's estimate before it exists (templates, 32 size entries, gaps and member sizes). */
export const CLASS_ROW_ESTIMATE_BYTES = 800;

/** Row `row`'s estimate from its tables (templates, size and flag entries, gap and member-size buckets). */
export function rowBytesWithoutCoefs(set: RowSet, row: number): number {
  let bytes = ROW_FIXED_BYTES;
  for (let s = 2 * row; s < 2 * row + 2; s++) {
    bytes += set.headerLength[s]! + (set.sizeOffset[s + 1]! - set.sizeOffset[s]!) * SIZE_ENTRY_BYTES + (set.flagOffset[s + 1]! - set.flagOffset[s]!) * SMALL_ENTRY_BYTES;
  }
  bytes += (set.gapOffset[row + 1]! - set.gapOffset[row]!) * SMALL_ENTRY_BYTES;
  bytes += (set.memberSizeOffset[row + 1]! - set.memberSizeOffset[row]!) * SMALL_ENTRY_BYTES;
  return bytes;
}

if (GAP_BUCKETS !== 32) throw new Error('gap masks hold one bit per gap bucket: GAP_BUCKETS must be 32');

/**
 * Per flow id (of `ids`): bit b set when gap bucket b counted packets. Scanning each flow's
 * 32 buckets once here spares the later steps theirs (row-set.ts and flow-classes.ts visit
 * the set bits only): most flows use a handful of buckets.
 */
export function gapMasks(stats: FlowStatsTable, ids: readonly number[]): Int32Array {
  const masks = new Int32Array(stats.capacity);
  const gaps = stats.gaps;
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i]!;
    const at = id * GAP_BUCKETS;
    let mask = 0;
    for (let b = 0; b < GAP_BUCKETS; b++) if (gaps[at + b]! > 0) mask |= 1 << b;
    masks[id] = mask;
  }
  return masks;
}

/** Set bits of a 32-bit mask. */
export function bitCount(mask: number): number {
  let v = mask - ((mask >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
}

/**
 * The same estimate straight from the statistics (before any row exists), for flows `ids`,
 * plus 4 bytes for their one coefficient at least, into out[i]; returns the sum. One loop
 * with the table's arrays in locals (it runs once per flow, mostly interpreted). gapMasks
 * from gapMasks().
 */
export function flowRowSizes(stats: FlowStatsTable, ids: readonly number[], gapMasks: Int32Array, out: Float64Array): number {
  const { bucketsOf, flagsOf, templates } = stats;
  const atomSizes = stats.atoms.sizes;
  const bucketSizes = stats.buckets.sizes;
  const flagSizes = stats.flags.sizes;
  let total = 0;
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i]!;
    let bytes = ROW_FIXED_BYTES + bitCount(gapMasks[id]!) * SMALL_ENTRY_BYTES;
    for (let slot = 2 * id; slot < 2 * id + 2; slot++) {
      const buckets = bucketsOf[slot]!;
      const flags = flagsOf[slot]!;
      const entries = atomSizes[slot]! + (buckets === NO_COUNTER ? 0 : bucketSizes[buckets]!);
      bytes += (templates[slot]?.bytes.length ?? 0) + entries * SIZE_ENTRY_BYTES + (flags === NO_COUNTER ? 0 : flagSizes[flags]!) * SMALL_ENTRY_BYTES;
    }
    out[i] = bytes + 4;
    total += out[i]!;
  }
  return total;
}

/** Profile entries allowed: at most a quarter of the budget at 4 bytes each. */
export function maxProfileEntries(maxModelBytes: number): number {
  return Math.max(1, Math.floor(maxModelBytes / 16));
}

/** Coefficients a histogram of `length` bins keeps after halving until it has at most `target`. */
export function lengthAfterHalving(length: number, target: number): number {
  let n = length;
  while (n > target) n = Math.ceil(n / 2);
  return n;
}

/**
 * Per-row coefficient counts into `out`: row r gets at most max(1, floor(alpha * packets[r]))
 * (halving its histogram of lengths[r] bins), with alpha the largest (bisection, at most
 * maxAlpha) whose total fits `coefBudgetBytes`.
 */
export function allocateCoefficients(lengths: Int32Array, packets: Float64Array, coefBudgetBytes: number, maxAlpha: number, out: Int32Array): void {
  const rows = lengths.length;
  let longest = 1;
  for (let i = 0; i < rows; i++) longest = Math.max(longest, lengths[i]!);
  let alpha = maxAlpha;
  if (!coefficientsFit(alpha, lengths, packets, coefBudgetBytes)) {
    let lo = 0;
    let hi = Math.min(maxAlpha, longest);
    for (let step = 0; step < 40; step++) {
      const mid = (lo + hi) / 2;
      if (coefficientsFit(mid, lengths, packets, coefBudgetBytes)) lo = mid;
      else hi = mid;
    }
    alpha = lo;
  }
  for (let i = 0; i < rows; i++) out[i] = lengthAfterHalving(lengths[i]!, Math.max(1, Math.floor(alpha * packets[i]!)));
}

/**
 * Whether the coefficients at `alpha`, 4 bytes each, fit `budgetBytes`: lengthAfterHalving
 * written out (lengths are whole numbers below 2^31, so ceil(n / 2) is (n + 1) >>> 1), and
 * done as soon as the sum is over (it only grows): the bisection runs this 41 times over
 * the rows, much of it before V8 optimises it.
 */
function coefficientsFit(alpha: number, lengths: Int32Array, packets: Float64Array, budgetBytes: number): boolean {
  let sum = 0;
  for (let i = 0; i < lengths.length; i++) {
    const floor = Math.floor(alpha * packets[i]!);
    const target = floor < 1 ? 1 : floor; // Math.max(1, floor), NaN included
    let n = lengths[i]!;
    while (n > target) n = (n + 1) >>> 1;
    sum += n;
    if (sum * 4 > budgetBytes) return false;
  }
  return true;
}
