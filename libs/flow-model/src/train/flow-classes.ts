/**
 * Flow classes (issue 4: "the heaviest flows modelled one by one, the rest grouped into
 * classes that still regenerate distinct flows"). Light flows are grouped by (IP version,
 * protocol, service port); a class keeps the summed time histogram and distributions of its
 * members, one template (its heaviest member's), how many members it had, their sizes
 * (log2 buckets) and how many were active at once, so the plan builder can regenerate as many
 * distinct member flows (docs/flow-models.md, "Classes").
 */
import { ROW_KIND } from '../model/flow-model.ts';
import { COUNT_BUCKETS, countBucket, GAP_BUCKETS } from '../model/log2-buckets.ts';
import { CounterMerger } from './counter-merger.ts';
import { DIR_PACKETS, DIR_STRIDE, FIRST_FLAGS, FIRST_NS, FLOW_STRIDE, LAST_FLAGS, LAST_NS, PACKETS, type FlowStatsTable } from './flow-stats.ts';
import { addMidFlags, addSizeEntries, type DirectionCounts } from './row-draft.ts';
import type { RowSet } from './row-set.ts';
import type { TimeHistogram } from './time-histogram.ts';

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

/**
 * Rows for all classes at once, appended to `set`. Each step is one loop over every member of
 * every class (a function V8 compiles once), not a function per class called again and again:
 * compiling and recompiling the per-class code cost more than the work (issue 4, train speed).
 */
export function addClassRows(set: RowSet, stats: FlowStatsTable, groups: readonly (readonly number[])[], binNs: number, maxBins: number, merger: CounterMerger, gapMasks: Int32Array): void {
  const members = groups.flat();
  const starts = new Int32Array(groups.length + 1);
  for (let c = 0; c < groups.length; c++) starts[c + 1] = starts[c]! + groups[c]!.length;
  const sums = new ClassSums(groups.length);
  classSpans(stats, members, starts, binNs, sums);
  for (let c = 0; c < groups.length; c++) {
    let shift = 0;
    while (Math.ceil((sums.lastBin[c]! - sums.startBin[c]! + 1) / 2 ** shift) > maxBins) shift++;
    sums.shift[c] = shift;
    sums.dense.push(new Float64Array(Math.ceil((sums.lastBin[c]! - sums.startBin[c]! + 1) / 2 ** shift)));
  }
  classTotals(stats, members, starts, binNs, sums, gapMasks);
  const dirs = [mergeDirections(stats, members, starts, 0, merger), mergeDirections(stats, members, starts, 1, merger)];
  for (let c = 0; c < groups.length; c++) addClassRow(set, stats, groups[c]!, c, binNs, sums, dirs[0]![c]!, dirs[1]![c]!);
}

/** Per class sums of its members (indexed by class). */
class ClassSums {
  readonly startBin: Float64Array;
  readonly lastBin: Float64Array;
  readonly shift: Int32Array;
  readonly dense: Float64Array[] = [];
  readonly packets: Float64Array;
  readonly reverse: Float64Array;
  readonly activeNs: Float64Array;
  /** GAP_BUCKETS per class, COUNT_BUCKETS per class. */
  readonly gaps: Float64Array;
  readonly memberSizes: Float64Array;

  constructor(classes: number) {
    this.startBin = new Float64Array(classes).fill(Number.POSITIVE_INFINITY);
    this.lastBin = new Float64Array(classes);
    this.shift = new Int32Array(classes);
    this.packets = new Float64Array(classes);
    this.reverse = new Float64Array(classes);
    this.activeNs = new Float64Array(classes);
    this.gaps = new Float64Array(classes * GAP_BUCKETS);
    this.memberSizes = new Float64Array(classes * COUNT_BUCKETS);
  }
}

/** Bins each class spans (every member's anchor and last packet). */
function classSpans(stats: FlowStatsTable, members: readonly number[], starts: Int32Array, binNs: number, sums: ClassSums): void {
  const { histograms, flow } = stats;
  const { startBin, lastBin } = sums;
  for (let c = 0, m = 0; m < members.length; m++) {
    while (m >= starts[c + 1]!) c++;
    const id = members[m]!;
    const anchor = histograms[id]!.anchor;
    const last = Math.floor(flow[id * FLOW_STRIDE + LAST_NS]! / binNs);
    if (anchor < startBin[c]!) startBin[c] = anchor;
    if (anchor > lastBin[c]!) lastBin[c] = anchor;
    if (last > lastBin[c]!) lastBin[c] = last;
  }
}

/**
 * Histograms on each class's grid, totals, member sizes and gaps, members in order. One loop
 * with its arrays in locals: it runs once, over thousands of members, mostly before V8
 * optimises it.
 */
function classTotals(stats: FlowStatsTable, members: readonly number[], starts: Int32Array, binNs: number, sums: ClassSums, gapMasks: Int32Array): void {
  const { flow: f, dir, gaps, histograms } = stats;
  const { packets, reverse, activeNs, memberSizes, gaps: classGaps } = sums;
  for (let c = 0, m = 0; m < members.length; m++) {
    while (m >= starts[c + 1]!) c++;
    const id = members[m]!;
    const at = id * FLOW_STRIDE;
    const histogram = histograms[id]!;
    addMemberHistogram(sums.dense[c]!, sums.startBin[c]!, sums.shift[c]!, histogram, Math.max(histogram.anchor, Math.floor(f[at + LAST_NS]! / binNs)));
    packets[c]! += f[at + PACKETS]!;
    reverse[c]! += dir[(2 * id + 1) * DIR_STRIDE + DIR_PACKETS]!;
    activeNs[c]! += f[at + LAST_NS]! - f[at + FIRST_NS]! + binNs;
    memberSizes[c * COUNT_BUCKETS + countBucket(f[at + PACKETS]!)]! += 1;
    const g = id * GAP_BUCKETS;
    const into = c * GAP_BUCKETS;
    // Only the buckets that hold packets (adding a zero changes no sum).
    for (let mask = gapMasks[id]!; mask !== 0; mask &= mask - 1) {
      const i = 31 - Math.clz32(mask & -mask);
      classGaps[into + i]! += gaps[g + i]!;
    }
  }
}

