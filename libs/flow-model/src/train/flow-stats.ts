/**
 * Everything the trainer keeps about one flow while the trace streams past (issue 4: counts
 * per time bin, packet-size distribution, direction mix, TCP flag mix, header template, start
 * and end). Its size is bounded whatever the flow's length: a histogram of at most
 * maxCoefsPerFlow bins, a few size atoms and buckets, up to 16 flag values, 32 gap buckets
 * and two templates.
 */
import { GAP_BUCKETS } from '../model/log2-buckets.ts';
import { type HeaderTemplate } from './header-template.ts';
import { SmallCounter } from './small-counter.ts';
import { TimeHistogram } from './time-histogram.ts';

/** Sizes that are not atoms are counted in buckets of this many bytes (fixed buckets, issue 4). */
export const SIZE_BUCKET_BYTES = 64;
/** Largest size a template can be sent at (IPv4 total length is 16 bits). */
export const MAX_WIRE_SIZE = 65535;
const TCP_SYN = 0x02;
const FLAG_VALUES = 16;
const SIZE_BUCKETS_KEPT = 24;
/** Misses between two atom evictions: bounds the per-packet cost on flows of ever-changing sizes. */
const EVICT_EVERY = 8;
/** Stands for a counter not needed yet (most flows never fill their atoms; UDP has no flags). */
const NONE = new SmallCounter(0);

const NO_GAPS = new Float64Array(GAP_BUCKETS);

/** Per-direction accumulators. */
export class DirectionStats {
  packets = 0;
  readonly atoms: SmallCounter;
  buckets = NONE;
  flags = NONE;
  private misses = 0;
  firstFlags = -1;
  lastFlags = 0;
  template: HeaderTemplate | undefined;
  /** The template came from a SYN (its TCP options differ); replaced by the first non-SYN packet. */
  templateFromSyn = false;

  constructor(sizeAtoms: number) {
    this.atoms = new SmallCounter(sizeAtoms);
  }

  /**
   * Exact sizes are kept as atoms; a size that finds them full counts in its 64-byte bucket,
   * and every EVICT_EVERY such misses the rarest atom (Space-Saving's victim) moves its count
   * to its bucket and the missing size takes its place. Frequent sizes end up exact, even
   * when they show up late, and every packet stays counted exactly once.
   */
  addSize(size: number): void {
    const wire = Math.min(size, MAX_WIRE_SIZE);
    if (this.atoms.add(wire)) return;
    this.addToBucket(wire, 1);
    if (++this.misses < EVICT_EVERY) return;
    this.misses = 0;
    const victim = this.atoms.rarest();
    if (victim < 0) return;
    this.addToBucket(this.atoms.keys[victim]!, this.atoms.counts[victim]!);
    this.buckets.remove(Math.floor(wire / SIZE_BUCKET_BYTES), 1);
    this.atoms.keys[victim] = wire;
    this.atoms.counts[victim] = 1;
  }

  /** Counts `count` packets of `size` in its bucket (merging classes). */
  addBucketed(size: number, count: number): void {
    this.addToBucket(size, count);
  }

  /** Counts `count` packets with TCP flags `flags` (merging classes). */
  addFlagCount(flags: number, count: number): void {
    if (this.flags === NONE) this.flags = new SmallCounter(FLAG_VALUES);
    this.flags.add(flags, count);
  }

  private addToBucket(size: number, count: number): void {
    if (this.buckets === NONE) this.buckets = new SmallCounter(SIZE_BUCKETS_KEPT);
    // Buckets beyond the kept set go to the last kept one: the total stays exact.
    if (!this.buckets.add(Math.floor(size / SIZE_BUCKET_BYTES), count)) this.buckets.counts[this.buckets.counts.length - 1]! += count;
  }

  addFlags(flags: number): void {
    if (this.firstFlags < 0) this.firstFlags = flags;
    this.lastFlags = flags;
    if (this.flags === NONE) this.flags = new SmallCounter(FLAG_VALUES);
    this.flags.add(flags);
  }

  wantsTemplate(proto: number, flags: number): boolean {
    if (!this.template) return true;
    return this.templateFromSyn && proto === 6 && (flags & TCP_SYN) === 0;
  }

  setTemplate(template: HeaderTemplate, proto: number, flags: number): void {
    this.template = template;
    this.templateFromSyn = proto === 6 && (flags & TCP_SYN) !== 0;
  }
}

/**
 * A flow's statistics. The per-packet numbers that are doubles (times, byte sums, gap
 * buckets) live in the trainer's FlowNumbers arrays while the trace streams (no double ever
 * crosses a call, so nothing is boxed per packet) and are copied here by `settle`.
 */
export class FlowStats {
  packets = 0;
  wireBytes = 0;
  /** First and last arrival, ns after the window start (min and max: captures can be slightly out of order). */
  firstNs = Number.POSITIVE_INFINITY;
  lastNs = Number.NEGATIVE_INFINITY;
  readonly histogram: TimeHistogram;
  readonly dirs: [DirectionStats, DirectionStats];
  /** Filled by `settle`. */
  gaps = NO_GAPS;

  constructor(
    readonly ipVersion: number,
    readonly proto: number,
    firstBin: number,
    maxBins: number,
    sizeAtoms: number,
  ) {
    this.histogram = new TimeHistogram(firstBin, maxBins);
    this.dirs = [new DirectionStats(sizeAtoms), new DirectionStats(sizeAtoms)];
  }

  /** Copies flow `id`'s numbers out of the trainer's arrays. */
  settle(numbers: FlowNumbers, id: number): void {
    const at = id * FLOW_NUMBERS;
    this.packets = numbers.values[at + PACKETS]!;
    this.wireBytes = numbers.values[at + WIRE_BYTES]!;
    this.firstNs = numbers.values[at + FIRST_NS]!;
    this.lastNs = numbers.values[at + LAST_NS]!;
    this.gaps = numbers.gaps.slice(id * GAP_BUCKETS, (id + 1) * GAP_BUCKETS);
  }

  get reverse(): number {
    return this.dirs[1].packets;
  }
}

/** Layout of a flow's numbers in FlowNumbers.values: one 64-byte cache line per flow. */
export const FLOW_NUMBERS = 8;
export const PACKETS = 0;
export const WIRE_BYTES = 1;
export const FIRST_NS = 2;
export const LAST_NS = 3;
export const PREVIOUS_NS = 4;

/**
 * Per-flow numbers indexed by flow id, grown by doubling: the five a packet updates side by
 * side (one cache line, not five arrays), the gap buckets apart.
 */
export class FlowNumbers {
  capacity = 1024;
  values = new Float64Array(1024 * FLOW_NUMBERS);
  gaps = new Float64Array(1024 * GAP_BUCKETS);

  ensure(id: number): void {
    if (id < this.capacity) return;
    while (this.capacity <= id) this.capacity *= 2;
    const values = new Float64Array(this.capacity * FLOW_NUMBERS);
    values.set(this.values);
    this.values = values;
    const gaps = new Float64Array(this.capacity * GAP_BUCKETS);
    gaps.set(this.gaps);
    this.gaps = gaps;
  }
}
