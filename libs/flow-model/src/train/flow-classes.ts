/**
 * Flow classes (issue 4: "the heaviest flows modelled one by one, the rest grouped into
 * classes that still regenerate distinct flows"). Light flows are grouped by (IP version,
 * protocol, service port); a class keeps the summed time histogram and distributions of its
 * members, one template (its heaviest member's), how many members it had, their sizes
 * (log2 buckets) and how many were active at once, so the plan builder can regenerate as many
 * distinct member flows (docs/flow-models.md, "Classes").
 */
import { ROW_KIND } from '../model/flow-model.ts';
import { countBucket, GAP_BUCKETS } from '../model/log2-buckets.ts';
import { CounterMerger } from './counter-merger.ts';
import { DIR_PACKETS, DIR_STRIDE, FIRST_FLAGS, FIRST_NS, FLOW_STRIDE, LAST_FLAGS, LAST_NS, PACKETS, type FlowStatsTable } from './flow-stats.ts';
import { binOf, emptyMemberSizes, midFlags, sizeEntries, type DirectionCounts, type RowDraft } from './row-draft.ts';
import { TimeHistogram } from './time-histogram.ts';

/** The port that names flow `id`'s service: the well-known one if any, else a registered destination port, else 0. */
export function servicePort(stats: FlowStatsTable, id: number): number {
  const t = stats.templates[2 * id];
  const proto = stats.proto[id];
  if (!t || (proto !== 6 && proto !== 17) || t.l4Offset + 4 > t.bytes.length) return 0;
  const src = (t.bytes[t.l4Offset]! << 8) | t.bytes[t.l4Offset + 1]!;
  const dst = (t.bytes[t.l4Offset + 2]! << 8) | t.bytes[t.l4Offset + 3]!;
  if (Math.min(src, dst) < 1024) return Math.min(src, dst);
  return dst < 49152 ? dst : 0;
}

/** (IP version, protocol, service port) as one number. */
function classKey(stats: FlowStatsTable, id: number): number {
  return (stats.ipVersion[id]! * 256 + stats.proto[id]!) * 65536 + servicePort(stats, id);
}

/**
 * Groups flows (ids, heaviest first) into at most `maxClasses` keys: the busiest keys keep
 * their own class, the rest share one. Keys are ordered by their first flow, then by packets.
 */
export function assignClasses(stats: FlowStatsTable, ids: readonly number[], maxClasses: number): number[][] {
  const byKey = new Map<number, number[]>();
  for (const id of ids) {
    const key = classKey(stats, id);
    const list = byKey.get(key);
    if (list) list.push(id);
    else byKey.set(key, [id]);
  }
  const f = stats.flow;
  const withPackets = [...byKey.values()].map((list) => {
    let packets = 0;
    for (const id of list) packets += f[id * FLOW_STRIDE + PACKETS]!;
    return { list, packets };
  });
  const groups = withPackets.sort((a, b) => b.packets - a.packets).map((g) => g.list);
  if (groups.length <= maxClasses) return groups;
  const kept = groups.slice(0, Math.max(0, maxClasses - 1));
  kept.push(groups.slice(kept.length).flat());
  return kept;
}

/** Sums of a class's members: the time histogram on the class's own grid, totals and distributions. */
interface ClassSums {
  startBin: number;
  lastBin: number;
  histogram: TimeHistogram;
  packets: number;
  reverse: number;
  activeNs: number;
  dirs: [DirectionCounts, DirectionCounts];
  gaps: Float64Array;
  memberSizes: Float64Array;
}

/** Bins the class spans (every member's anchor and last packet) and the histogram shift that fits them in maxBins. */
function classSpan(stats: FlowStatsTable, members: readonly number[], binNs: number, maxBins: number): { startBin: number; lastBin: number; shift: number } {
  let startBin = Number.POSITIVE_INFINITY;
  let lastBin = 0;
  for (const id of members) {
    const anchor = stats.histograms[id]!.anchor;
    startBin = Math.min(startBin, anchor);
    lastBin = Math.max(lastBin, anchor, binOf(stats.flow[id * FLOW_STRIDE + LAST_NS]!, binNs));
  }
  let shift = 0;
  while (Math.ceil((lastBin - startBin + 1) / 2 ** shift) > maxBins) shift++;
  return { startBin, lastBin, shift };
}

