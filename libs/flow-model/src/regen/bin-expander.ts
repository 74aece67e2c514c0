/**
 * Expands one count-chunk entry (instance i, absolute bin B, k packets from index j0) into
 * timed packets with direction, wire size and TCP flags. This is the function the native
 * synthesis engine mirrors; docs/flow-models.md "Expansion" states it step by step. All
 * randomness comes from one xoshiro128** stream keyed (seed, i, B), drawn in this order:
 *   1. times of the k' interior packets (gaps then offset, or k' uniform offsets);
 *   2. for each packet in time order: size entry, offset inside the entry, then (TCP, mid
 *      packets with a non-empty flag table only) one flag draw.
 */
import { directionBefore, directionOf } from './direction-sequence.ts';
import { pickEntry } from './plan-templates.ts';
import { Xoshiro128ss, streamKey } from './prng.ts';
import type { PlanInstances, RegenerationPlan } from './regeneration-plan.ts';

/** Packets of one bin, parallel arrays grown on demand. */
export class ExpandedPackets {
  length = 0;
  time = new Float64Array(256);
  instance = new Uint32Array(256);
  index = new Uint32Array(256);
  direction = new Uint8Array(256);
  size = new Uint32Array(256);
  flags = new Uint8Array(256);

  reserve(extra: number): void {
    const need = this.length + extra;
    if (need <= this.time.length) return;
    const capacity = Math.max(need, this.time.length * 2);
    const grow = <T extends Float64Array | Uint32Array | Uint8Array>(a: T): T => {
      const next = new (a.constructor as new (n: number) => T)(capacity);
      next.set(a);
      return next;
    };
    this.time = grow(this.time);
    this.instance = grow(this.instance);
    this.index = grow(this.index);
    this.direction = grow(this.direction);
    this.size = grow(this.size);
    this.flags = grow(this.flags);
  }
}

const scratchGaps: number[] = [];

/** Interior times: gaps from the row's gap table packed into [lo, hi), or uniform offsets when it has none. */
function interiorTimes(plan: RegenerationPlan, rng: Xoshiro128ss, row: number, m: number, lo: number, hi: number, out: number[]): void {
  const t = plan.templates;
  const width = hi - lo;
  const g0 = t.gapOffset[row]!;
  const g1 = t.gapOffset[row + 1]!;
  if (m >= 2 && g1 > g0 && width >= 1) {
    const total = t.gapCum[g1 - 1]!;
    let sum = 0;
    scratchGaps.length = 0;
    for (let i = 0; i < m - 1; i++) {
      const e = pickEntry(t.gapCum, g0, g1, rng.below(total));
      const gap = t.gapLo[e]! + rng.below(t.gapSpan[e]!);
      scratchGaps.push(gap);
      sum += gap;
    }
    if (sum > width - 1) {
      const scale = (width - 1) / sum;
      sum = 0;
      for (let i = 0; i < scratchGaps.length; i++) {
        scratchGaps[i] = Math.floor(scratchGaps[i]! * scale);
        sum += scratchGaps[i]!;
      }
    }
    let time = lo + rng.below(width - sum);
    out.push(time);
    for (const gap of scratchGaps) out.push((time += gap));
    return;
  }
  const first = out.length;
  for (let i = 0; i < m; i++) out.push(lo + rng.below(width));
  if (m > 1) {
    const sorted = out.slice(first).sort((a, b) => a - b);
    for (let i = 0; i < m; i++) out[first + i] = sorted[i]!;
  }
}

const scratchTimes: number[] = [];

export function expandEntry(plan: RegenerationPlan, instances: PlanInstances, rng: Xoshiro128ss, bin: number, instance: number, j0: number, k: number, out: ExpandedPackets): void {
  rng.reseed(streamKey(plan.seed, instance, bin));
  const row = instances.template[instance]!;
  const n = instances.packets[instance]!;
  const n1 = instances.reverse[instance]!;
  const windowNs = plan.windowBins * plan.binNs;
  const cycleNs = Math.floor(bin / plan.windowBins) * windowNs;
  const endpoints = Number.isFinite(instances.startNs[instance]!);
  const fixedFirst = endpoints && j0 === 0;
  const fixedLast = endpoints && n >= 2 && j0 + k === n;
  const binStart = bin * plan.binNs;
  const lo = fixedFirst ? cycleNs + instances.startNs[instance]! : binStart;
  const hi = Math.max(lo, fixedLast ? cycleNs + instances.endNs[instance]! : binStart + plan.binNs);
  const times = scratchTimes;
  times.length = 0;
  if (fixedFirst) times.push(lo);
  interiorTimes(plan, rng, row, k - (fixedFirst ? 1 : 0) - (fixedLast ? 1 : 0), lo, hi, times);
  if (fixedLast) times.push(hi);
  out.reserve(k);
  for (let idx = 0; idx < k; idx++) {
    const j = j0 + idx;
    const d = directionOf(j, n, n1);
    const at = out.length++;
    out.time[at] = times[idx]!;
    out.instance[at] = instance;
    out.index[at] = j;
    out.direction[at] = d;
    out.size[at] = drawSize(plan, rng, row, d);
    out.flags[at] = plan.templates.proto[row] === 6 ? drawFlags(plan, rng, row, d, j, n, n1) : 0;
  }
}

/** 0 when the direction has no size table (the synthesiser then sends the bare headers). */
function drawSize(plan: RegenerationPlan, rng: Xoshiro128ss, row: number, d: number): number {
  const t = plan.templates;
  const s0 = t.sizeOffset[2 * row + d]!;
  const s1 = t.sizeOffset[2 * row + d + 1]!;
  if (s1 <= s0) return 0;
  const e = pickEntry(t.sizeCum, s0, s1, rng.below(t.sizeCum[s1 - 1]!));
  return t.sizeLo[e]! + rng.below(t.sizeSpan[e]!);
}

function drawFlags(plan: RegenerationPlan, rng: Xoshiro128ss, row: number, d: number, j: number, n: number, n1: number): number {
  const t = plan.templates;
  const slot = 2 * row + d;
  const total = d === 1 ? n1 : n - n1;
  if (directionBefore(d, j, n, n1) === 0) return t.firstFlags[slot]!;
  if (directionBefore(d, j + 1, n, n1) >= total) return t.lastFlags[slot]!;
  const f0 = t.flagOffset[slot]!;
  const f1 = t.flagOffset[slot + 1]!;
  if (f1 <= f0) return t.lastFlags[slot]!;
  return t.flagValue[pickEntry(t.flagCum, f0, f1, rng.below(t.flagCum[f1 - 1]!))]!;
}
