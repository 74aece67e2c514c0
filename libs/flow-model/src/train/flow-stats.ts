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
const FLAG_VALUES = 16;
const SIZE_BUCKETS_KEPT = 24;
/** Stands for a counter not needed yet (most flows never fill their atoms; UDP has no flags). */
const NONE = new SmallCounter(0);

const NO_GAPS = new Float64Array(GAP_BUCKETS);

/** Per-direction accumulators. */
export class DirectionStats {
  packets = 0;
  readonly atoms: SmallCounter;
  buckets = NONE;
  flags = NONE;
  firstFlags = -1;
  lastFlags = 0;
  /** A packet's headers (the first of the direction, or the first non-SYN one: a SYN's TCP options differ). */
  template: HeaderTemplate | undefined;

  constructor(sizeAtoms: number) {
    this.atoms = new SmallCounter(sizeAtoms);
  }

  /**
   * Exact sizes are kept as atoms; a size that finds them full takes the place of the rarest
   * atom (Space-Saving's victim), whose count moves to its 64-byte bucket. Frequent sizes end
   * up exact even when they show up late, and every packet stays counted exactly once.
   * (Evicting only every 8th miss costs less on flows of ever-changing sizes but let
   * late frequent sizes slip into buckets: pktSizeJsd 0.007 -> 0.03 on the stratosphere
   * capture.)
   */
  addSize(size: number, count = 1): void {
    const wire = Math.min(size, MAX_WIRE_SIZE);
    if (this.atoms.add(wire, count)) return;
    const victim = this.atoms.rarest();
    if (victim < 0) return this.addToBucket(wire, count);
    this.addToBucket(this.atoms.keys[victim]!, this.atoms.counts[victim]!);
    this.atoms.keys[victim] = wire;
    this.atoms.counts[victim] = count;
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
    if (!this.buckets.add(Math.floor(size / SIZE_BUCKET_BYTES), count)) this.buckets.counts[this.buckets.size - 1]! += count;
  }

  /** `count` packets in a row with TCP flags `flags` (the first and last flags are remembered apart). */
  addFlags(flags: number, count = 1): void {
    if (this.firstFlags < 0) this.firstFlags = flags;
    this.lastFlags = flags;
    if (this.flags === NONE) this.flags = new SmallCounter(FLAG_VALUES);
    this.flags.add(flags, count);
  }
}

/**
 * A flow's statistics. While the trace streams, its per-packet numbers (counts, times, byte
 * sums, gaps) live in FlowAccumulator's typed arrays and its objects get whole runs of
 * packets; FlowAccumulator.settle fills the numbers in at the end.
 */
export class FlowStats {
  packets = 0;
  wireBytes = 0;
  /** First and last arrival, ns after the window start (min and max: captures can be slightly out of order). */
  firstNs = Number.POSITIVE_INFINITY;
  lastNs = Number.NEGATIVE_INFINITY;
  readonly histogram: TimeHistogram;
  readonly dirs: [DirectionStats, DirectionStats];
  /** Filled by FlowAccumulator.settle. */
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

  get reverse(): number {
    return this.dirs[1].packets;
  }
}
