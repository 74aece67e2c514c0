/**
 * Turns a model's tables into the plan's sampling tables: weights become cumulative uint32
 * (scaled down when a list's total would reach 2^32, keeping every non-zero weight >= 1),
 * gap buckets become ns ranges cut at the bin width (a gap inside a bin is shorter than it).
 */
import type { FlowModel } from '../model/flow-model.ts';
import { ROW_KIND } from '../model/flow-model.ts';
import { gapBucketRange } from '../model/log2-buckets.ts';
import { emptyInstances, type PlanInstances, type PlanTemplates } from './regeneration-plan.ts';

const MAX_TOTAL = 0xfffffff0;

/** Running totals of weights[from .. to), written to out[from .. to). */
export function cumulate(weights: ArrayLike<number>, from: number, to: number, out: Uint32Array): void {
  let total = 0;
  for (let i = from; i < to; i++) total += weights[i]!;
  const scale = total > MAX_TOTAL ? (MAX_TOTAL - (to - from)) / total : 1;
  let running = 0;
  for (let i = from; i < to; i++) {
    const w = weights[i]!;
    running += w === 0 ? 0 : Math.max(1, Math.floor(w * scale));
    out[i] = running;
  }
}

function cumulateLists(weights: ArrayLike<number>, offsets: Uint32Array): Uint32Array {
  const out = new Uint32Array(weights.length);
  for (let i = 0; i + 1 < offsets.length; i++) cumulate(weights, offsets[i]!, offsets[i + 1]!, out);
  return out;
}

export function planTemplates(model: FlowModel): PlanTemplates {
  const t = model.tables;
  const rows = t.kind.length;
  const gapLo: number[] = [];
  const gapSpan: number[] = [];
  const gapWeight: number[] = [];
  const gapOffset = new Uint32Array(rows + 1);
  for (let r = 0; r < rows; r++) {
    for (let e = t.gapOffset[r]!; e < t.gapOffset[r + 1]!; e++) {
      const { lo, span } = gapBucketRange(t.gapBucket[e]!);
      if (lo >= model.info.binNs) continue;
      gapLo.push(lo);
      gapSpan.push(Math.min(span, model.info.binNs - lo));
      gapWeight.push(t.gapWeight[e]!);
    }
    gapOffset[r + 1] = gapLo.length;
  }
  return {
    count: rows,
    ipVersion: t.ipVersion,
    proto: t.proto,
    headerOffset: t.headerOffset,
    headerBytes: t.headerBytes,
    l3Offset: t.l3Offset,
    l4Offset: t.l4Offset,
    firstFlags: t.firstFlags,
    lastFlags: t.lastFlags,
    sizeOffset: t.sizeOffset,
    sizeLo: t.sizeLo,
    sizeSpan: t.sizeSpan,
    sizeCum: cumulateLists(t.sizeWeight, t.sizeOffset),
    flagOffset: t.flagOffset,
    flagValue: t.flagValue,
    flagCum: cumulateLists(t.flagWeight, t.flagOffset),
    gapOffset,
    gapLo: Float64Array.from(gapLo),
    gapSpan: Float64Array.from(gapSpan),
    gapCum: cumulateLists(gapWeight, gapOffset),
  };
}

/** One instance per row: modelled flows send their packets; class rows are placeholders (0 packets). */
export function rowInstances(model: FlowModel): PlanInstances {
  const t = model.tables;
  const rows = t.kind.length;
  const instances = emptyInstances(rows);
  for (let r = 0; r < rows; r++) {
    const flow = t.kind[r] === ROW_KIND.flow;
    instances.template[r] = r;
    instances.packets[r] = flow ? t.packets[r]! : 0;
    instances.reverse[r] = flow ? t.reverse[r]! : 0;
    instances.startNs[r] = flow ? t.startNs[r]! : Number.NaN;
    instances.endNs[r] = flow ? t.endNs[r]! : Number.NaN;
  }
  return instances;
}

/** Index of the entry of [from, to) whose cumulative weight first exceeds `u` (u < cum[to-1]). */
export function pickEntry(cum: Uint32Array, from: number, to: number, u: number): number {
  let lo = from;
  let hi = to - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cum[mid]! > u) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
