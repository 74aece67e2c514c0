/**
 * Produces count chunks from ONNX inference (issue 4: "ONNX inference gives counts per flow
 * and bin"). For each chunk of bins it asks the count graph for the expected packets of
 * every row active there, then turns expectations into whole packets per row:
 *
 *   packet 0 goes to the row's first bin, packet n-1 (and any left) to its last bin, and
 *   packet j in between to the bin where the row's running expected count first exceeds
 *   j * E / (n-1)   (E = the row's expected total per window, n its packet count)
 *
 * i.e. packets are placed at evenly spaced quantiles of the fitted intensity: no sampling
 * noise, exact per-row totals, first and last packets at the flow's own start and end.
 * Class rows hand their packets to `concurrency` lanes round-robin; each lane cuts them into
 * member flows whose sizes are drawn from the class's member-size distribution.
 *
 * Continuation (docs/flow-models.md): bin B is bin B mod windowBins of cycle
 * floor(B / windowBins); each cycle restarts every row (modelled flows repeat with the same
 * 5-tuple, classes start new members).
 */
import type { FlowModel } from '../model/flow-model.ts';
import { ROW_KIND } from '../model/flow-model.ts';
import { countBucketRange } from '../model/log2-buckets.ts';
import type { CountSession } from '../onnx/count-session.ts';
import { ProfilePrefix } from '../train/profile-fit.ts';
import { InstanceStore } from './instance-store.ts';
import { cumulate, pickEntry } from './plan-templates.ts';
import { Xoshiro128ss, streamKey } from './prng.ts';
import type { CountChunk, RegenerationPlan } from './regeneration-plan.ts';

export const DEFAULT_CHUNK_BINS = 2048;
/** Key domain of class-member size draws: (seed, MEMBER_STREAM + row, member variant). */
export const MEMBER_STREAM = 0x80000000;

/** A row's expected packets per window, summed from its coefficients and the profile like the graph does. */
export function rowExpectedTotal(model: FlowModel, row: number, prefix: ProfilePrefix): number {
  const t = model.tables;
  const end = t.lastBin[row]! + 1;
  let total = 0;
  for (let k = 0; k < t.coefCount[row]!; k++) {
    const b0 = t.startBin[row]! + k * t.binsPerCoef[row]!;
    const b1 = k === t.coefCount[row]! - 1 ? end : Math.min(end, b0 + t.binsPerCoef[row]!);
    if (b1 > b0) total += t.coef[t.coefBase[row]! + k]! * (prefix.upTo(b1) - prefix.upTo(b0));
  }
  return total;
}

class ClassLanes {
  readonly member: Int32Array;
  readonly remaining: Float64Array;
  readonly next: Float64Array;
  cursor = 0;
  variants = 0;

  constructor(lanes: number) {
    this.member = new Int32Array(lanes).fill(-1);
    this.remaining = new Float64Array(lanes);
    this.next = new Float64Array(lanes);
  }

  reset(): void {
    this.member.fill(-1);
    this.cursor = 0;
  }
}

type Emit = (bin: number, instance: number, firstPacket: number, count: number) => void;

export class PlanBuilder {
  readonly store: InstanceStore;
  private readonly expected: Float64Array;
  private readonly cum: Float64Array;
  private readonly nextPacket: Float64Array;
  private readonly lanes = new Map<number, ClassLanes>();
  private readonly memberCum: Uint32Array;
  private readonly rng = new Xoshiro128ss();

  constructor(
    private readonly model: FlowModel,
    private readonly session: CountSession,
    private readonly plan: RegenerationPlan,
    private readonly chunkBins = DEFAULT_CHUNK_BINS,
  ) {
    const t = model.tables;
    const rows = t.kind.length;
    this.store = new InstanceStore(plan.instances);
    const prefix = new ProfilePrefix(Float64Array.from(t.profile), model.info.profileShift);
    this.expected = new Float64Array(rows).map((_, r) => rowExpectedTotal(model, r, prefix));
    this.cum = new Float64Array(rows);
    this.nextPacket = new Float64Array(rows);
    this.memberCum = new Uint32Array(t.memberSizeWeight.length);
    for (let r = 0; r < rows; r++) {
      cumulate(t.memberSizeWeight, t.memberSizeOffset[r]!, t.memberSizeOffset[r + 1]!, this.memberCum);
      if (t.kind[r] === ROW_KIND.class) this.lanes.set(r, new ClassLanes(Math.max(1, Math.round(t.concurrency[r]!))));
    }
  }

  async *chunks(): AsyncGenerator<CountChunk> {
    const { windowBins, totalBins } = this.plan;
    for (let first = 0; first < totalBins; ) {
      const cycleEnd = (Math.floor(first / windowBins) + 1) * windowBins;
      const last = Math.min(first + this.chunkBins, totalBins, cycleEnd);
      if (first % windowBins === 0) this.startCycle();
      yield await this.chunk(first, last);
      first = last;
    }
  }

  private startCycle(): void {
    this.cum.fill(0);
    this.nextPacket.fill(0);
    for (const lanes of this.lanes.values()) lanes.reset();
  }

