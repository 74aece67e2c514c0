/**
 * A row of the model's flow table before it is fitted and packed: a modelled flow or a flow
 * class, with its time histogram (the regression's sufficient statistics) and its
 * distributions in the model's terms (size ranges, flag values, gap buckets).
 */
import { ROW_KIND, type RowKind } from '../model/flow-model.ts';
import { COUNT_BUCKETS } from '../model/log2-buckets.ts';
import { SIZE_BUCKET_BYTES, type DirectionStats, type FlowStats } from './flow-stats.ts';
import type { HeaderTemplate } from './header-template.ts';
import type { TimeHistogram } from './time-histogram.ts';

export interface SizeEntry {
  lo: number;
  span: number;
  weight: number;
}

export interface DirectionDraft {
  template: HeaderTemplate | undefined;
  firstFlags: number;
  lastFlags: number;
  sizes: SizeEntry[];
  /** Flag values between the first and last packet of the direction, with weights. */
  flags: { value: number; weight: number }[];
}

export interface RowDraft {
  kind: RowKind;
  ipVersion: number;
  proto: number;
  startBin: number;
  lastBin: number;
  histogram: TimeHistogram;
  packets: number;
  reverse: number;
  startNs: number;
  endNs: number;
  members: number;
  concurrency: number;
  dirs: [DirectionDraft, DirectionDraft];
  gaps: Float64Array;
  /** Member flow sizes in log2 buckets (classes only). */
  memberSizes: Float64Array | undefined;
}

export function sizeEntries(dir: DirectionStats): SizeEntry[] {
  const entries: SizeEntry[] = [];
  const { atoms, buckets } = dir;
  for (let i = 0; i < atoms.size; i++) if (atoms.counts[i]! > 0) entries.push({ lo: atoms.keys[i]!, span: 1, weight: atoms.counts[i]! });
  for (let i = 0; i < buckets.size; i++) {
    if (buckets.counts[i]! > 0) entries.push({ lo: buckets.keys[i]! * SIZE_BUCKET_BYTES, span: SIZE_BUCKET_BYTES, weight: buckets.counts[i]! });
  }
  return entries;
}

/** The mid-flow flag mix: all flags of the direction but its first and last packet's. */
export function midFlags(dir: DirectionStats): { value: number; weight: number }[] {
  const { keys, size } = dir.flags;
  const counts = dir.flags.counts.slice(0, size);
  const first = dir.flags.indexOf(dir.firstFlags);
  if (dir.packets >= 1 && first >= 0 && counts[first]! > 0) counts[first]!--;
  const last = dir.flags.indexOf(dir.lastFlags);
  if (dir.packets >= 2 && last >= 0 && counts[last]! > 0) counts[last]!--;
  const out: { value: number; weight: number }[] = [];
  for (let i = 0; i < size; i++) if (counts[i]! > 0) out.push({ value: keys[i]!, weight: counts[i]! });
  return out;
}

function directionDraft(dir: DirectionStats): DirectionDraft {
  return {
    template: dir.template,
    firstFlags: Math.max(0, dir.firstFlags),
    lastFlags: dir.lastFlags,
    sizes: sizeEntries(dir),
    flags: midFlags(dir),
  };
}

export function binOf(timeNs: number, binNs: number): number {
  return Math.floor(timeNs / binNs);
}

export function draftFromFlow(flow: FlowStats, binNs: number): RowDraft {
  const startBin = flow.histogram.anchor;
  const startNs = Math.max(flow.firstNs, startBin * binNs);
  return {
    kind: ROW_KIND.flow,
    ipVersion: flow.ipVersion,
    proto: flow.proto,
    startBin,
    lastBin: Math.max(startBin, binOf(flow.lastNs, binNs)),
    histogram: flow.histogram,
    packets: flow.packets,
    reverse: flow.reverse,
    startNs,
    endNs: Math.max(startNs, flow.lastNs),
    members: 1,
    concurrency: 1,
    dirs: [directionDraft(flow.dirs[0]), directionDraft(flow.dirs[1])],
    gaps: flow.gaps,
    memberSizes: undefined,
  };
}

export function emptyMemberSizes(): Float64Array {
  return new Float64Array(COUNT_BUCKETS);
}
