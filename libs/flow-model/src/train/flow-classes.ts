/**
 * Flow classes (issue 4: "the heaviest flows modelled one by one, the rest grouped into
 * classes that still regenerate distinct flows"). Light flows are grouped by (IP version,
 * protocol, service port); a class keeps the summed time histogram and distributions of its
 * members, one template (its heaviest member's), how many members it had, their sizes
 * (log2 buckets) and how many were active at once, so the plan builder can regenerate as many
 * distinct member flows (docs/flow-models.md, "Classes").
 */
import { ROW_KIND } from '../model/flow-model.ts';
import { countBucket } from '../model/log2-buckets.ts';
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

export function draftClass(members: readonly FlowStats[], binNs: number, maxBins: number, sizeAtoms: number): RowDraft {
  const byWeight = [...members].sort((a, b) => b.packets - a.packets);
  const heaviest = byWeight[0]!;
  let startBin = Number.POSITIVE_INFINITY;
  let lastBin = 0;
  for (const m of members) {
    startBin = Math.min(startBin, m.histogram.anchor);
    lastBin = Math.max(lastBin, m.histogram.anchor, binOf(m.lastNs, binNs));
  }
  let shift = 0;
  while (Math.ceil((lastBin - startBin + 1) / 2 ** shift) > maxBins) shift++;
  const dense = new Float64Array(Math.ceil((lastBin - startBin + 1) / 2 ** shift));
  const dirs = [new DirectionStats(sizeAtoms * 2), new DirectionStats(sizeAtoms * 2)] as const;
  const gaps = new Float64Array(heaviest.gaps.length);
  const memberSizes = emptyMemberSizes();
  let packets = 0;
  let reverse = 0;
  let activeNs = 0;
  for (const m of members) {
    const h = m.histogram;
    const memberLast = Math.max(h.anchor, binOf(m.lastNs, binNs));
    addMemberHistogram(dense, startBin, shift, h, memberLast);
    packets += m.packets;
    reverse += m.reverse;
    activeNs += m.lastNs - m.firstNs + binNs;
    memberSizes[countBucket(m.packets)]! += 1;
    for (let i = 0; i < gaps.length; i++) gaps[i]! += m.gaps[i]!;
    for (const d of [0, 1] as const) mergeDirection(dirs[d], m.dirs[d]);
  }
  const histogram = TimeHistogram.fromDense(startBin, maxBins, shift, dense);
  const spanNs = (lastBin - startBin + 1) * binNs;
  const template = draftFromFlow(heaviest, binNs);
  const withReverse = byWeight.find((m) => m.dirs[1].template);
  return {
    kind: ROW_KIND.class,
    ipVersion: heaviest.ipVersion,
    proto: heaviest.proto,
    startBin,
    lastBin,
    histogram,
    packets,
    reverse,
    startNs: Number.NaN,
    endNs: Number.NaN,
    members: members.length,
    concurrency: Math.min(members.length, Math.max(1, activeNs / spanNs)),
    dirs: [0, 1].map((d) => ({
      template: d === 0 ? heaviest.dirs[0].template : (heaviest.dirs[1].template ?? withReverse?.dirs[1].template),
      firstFlags: template.dirs[d]!.firstFlags,
      lastFlags: template.dirs[d]!.lastFlags,
      sizes: sizeEntries(dirs[d]!),
      flags: midFlags(dirs[d]!),
    })) as RowDraft['dirs'],
    gaps,
    memberSizes,
  };
}

/** Adds a member's counts at the centres of its histogram bins into the class's dense bins. */
function addMemberHistogram(dense: Float64Array, startBin: number, shift: number, h: TimeHistogram, memberLast: number): void {
  const half = Math.floor(h.width / 2);
  const keys = h.occupied;
  const counts = h.occupiedCounts;
  const classWidth = 2 ** shift;
  for (let i = 0; i < keys.length; i++) {
    const bin = Math.min(memberLast, h.anchor + keys[i]! * h.width + half);
    dense[Math.floor((bin - startBin) / classWidth)]! += counts[i]!;
  }
}

function mergeDirection(into: DirectionStats, from: DirectionStats): void {
  into.packets += from.packets;
  for (let i = 0; i < from.atoms.keys.length; i++) {
    const count = from.atoms.counts[i]!;
    if (count > 0 && !into.atoms.add(from.atoms.keys[i]!, count)) into.addBucketed(from.atoms.keys[i]!, count);
  }
  for (let i = 0; i < from.buckets.keys.length; i++) into.addBucketed(from.buckets.keys[i]! * SIZE_BUCKET_BYTES, from.buckets.counts[i]!);
  for (let i = 0; i < from.flags.keys.length; i++) into.addFlagCount(from.flags.keys[i]!, from.flags.counts[i]!);
  if (from.packets > 0 && into.firstFlags < 0) into.firstFlags = from.firstFlags;
  if (from.packets > 0) into.lastFlags = from.lastFlags;
}
