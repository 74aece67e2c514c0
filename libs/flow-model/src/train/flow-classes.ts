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
import { DirectionStats, SIZE_BUCKET_BYTES, type FlowStats } from './flow-stats.ts';
import { binOf, draftFromFlow, emptyMemberSizes, midFlags, sizeEntries, type RowDraft } from './row-draft.ts';
import { TimeHistogram } from './time-histogram.ts';

/** The port that names a flow's service: the well-known one if any, else a registered destination port, else 0. */
export function servicePort(flow: FlowStats): number {
  const t = flow.dirs[0].template;
  if (!t || (flow.proto !== 6 && flow.proto !== 17) || t.l4Offset + 4 > t.bytes.length) return 0;
  const src = (t.bytes[t.l4Offset]! << 8) | t.bytes[t.l4Offset + 1]!;
  const dst = (t.bytes[t.l4Offset + 2]! << 8) | t.bytes[t.l4Offset + 3]!;
  if (Math.min(src, dst) < 1024) return Math.min(src, dst);
  return dst < 49152 ? dst : 0;
}

function classKey(flow: FlowStats): string {
  return `${flow.ipVersion}/${flow.proto}/${servicePort(flow)}`;
}

/** Groups flows into at most `maxClasses` keys: the busiest keys keep their own class, the rest share one. */
export function assignClasses(flows: readonly FlowStats[], maxClasses: number): FlowStats[][] {
  const byKey = new Map<string, FlowStats[]>();
  for (const flow of flows) {
    const key = classKey(flow);
    const list = byKey.get(key);
    if (list) list.push(flow);
    else byKey.set(key, [flow]);
  }
  const packets = (list: FlowStats[]) => list.reduce((sum, f) => sum + f.packets, 0);
  const groups = [...byKey.values()].sort((a, b) => packets(b) - packets(a));
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
  dirs: readonly [DirectionStats, DirectionStats];
  gaps: Float64Array;
  memberSizes: Float64Array;
}

function sumMembers(members: readonly FlowStats[], binNs: number, maxBins: number, sizeAtoms: number): ClassSums {
  let startBin = Number.POSITIVE_INFINITY;
  let lastBin = 0;
  for (const m of members) {
    startBin = Math.min(startBin, m.histogram.anchor);
    lastBin = Math.max(lastBin, m.histogram.anchor, binOf(m.lastNs, binNs));
  }
  let shift = 0;
  while (Math.ceil((lastBin - startBin + 1) / 2 ** shift) > maxBins) shift++;
  const dense = new Float64Array(Math.ceil((lastBin - startBin + 1) / 2 ** shift));
  const sums = { startBin, lastBin, packets: 0, reverse: 0, activeNs: 0, dirs: [new DirectionStats(sizeAtoms * 2), new DirectionStats(sizeAtoms * 2)] as const, gaps: new Float64Array(GAP_BUCKETS), memberSizes: emptyMemberSizes() };
  for (const m of members) {
    addMemberHistogram(dense, startBin, shift, m.histogram, Math.max(m.histogram.anchor, binOf(m.lastNs, binNs)));
    sums.packets += m.packets;
    sums.reverse += m.reverse;
    sums.activeNs += m.lastNs - m.firstNs + binNs;
    sums.memberSizes[countBucket(m.packets)]! += 1;
    for (let i = 0; i < GAP_BUCKETS; i++) sums.gaps[i]! += m.gaps[i]!;
    mergeDirection(sums.dirs[0], m.dirs[0]);
    mergeDirection(sums.dirs[1], m.dirs[1]);
  }
  return { ...sums, histogram: TimeHistogram.fromDense(startBin, maxBins, shift, dense) };
}

export function draftClass(members: readonly FlowStats[], binNs: number, maxBins: number, sizeAtoms: number): RowDraft {
  const byWeight = [...members].sort((a, b) => b.packets - a.packets);
  const heaviest = byWeight[0]!;
  const sums = sumMembers(members, binNs, maxBins, sizeAtoms);
  const spanNs = (sums.lastBin - sums.startBin + 1) * binNs;
  const template = draftFromFlow(heaviest, binNs);
  const withReverse = byWeight.find((m) => m.dirs[1].template);
  return {
    kind: ROW_KIND.class,
    ipVersion: heaviest.ipVersion,
    proto: heaviest.proto,
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
      template: d === 0 ? heaviest.dirs[0].template : (heaviest.dirs[1].template ?? withReverse?.dirs[1].template),
      firstFlags: template.dirs[d]!.firstFlags,
      lastFlags: template.dirs[d]!.lastFlags,
      sizes: sizeEntries(sums.dirs[d]!),
      flags: midFlags(sums.dirs[d]!),
    })) as RowDraft['dirs'],
    gaps: sums.gaps,
    memberSizes: sums.memberSizes,
  };
}

/** Adds a member's counts at the centres of its histogram bins into the class's dense bins. */
function addMemberHistogram(dense: Float64Array, startBin: number, shift: number, h: TimeHistogram, memberLast: number): void {
  const half = Math.floor(h.width / 2);
  const keys = h.keys;
  const counts = h.values;
  const classWidth = 2 ** shift;
  for (let i = 0; i < h.size; i++) {
    const bin = Math.min(memberLast, h.anchor + keys[i]! * h.width + half);
    dense[Math.floor((bin - startBin) / classWidth)]! += counts[i]!;
  }
}

function mergeDirection(into: DirectionStats, from: DirectionStats): void {
  into.packets += from.packets;
  for (let i = 0; i < from.atoms.size; i++) {
    const count = from.atoms.counts[i]!;
    if (count > 0 && !into.atoms.add(from.atoms.keys[i]!, count)) into.addBucketed(from.atoms.keys[i]!, count);
  }
  for (let i = 0; i < from.buckets.size; i++) into.addBucketed(from.buckets.keys[i]! * SIZE_BUCKET_BYTES, from.buckets.counts[i]!);
  for (let i = 0; i < from.flags.size; i++) into.addFlagCount(from.flags.keys[i]!, from.flags.counts[i]!);
  if (from.packets > 0 && into.firstFlags < 0) into.firstFlags = from.firstFlags;
  if (from.packets > 0) into.lastFlags = from.lastFlags;
}
