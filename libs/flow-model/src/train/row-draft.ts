/**
 * A row of the model's flow table before it is fitted and packed: a modelled flow or a flow
 * class, with its time histogram (the regression's sufficient statistics) and its
 * distributions in the model's terms (size ranges, flag values, gap buckets).
 */
import { ROW_KIND, type RowKind } from '../model/flow-model.ts';
import { GAP_BUCKETS } from '../model/log2-buckets.ts';
import {
  DIR_PACKETS, DIR_STRIDE, FIRST_FLAGS, FIRST_NS, FLOW_STRIDE, LAST_FLAGS, LAST_NS, NO_COUNTER, PACKETS, SIZE_BUCKET_BYTES, type FlowStatsTable,
} from './flow-stats.ts';
import type { HeaderTemplate } from './header-template.ts';
import type { SmallCounters } from './small-counter.ts';
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
  /** Intra-flow gap buckets: gaps[gapsAt .. gapsAt + GAP_BUCKETS). */
  gaps: Float64Array;
  gapsAt: number;
  /** Member flow sizes in log2 buckets (classes only). */
  memberSizes: Float64Array | undefined;
}

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
export function sizeEntries(dir: DirectionCounts): SizeEntry[] {
  const entries: SizeEntry[] = [];
  const { atoms, buckets } = dir;
  const a = dir.atomsAt * atoms.stride;
  for (let i = 0; i < atoms.sizes[dir.atomsAt]!; i++) if (atoms.counts[a + i]! > 0) entries.push({ lo: atoms.keys[a + i]!, span: 1, weight: atoms.counts[a + i]! });
  if (dir.bucketsAt === NO_COUNTER) return entries;
  const b = dir.bucketsAt * buckets.stride;
  for (let i = 0; i < buckets.sizes[dir.bucketsAt]!; i++) {
    if (buckets.counts[b + i]! > 0) entries.push({ ...boundedBucket(buckets.keys[b + i]! * SIZE_BUCKET_BYTES, dir), weight: buckets.counts[b + i]! });
  }
  return entries;
}

/** Bucket [lo, lo + 64) cut to [sizeMin, sizeMax]; a bucket holding overflow from others (past the kept set) keeps at least one size, the nearest bound. */
function boundedBucket(lo: number, dir: DirectionCounts): { lo: number; span: number } {
  if (dir.sizeMin > dir.sizeMax) return { lo, span: SIZE_BUCKET_BYTES };
  const from = Math.min(Math.max(lo, dir.sizeMin), dir.sizeMax);
  const to = Math.max(Math.min(lo + SIZE_BUCKET_BYTES - 1, dir.sizeMax), from);
  return { lo: from, span: to - from + 1 };
}

/** The mid-flow flag mix: all flags of the direction but its first and last packet's. */
export function midFlags(dir: DirectionCounts): { value: number; weight: number }[] {
  if (dir.flagsAt === NO_COUNTER) return [];
  const { flags, flagsAt } = dir;
  const base = flagsAt * flags.stride;
  const size = flags.sizes[flagsAt]!;
  const counts = flags.counts.slice(base, base + size);
  const first = flags.indexOf(flagsAt, dir.firstFlags);
  if (dir.packets >= 1 && first >= 0 && counts[first]! > 0) counts[first]!--;
  const last = flags.indexOf(flagsAt, dir.lastFlags);
  if (dir.packets >= 2 && last >= 0 && counts[last]! > 0) counts[last]!--;
  const out: { value: number; weight: number }[] = [];
  for (let i = 0; i < size; i++) if (counts[i]! > 0) out.push({ value: flags.keys[base + i]!, weight: counts[i]! });
  return out;
}

/** The counters of direction `slot` of the table. */
export function slotCounts(stats: FlowStatsTable, slot: number): DirectionCounts {
  const d = slot * DIR_STRIDE;
  return {
    packets: stats.dir[d + DIR_PACKETS]!,
    firstFlags: stats.dir[d + FIRST_FLAGS]!,
    lastFlags: stats.dir[d + LAST_FLAGS]!,
    atoms: stats.atoms,
    atomsAt: slot,
    buckets: stats.buckets,
    bucketsAt: stats.bucketsOf[slot]!,
    flags: stats.flags,
    flagsAt: stats.flagsOf[slot]!,
    sizeMin: stats.sizeMin[slot]!,
    sizeMax: stats.sizeMax[slot]!,
  };
}

function directionDraft(stats: FlowStatsTable, slot: number): DirectionDraft {
  const counts = slotCounts(stats, slot);
  return {
    template: stats.templates[slot],
    firstFlags: Math.max(0, counts.firstFlags),
    lastFlags: counts.lastFlags,
    sizes: sizeEntries(counts),
    flags: midFlags(counts),
  };
}

function binOf(timeNs: number, binNs: number): number {
  return Math.floor(timeNs / binNs);
}

/** The row of flow `id` modelled one by one. */
export function draftFromFlow(stats: FlowStatsTable, id: number, binNs: number): RowDraft {
  const histogram = stats.histograms[id]!;
  const at = id * FLOW_STRIDE;
  const firstNs = stats.flow[at + FIRST_NS]!;
  const lastNs = stats.flow[at + LAST_NS]!;
  const startBin = histogram.anchor;
  const startNs = Math.max(firstNs, startBin * binNs);
  return {
    kind: ROW_KIND.flow,
    ipVersion: stats.ipVersion[id]!,
    proto: stats.proto[id]!,
    startBin,
    lastBin: Math.max(startBin, binOf(lastNs, binNs)),
    histogram,
    packets: stats.flow[at + PACKETS]!,
    reverse: stats.dir[(2 * id + 1) * DIR_STRIDE + DIR_PACKETS]!,
    startNs,
    endNs: Math.max(startNs, lastNs),
    members: 1,
    concurrency: 1,
    dirs: [directionDraft(stats, 2 * id), directionDraft(stats, 2 * id + 1)],
    gaps: stats.gaps,
    gapsAt: id * GAP_BUCKETS,
    memberSizes: undefined,
  };
}