/** Direction `dir` of each class: every member's counters merged in member order, packets, first and last flags. */
function mergeDirections(stats: FlowStatsTable, members: readonly number[], starts: Int32Array, dir: number, merger: CounterMerger): DirectionCounts[] {
  const out: DirectionCounts[] = [];
  for (let c = 0; c + 1 < starts.length; c++) {
    merger.start();
    let packets = 0;
    let firstFlags = -1;
    let lastFlags = 0;
    for (let m = starts[c]!; m < starts[c + 1]!; m++) {
      const slot = 2 * members[m]! + dir;
      const ds = slot * DIR_STRIDE;
      const memberPackets = stats.dir[ds + DIR_PACKETS]!;
      packets += memberPackets;
      merger.mergeSlot(stats, slot);
      if (memberPackets > 0 && firstFlags < 0) firstFlags = stats.dir[ds + FIRST_FLAGS]!;
      if (memberPackets > 0) lastFlags = stats.dir[ds + LAST_FLAGS]!;
    }
    out.push(merger.finish(packets, firstFlags, lastFlags));
  }
  return out;
}

/** The member that gives a class its template: the heaviest (the first of the heaviest), of those `withReverse` having a reverse template if asked. */
function heaviestMember(stats: FlowStatsTable, members: readonly number[], withReverse: boolean): number {
  const f = stats.flow;
  let best = -1;
  for (const m of members) {
    if (withReverse && !stats.templates[2 * m + 1]) continue;
    if (best < 0 || f[m * FLOW_STRIDE + PACKETS]! > f[best * FLOW_STRIDE + PACKETS]!) best = m;
  }
  return best;
}

function addClassRow(set: RowSet, stats: FlowStatsTable, members: readonly number[], c: number, binNs: number, sums: ClassSums, forward: DirectionCounts, backward: DirectionCounts): void {
  const row = set.count++;
  const heaviest = heaviestMember(stats, members, false);
  const startBin = sums.startBin[c]!;
  const lastBin = sums.lastBin[c]!;
  const spanNs = (lastBin - startBin + 1) * binNs;
  set.kind[row] = ROW_KIND.class;
  set.ipVersion[row] = stats.ipVersion[heaviest]!;
  set.proto[row] = stats.proto[heaviest]!;
  set.startBin[row] = startBin;
  set.lastBin[row] = lastBin;
  set.packets[row] = sums.packets[c]!;
  set.reverse[row] = sums.reverse[c]!;
  set.startNs[row] = Number.NaN;
  set.endNs[row] = Number.NaN;
  set.members[row] = members.length;
  set.concurrency[row] = Math.min(members.length, Math.max(1, sums.activeNs[c]! / spanNs));
  const reverseTemplate = stats.templates[2 * heaviest + 1];
  const withReverse = reverseTemplate ? heaviest : heaviestMember(stats, members, true);
  for (let d = 0; d < 2; d++) {
    const s = 2 * row + d;
    const hd = (2 * heaviest + d) * DIR_STRIDE;
    set.setTemplate(s, d === 0 ? stats.templates[2 * heaviest] : withReverse >= 0 ? stats.templates[2 * withReverse + 1] : undefined);
    set.firstFlags[s] = Math.max(0, stats.dir[hd + FIRST_FLAGS]!);
    set.lastFlags[s] = stats.dir[hd + LAST_FLAGS]!;
    const merged = d === 0 ? forward : backward;
    addSizeEntries(set, merged);
    addMidFlags(set, merged);
    set.endDirection(s);
  }
  set.setGaps(row, sums.gaps, c * GAP_BUCKETS, gapMaskOf(sums.gaps, c * GAP_BUCKETS));
  set.setMemberSizes(row, sums.memberSizes, c * COUNT_BUCKETS, COUNT_BUCKETS);
  set.setDenseHistogram(row, sums.shift[c]!, sums.dense[c]!);
}

/** Bit b set when values[at + b] > 0 (b < 32). */
function gapMaskOf(values: Float64Array, at: number): number {
  let mask = 0;
  for (let b = 0; b < GAP_BUCKETS; b++) if (values[at + b]! > 0) mask |= 1 << b;
  return mask;
}

/** Adds a member's counts at the centres of its histogram bins into the class's dense bins. */
function addMemberHistogram(dense: Float64Array, startBin: number, shift: number, h: TimeHistogram, memberLast: number): void {
  const { keys, values: counts, anchor, width } = h;
  const half = Math.floor(width / 2);
  const classWidth = 2 ** shift;
  for (let i = 0; i < keys.length; i++) {
    const centre = anchor + keys[i]! * width + half;
    const bin = centre < memberLast ? centre : memberLast;
    dense[Math.floor((bin - startBin) / classWidth)]! += counts[i]!;
  }
}