  private async chunk(first: number, last: number): Promise<CountChunk> {
    const t = this.model.tables;
    const { windowBins } = this.plan;
    const cycleBase = Math.floor(first / windowBins) * windowBins;
    const b0 = first - cycleBase;
    const b1 = last - cycleBase;
    const active: number[] = [];
    let rows = 0;
    for (let r = 0; r < t.kind.length; r++) {
      if (t.startBin[r]! < b1 && t.lastBin[r]! >= b0 && t.packets[r]! > 0) {
        active.push(r);
        rows += Math.min(b1 - 1, t.lastBin[r]!) - Math.max(b0, t.startBin[r]!) + 1;
      }
    }
    const flow = new BigInt64Array(rows);
    const bin = new BigInt64Array(rows);
    let at = 0;
    for (const r of active) {
      for (let b = Math.max(b0, t.startBin[r]!); b <= Math.min(b1 - 1, t.lastBin[r]!); b++, at++) {
        flow[at] = BigInt(r);
        bin[at] = BigInt(cycleBase + b);
      }
    }
    const counts = await this.session.counts(flow, bin);
    const perBin: number[][] = Array.from({ length: last - first }, () => []);
    const firstInstance = this.store.count;
    const emit: Emit = (absolute, instance, firstPacket, count) => perBin[absolute - first]!.push(instance, firstPacket, count);
    at = 0;
    for (const r of active) {
      const from = Math.max(b0, t.startBin[r]!);
      const to = Math.min(b1 - 1, t.lastBin[r]!);
      for (let b = from; b <= to; b++, at++) this.placeRowPackets(r, b, cycleBase, counts[at]!, emit);
    }
    return this.pack(first, last, perBin, firstInstance);
  }

  /** Whole packets of row r in window bin b (see the file comment), handed to `emit`. */
  private placeRowPackets(r: number, b: number, cycleBase: number, expected: number, emit: Emit): void {
    const t = this.model.tables;
    const n = t.packets[r]!;
    const before = this.nextPacket[r]!;
    let j = before;
    if (j === 0 && b === t.startBin[r]) j = 1;
    const after = this.cum[r]! + expected;
    const step = n >= 2 ? this.expected[r]! / (n - 1) : 0;
    while (j <= n - 2 && j * step < after) j++;
    if (b === t.lastBin[r]) j = n;
    this.cum[r] = after;
    this.nextPacket[r] = j;
    if (j === before) return;
    if (t.kind[r] === ROW_KIND.flow) emit(cycleBase + b, r, before, j - before);
    else this.dealToMembers(r, cycleBase + b, j - before, emit);
  }

  private dealToMembers(r: number, absolute: number, packets: number, emit: Emit): void {
    const lanes = this.lanes.get(r)!;
    const size = lanes.member.length;
    const pending = new Map<number, { first: number; count: number }>();
    for (let p = 0; p < packets; p++) {
      const lane = lanes.cursor;
      lanes.cursor = (lanes.cursor + 1) % size;
      if (lanes.member[lane]! < 0 || lanes.remaining[lane] === 0) this.startMember(r, lanes, lane);
      const member = lanes.member[lane]!;
      const entry = pending.get(member);
      if (entry) entry.count++;
      else pending.set(member, { first: lanes.next[lane]!, count: 1 });
      lanes.next[lane]! += 1;
      lanes.remaining[lane]! -= 1;
    }
    for (const [member, { first, count }] of pending) emit(absolute, member, first, count);
  }

  private startMember(r: number, lanes: ClassLanes, lane: number): void {
    const t = this.model.tables;
    const variant = ++lanes.variants;
    this.rng.reseed(streamKey(this.plan.seed, (MEMBER_STREAM + r) >>> 0, variant));
    const m0 = t.memberSizeOffset[r]!;
    const m1 = t.memberSizeOffset[r + 1]!;
    let size = 1;
    if (m1 > m0) {
      const e = pickEntry(this.memberCum, m0, m1, this.rng.below(this.memberCum[m1 - 1]!));
      const { lo, span } = countBucketRange(t.memberSizeBucket[e]!);
      size = lo + this.rng.below(Math.min(span, 0xffffffff));
    }
    const hasReverse = t.headerOffset[2 * r + 2]! > t.headerOffset[2 * r + 1]!;
    const reverse = hasReverse && t.packets[r]! > 0 ? Math.min(size - 1, Math.round((size * t.reverse[r]!) / t.packets[r]!)) : 0;
    lanes.member[lane] = this.store.append(r, variant, size, reverse);
    lanes.remaining[lane] = size;
    lanes.next[lane] = 0;
  }

  private pack(first: number, last: number, perBin: number[][], firstInstance: number): CountChunk {
    const entries = perBin.reduce((s, list) => s + list.length / 3, 0);
    const chunk: CountChunk = {
      firstBin: first,
      binCount: last - first,
      entryOffset: new Uint32Array(last - first + 1),
      instance: new Uint32Array(entries),
      firstPacket: new Uint32Array(entries),
      count: new Uint32Array(entries),
      newInstances: this.store.slice(firstInstance),
    };
    let e = 0;
    perBin.forEach((list, i) => {
      for (let k = 0; k < list.length; k += 3, e++) {
        chunk.instance[e] = list[k]!;
        chunk.firstPacket[e] = list[k + 1]!;
        chunk.count[e] = list[k + 2]!;
      }
      chunk.entryOffset[i + 1] = e;
    });
    return chunk;
  }
}
