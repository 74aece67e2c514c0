/**
 * Produces count chunks from ONNX inference (issue 4: "ONNX inference gives counts per flow
 * and bin"). For each chunk of bins it asks the count graph for the expected packets of
 * every row active there, then turns expectations into whole packets, all rows of a bin
 * together (coupled-rounding.ts: exact per-row totals, the aggregate following the
 * expectation bin by bin, first and last packets in the flow's own first and last bins).
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
import { CoupledRounder } from './coupled-rounding.ts';
import { InstanceStore } from './instance-store.ts';
import { cumulate, pickEntry } from './plan-templates.ts';
import { Xoshiro128ss, streamKey } from './prng.ts';
import type { CountChunk, RegenerationPlan } from './regeneration-plan.ts';

export const DEFAULT_CHUNK_BINS = 2048;
/** Key domain of class-member size draws: (seed, MEMBER_STREAM + row, member variant). */
export const MEMBER_STREAM = 0x80000000;

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

/** The chunks of a plan: bins [first, last), at most `chunkBins` long, never across a window cycle. */
export function* chunkSpans(plan: Pick<RegenerationPlan, 'windowBins' | 'totalBins'>, chunkBins: number): Generator<{ first: number; last: number }> {
  const { windowBins, totalBins } = plan;
  for (let first = 0; first < totalBins; ) {
    const cycleEnd = (Math.floor(first / windowBins) + 1) * windowBins;
    const last = Math.min(first + chunkBins, totalBins, cycleEnd);
    yield { first, last };
    first = last;
  }
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Writes non-negative integers below 2^53 into an int64 array without a BigInt each (the count graph's inputs). */
function setInt64(out: BigInt64Array, words: Uint32Array | undefined, at: number, value: number): void {
  if (words === undefined) {
    out[at] = BigInt(value);
    return;
  }
  words[2 * at] = value >>> 0;
  words[2 * at + 1] = Math.floor(value / 4294967296);
}

/**
 * The (row, bin) pairs whose expected packets chunk [first, last) needs, in the order the
 * rounding reads them (row ascending, then bin): rows that send (packets > 0) and are active
 * somewhere in the chunk's window bins. The count graph's `flow` and `bin` inputs.
 */
export function chunkPairs(model: FlowModel, first: number, last: number): { active: number[]; flow: BigInt64Array; bin: BigInt64Array } {
  const t = model.tables;
  const { windowBins } = model.info;
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
  const flowWords = LITTLE_ENDIAN ? new Uint32Array(flow.buffer) : undefined;
  const binWords = LITTLE_ENDIAN ? new Uint32Array(bin.buffer) : undefined;
  let at = 0;
  for (const r of active) {
    for (let b = Math.max(b0, t.startBin[r]!); b <= Math.min(b1 - 1, t.lastBin[r]!); b++, at++) {
      setInt64(flow, flowWords, at, r);
      setInt64(bin, binWords, at, cycleBase + b);
    }
  }
  return { active, flow, bin };
}

/** Running member-size weights of every class row (plan-templates.ts cumulate, list by list). */
export function memberSizeCum(model: FlowModel): Uint32Array {
  const t = model.tables;
  const out = new Uint32Array(t.memberSizeWeight.length);
  for (let r = 0; r < t.kind.length; r++) cumulate(t.memberSizeWeight, t.memberSizeOffset[r]!, t.memberSizeOffset[r + 1]!, out);
  return out;
}

/** Lanes of a class row: its members active at once, rounded, at least 1. */
export function classLanes(concurrency: number): number {
  return Math.max(1, Math.round(concurrency));
}

export class PlanBuilder {
  readonly store: InstanceStore;
  private readonly rounder: CoupledRounder;
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
    this.rounder = new CoupledRounder(Array.from({ length: rows }, (_, r) => ({ packets: t.packets[r]!, startBin: t.startBin[r]!, lastBin: t.lastBin[r]! })));
    this.memberCum = memberSizeCum(model);
    for (let r = 0; r < rows; r++) {
      if (t.kind[r] === ROW_KIND.class) this.lanes.set(r, new ClassLanes(classLanes(t.concurrency[r]!)));
    }
  }

  async *chunks(): AsyncGenerator<CountChunk> {
    for (const { first, last } of chunkSpans(this.plan, this.chunkBins)) {
      if (first % this.plan.windowBins === 0) this.startCycle();
      yield await this.chunk(first, last);
    }
  }

  private startCycle(): void {
    this.rounder.reset();
    for (const lanes of this.lanes.values()) lanes.reset();
  }

  private async chunk(first: number, last: number): Promise<CountChunk> {
    const t = this.model.tables;
    const { windowBins } = this.plan;
    const cycleBase = Math.floor(first / windowBins) * windowBins;
    const b0 = first - cycleBase;
    const b1 = last - cycleBase;
    const { active, flow, bin } = chunkPairs(this.model, first, last);
    const counts = await this.session.counts(flow, bin);
    const binRows: number[][] = Array.from({ length: b1 - b0 }, () => []);
    const binExpected: number[][] = Array.from({ length: b1 - b0 }, () => []);
    let at = 0;
    for (const r of active) {
      for (let b = Math.max(b0, t.startBin[r]!); b <= Math.min(b1 - 1, t.lastBin[r]!); b++, at++) {
        binRows[b - b0]!.push(r);
        binExpected[b - b0]!.push(counts[at]!);
      }
    }
    const perBin: number[][] = Array.from({ length: last - first }, () => []);
    const firstInstance = this.store.count;
    const emit: Emit = (absolute, instance, firstPacket, count) => perBin[absolute - first]!.push(instance, firstPacket, count);
    for (let b = b0; b < b1; b++) {
      this.rounder.placeBin(b, binRows[b - b0]!, binExpected[b - b0]!, (r, firstPacket, count) => {
        if (t.kind[r] === ROW_KIND.flow) emit(cycleBase + b, r, firstPacket, count);
        else this.dealToMembers(r, cycleBase + b, count, emit);
      });
    }
    return this.pack(first, last, perBin, firstInstance);
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