function sumMembers(stats: FlowStatsTable, members: readonly number[], binNs: number, maxBins: number, merger: CounterMerger): ClassSums {
  const { startBin, lastBin, shift } = classSpan(stats, members, binNs, maxBins);
  const dense = new Float64Array(Math.ceil((lastBin - startBin + 1) / 2 ** shift));
  const f = stats.flow;
  const d = stats.dir;
  const gaps = new Float64Array(GAP_BUCKETS);
  const memberSizes = emptyMemberSizes();
  let packets = 0;
  let reverse = 0;
  let activeNs = 0;
  for (const id of members) {
    const at = id * FLOW_STRIDE;
    const histogram = stats.histograms[id]!;
    addMemberHistogram(dense, startBin, shift, histogram, Math.max(histogram.anchor, binOf(f[at + LAST_NS]!, binNs)));
    packets += f[at + PACKETS]!;
    reverse += d[(2 * id + 1) * DIR_STRIDE + DIR_PACKETS]!;
    activeNs += f[at + LAST_NS]! - f[at + FIRST_NS]! + binNs;
    memberSizes[countBucket(f[at + PACKETS]!)]! += 1;
    const g = id * GAP_BUCKETS;
    for (let i = 0; i < GAP_BUCKETS; i++) gaps[i]! += stats.gaps[g + i]!;
  }
  const dirs = [mergeDirections(stats, members, 0, merger), mergeDirections(stats, members, 1, merger)] as [DirectionCounts, DirectionCounts];
  return { startBin, lastBin, packets, reverse, activeNs, dirs, gaps, memberSizes, histogram: TimeHistogram.fromDense(startBin, maxBins, shift, dense) };
}

/** Direction `dir` of every member merged in member order: counters, packets, first and last flags. */
function mergeDirections(stats: FlowStatsTable, members: readonly number[], dir: number, merger: CounterMerger): DirectionCounts {
  merger.start();
  let packets = 0;
  let firstFlags = -1;
  let lastFlags = 0;
  for (const id of members) {
    const slot = 2 * id + dir;
    const ds = slot * DIR_STRIDE;
    const memberPackets = stats.dir[ds + DIR_PACKETS]!;
    packets += memberPackets;
    merger.mergeSlot(stats, slot);
    if (memberPackets > 0 && firstFlags < 0) firstFlags = stats.dir[ds + FIRST_FLAGS]!;
    if (memberPackets > 0) lastFlags = stats.dir[ds + LAST_FLAGS]!;
  }
  return merger.finish(packets, firstFlags, lastFlags);
}

export function draftClass(stats: FlowStatsTable, members: readonly number[], binNs: number, maxBins: number, merger: CounterMerger): RowDraft {
  const f = stats.flow;
  const byWeight = [...members].sort((a, b) => f[b * FLOW_STRIDE + PACKETS]! - f[a * FLOW_STRIDE + PACKETS]!);
  const heaviest = byWeight[0]!;
  const sums = sumMembers(stats, members, binNs, maxBins, merger);
  const spanNs = (sums.lastBin - sums.startBin + 1) * binNs;
  const withReverse = byWeight.find((m) => stats.templates[2 * m + 1]);
  const heaviestDir = (d: number) => (2 * heaviest + d) * DIR_STRIDE;
  return {
    kind: ROW_KIND.class,
    ipVersion: stats.ipVersion[heaviest]!,
    proto: stats.proto[heaviest]!,
    startBin: sums.startBin,
    lastBin: sums.lastBin,
    histogram: sums.histogram,
    packets: sums.packets,
    reverse: sums.reverse,
    startNs: Number.NaN,
    endNs: Number.NaN,
    members: members.length,
    concurrency: Math.min(members.length, Math.max(1, sums.activeNs / spanNs)),
    dirs: [0, 1].map((d) => ({
      template: d === 0 ? stats.templates[2 * heaviest] : (stats.templates[2 * heaviest + 1] ?? (withReverse !== undefined ? stats.templates[2 * withReverse + 1] : undefined)),
      firstFlags: Math.max(0, stats.dir[heaviestDir(d) + FIRST_FLAGS]!),
      lastFlags: stats.dir[heaviestDir(d) + LAST_FLAGS]!,
      sizes: sizeEntries(sums.dirs[d]!),
      flags: midFlags(sums.dirs[d]!),
    })) as RowDraft['dirs'],
    gaps: sums.gaps,
    gapsAt: 0,
    memberSizes: sums.memberSizes,
  };
}

/** Adds a member's counts at the centres of its histogram bins into the class's dense bins. */
function addMemberHistogram(dense: Float64Array, startBin: number, shift: number, h: TimeHistogram, memberLast: number): void {
  const half = Math.floor(h.width / 2);
  const keys = h.keys;
  const counts = h.values;
  const classWidth = 2 ** shift;
  for (let i = 0; i < keys.length; i++) {
    const bin = Math.min(memberLast, h.anchor + keys[i]! * h.width + half);
    dense[Math.floor((bin - startBin) / classWidth)]! += counts[i]!;
  }
}
