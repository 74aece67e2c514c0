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
import type { RowDraft } from './row-draft.ts';

/** Graph, metadata JSON, tensor names and protobuf framing (measured ~3 KB; kept generous). */
export const MODEL_OVERHEAD_BYTES = 6 * 1024;
/** The per-row tables of model-codec.ts without templates, distributions and coefficients. */
export const ROW_FIXED_BYTES = 111;
const SIZE_ENTRY_BYTES = 8;
const SMALL_ENTRY_BYTES = 5;
/** A class row's estimate before it exists (templates, 32 size entries, gaps and member sizes). */
export const CLASS_ROW_ESTIMATE_BYTES = 800;

export function rowBytesWithoutCoefs(row: RowDraft): number {
  let bytes = ROW_FIXED_BYTES;
  for (const dir of row.dirs) {
    bytes += (dir.template?.bytes.length ?? 0) + dir.sizes.length * SIZE_ENTRY_BYTES + dir.flags.length * SMALL_ENTRY_BYTES;
  }
  for (let b = row.gapsAt; b < row.gapsAt + GAP_BUCKETS; b++) if (row.gaps[b]! > 0) bytes += SMALL_ENTRY_BYTES;
  if (row.memberSizes) for (const m of row.memberSizes) if (m > 0) bytes += SMALL_ENTRY_BYTES;
  return bytes;
}

/** The same estimate straight from flow `id`'s statistics (before any draft exists). */
export function flowBytesWithoutCoefs(stats: FlowStatsTable, id: number): number {
  let bytes = ROW_FIXED_BYTES;
  for (let slot = 2 * id; slot < 2 * id + 2; slot++) {
    const buckets = stats.bucketsOf[slot]!;
    const flags = stats.flagsOf[slot]!;
    const entries = stats.atoms.sizes[slot]! + (buckets === NO_COUNTER ? 0 : stats.buckets.sizes[buckets]!);
    bytes += (stats.templates[slot]?.bytes.length ?? 0) + entries * SIZE_ENTRY_BYTES + (flags === NO_COUNTER ? 0 : stats.flags.sizes[flags]!) * SMALL_ENTRY_BYTES;
  }
  const gaps = stats.gaps;
  for (let b = id * GAP_BUCKETS; b < (id + 1) * GAP_BUCKETS; b++) if (gaps[b]! > 0) bytes += SMALL_ENTRY_BYTES;
  return bytes;
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
 * Per-row coefficient counts: row r gets at most max(1, floor(alpha * packets_r)) (halving
 * its histogram), with alpha the largest (bisection, at most maxAlpha) whose total fits
 * `coefBudgetBytes`.
 */
export function allocateCoefficients(rows: readonly RowDraft[], coefBudgetBytes: number, maxAlpha = Number.POSITIVE_INFINITY): number[] {
  const full = new Float64Array(rows.length);
  const packets = new Float64Array(rows.length);
  let longest = 1;
  for (let i = 0; i < rows.length; i++) {
    full[i] = rows[i]!.histogram.length;
    packets[i] = rows[i]!.packets;
    longest = Math.max(longest, full[i]!);
  }
  const countAt = (alpha: number, i: number) => lengthAfterHalving(full[i]!, Math.max(1, Math.floor(alpha * packets[i]!)));
  const bytesAt = (alpha: number) => {
    let sum = 0;
    for (let i = 0; i < rows.length; i++) sum += countAt(alpha, i);
    return sum * 4;
  };
  let alpha = maxAlpha;
  if (bytesAt(alpha) > coefBudgetBytes) {
    let lo = 0;
    let hi = Math.min(maxAlpha, longest);
    for (let step = 0; step < 40; step++) {
      const mid = (lo + hi) / 2;
      if (bytesAt(mid) <= coefBudgetBytes) lo = mid;
      else hi = mid;
    }
    alpha = lo;
  }
  return Array.from({ length: rows.length }, (_, i) => countAt(alpha, i));
}
