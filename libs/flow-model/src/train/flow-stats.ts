/**
 * Everything the trainer keeps about one flow while the trace streams past (issue 4: counts
 * per time bin, packet-size distribution, direction mix, TCP flag mix, header template, start
 * and end). Its size is bounded whatever the flow's length: a histogram of at most
 * maxCoefsPerFlow bins, a few size atoms and buckets, up to 16 flag values, 32 gap buckets
 * and two templates.
 */
import { GAP_BUCKETS, gapBucket } from '../model/log2-buckets.ts';
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

/** Per-direction accumulators. */
export class DirectionStats {
  packets = 0;
  readonly atoms: SmallCounter;
  readonly buckets = new SmallCounter(SIZE_BUCKETS_KEPT);
  readonly flags = new SmallCounter(FLAG_VALUES);
  firstFlags = -1;
  lastFlags = 0;
  template: HeaderTemplate | undefined;
  /** The template came from a SYN (its TCP options differ); replaced by the first non-SYN packet. */
  templateFromSyn = false;

  constructor(sizeAtoms: number) {
    this.atoms = new SmallCounter(sizeAtoms);
  }

  /**
   * Exact sizes are kept as atoms; when the atoms are full, the rarest one (Space-Saving's
   * victim) moves its count into its 64-byte bucket and the new size takes its place, so the
   * frequent sizes end up exact and every packet stays counted somewhere.
   */
  addSize(size: number): void {
    const wire = Math.min(size, MAX_WIRE_SIZE);
    if (this.atoms.add(wire)) return;
    const victim = this.atoms.rarest();
    if (victim < 0) return this.addToBucket(wire, 1);
    this.addToBucket(this.atoms.keys[victim]!, this.atoms.counts[victim]!);
    this.atoms.keys[victim] = wire;
    this.atoms.counts[victim] = 1;
  }

  private addToBucket(size: number, count: number): void {
    // Buckets beyond the kept set go to the last kept one: the total stays exact.
    if (!this.buckets.add(Math.floor(size / SIZE_BUCKET_BYTES), count)) this.buckets.counts[this.buckets.counts.length - 1]! += count;
  }

  addFlags(flags: number): void {
    if (this.firstFlags < 0) this.firstFlags = flags;
    this.lastFlags = flags;
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

export class FlowStats {
  packets = 0;
  wireBytes = 0;
  /** First and last arrival, ns after the window start (min and max: captures can be slightly out of order). */
  firstNs = Number.POSITIVE_INFINITY;
  lastNs = Number.NEGATIVE_INFINITY;
  private previousNs = Number.NaN;
  readonly histogram: TimeHistogram;
  readonly dirs: [DirectionStats, DirectionStats];
  readonly gaps = new Float64Array(GAP_BUCKETS);

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

  /** Counts one packet at `timeNs` (relative to the window start) in time bin `bin`. */
  add(timeNs: number, bin: number, direction: number, wireSize: number, tcpFlags: number): void {
    this.packets++;
    this.wireBytes += wireSize;
    if (timeNs < this.firstNs) this.firstNs = timeNs;
    if (timeNs > this.lastNs) this.lastNs = timeNs;
    if (this.packets > 1) this.gaps[gapBucket(Math.max(0, timeNs - this.previousNs))]! += 1;
    this.previousNs = timeNs;
    this.histogram.add(bin);
    const dir = this.dirs[direction]!;
    dir.packets++;
    dir.addSize(wireSize);
    if (this.proto === 6) dir.addFlags(tcpFlags);
  }

  get reverse(): number {
    return this.dirs[1].packets;
  }
}
