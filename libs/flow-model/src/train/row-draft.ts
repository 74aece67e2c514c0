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
  dir.atoms.keys.forEach((size, i) => {
    if (dir.atoms.counts[i]! > 0) entries.push({ lo: size, span: 1, weight: dir.atoms.counts[i]! });
  });
  dir.buckets.keys.forEach((bucket, i) => {
    if (dir.buckets.counts[i]! > 0) entries.push({ lo: bucket * SIZE_BUCKET_BYTES, span: SIZE_BUCKET_BYTES, weight: dir.buckets.counts[i]! });
  });
  return entries;
}

/** The mid-flow flag mix: all flags of the direction but its first and last packet's. */
export function midFlags(dir: DirectionStats): { value: number; weight: number }[] {
  const counts = dir.flags.counts.slice();
  const take = (value: number) => {
    const i = dir.flags.keys.indexOf(value);
    if (i >= 0 && counts[i]! > 0) counts[i]!--;
  };
  if (dir.packets >= 1) take(dir.firstFlags);
  if (dir.packets >= 2) take(dir.lastFlags);
  return dir.flags.keys.map((value, i) => ({ value, weight: counts[i]! })).filter((e) => e.weight > 0);
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
