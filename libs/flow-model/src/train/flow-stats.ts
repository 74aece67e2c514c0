/**
 * Everything the trainer keeps about the flows while the trace streams past (issue 4: counts
 * per time bin, packet-size distribution, direction mix, TCP flag mix, header template, start
 * and end), for all flows at once: typed arrays indexed by flow id, or by slot = 2*id + dir
 * for a flow direction (dir 0 = the flow's first-seen direction). One flow costs no object
 * but its time histogram (and a template per direction): thousands of small objects cost
 * garbage collection while training and interpreted code in finish() (issue 4, train speed).
 *
 * Per flow, bounded whatever its length: a histogram of at most maxCoefsPerFlow bins, a few
 * size atoms and buckets per direction, up to 16 flag values, 32 gap buckets, two templates.
 */
import { GAP_BUCKETS } from '../model/log2-buckets.ts';
import type { HeaderTemplate } from './header-template.ts';
import { SmallCounters } from './small-counter.ts';
import { TimeHistogram } from './time-histogram.ts';

/** Sizes that are not atoms are counted in buckets of this many bytes (fixed buckets, issue 4). */
export const SIZE_BUCKET_BYTES = 64;
/** Largest size a template can be sent at (IPv4 total length is 16 bits). */
export const MAX_WIRE_SIZE = 65535;
export const FLAG_VALUES = 16;
export const SIZE_BUCKETS_KEPT = 24;
/** No counter (most flows never fill their atoms; UDP has no flags). */
export const NO_COUNTER = -1;

// Per-flow record: FLOW_STRIDE doubles of `flow` (one cache line).
export const FLOW_STRIDE = 8;
export const PACKETS = 0;
export const WIRE_BYTES = 1;
export const FIRST_NS = 2;
export const LAST_NS = 3;
export const PREVIOUS_NS = 4;
/** The run of packets in one time bin not yet in the histogram: its bin (-1: none) and length. */
export const RUN_BIN = 5;
export const RUN_PACKETS = 6;

// Per-direction record: DIR_STRIDE doubles of `dir`.
export const DIR_STRIDE = 8;
export const DIR_PACKETS = 0;
/** Runs of packets of one size / one TCP flags value not yet counted (-1: none). */
export const SIZE_RUN = 1;
export const SIZE_RUN_PACKETS = 2;
export const FLAGS_RUN = 3;
export const FLAGS_RUN_PACKETS = 4;
/** 1: no template yet; 2: a SYN's template, to be replaced by the first non-SYN packet's; 0: done. */
export const WANTS_TEMPLATE = 5;
/** TCP flags of the direction's first packet (-1: none counted) and last packet. */
export const FIRST_FLAGS = 6;
export const LAST_FLAGS = 7;

export class FlowStatsTable {
  /** Flow ids below `capacity` have records; `seen[id]` is 1 once the flow has a packet. */
  capacity = 0;
  flow = new Float64Array(0);
  dir = new Float64Array(0);
  /** Intra-flow gaps, GAP_BUCKETS per flow (log2-buckets.ts). */
  gaps = new Float64Array(0);
  seen = new Uint8Array(0);
  ipVersion = new Uint8Array(0);
  proto = new Uint8Array(0);
  histograms: TimeHistogram[] = [];
  /** Per slot: a packet's headers (the first of the direction, or the first non-SYN one: a SYN's TCP options differ). */
  templates: (HeaderTemplate | undefined)[] = [];
  /** Per slot: exact sizes; counter index = slot. */
  readonly atoms: SmallCounters;
  /** Per slot: the 64-byte size buckets' counter, or NO_COUNTER. */
  bucketsOf = new Int32Array(0);
  readonly buckets = new SmallCounters(SIZE_BUCKETS_KEPT);
  /**
   * Per slot: the smallest and largest wire size seen (updated once per size run, not per
   * packet). Bucketed sizes are regenerated inside these bounds: a 64-byte bucket must not
   * make frames larger than any the direction sent (1535 B frames from a 1514 B trace were
   * dropped by 1500-MTU links).
   */
  sizeMin = new Uint32Array(0);
  sizeMax = new Uint32Array(0);
  /** Per slot: the TCP flag values' counter, or NO_COUNTER. */
  flagsOf = new Int32Array(0);
  readonly flags = new SmallCounters(FLAG_VALUES);

  constructor(
    readonly maxBins: number,
    sizeAtoms: number,
  ) {
    this.atoms = new SmallCounters(sizeAtoms, 0);
  }

  /** Starts flow `id`, whose first packet is in `bin` at `timeNs`. */
  addFlow(id: number, ipVersion: number, proto: number, bin: number, timeNs: number): void {
    if (id >= this.capacity) this.grow(id);
    this.seen[id] = 1;
    this.ipVersion[id] = ipVersion;
    this.proto[id] = proto;
    this.histograms[id] = new TimeHistogram(bin, this.maxBins);
    const at = id * FLOW_STRIDE;
    this.flow[at + FIRST_NS] = timeNs;
    this.flow[at + LAST_NS] = timeNs;
    this.flow[at + RUN_BIN] = -1;
    for (let slot = 2 * id; slot < 2 * id + 2; slot++) {
      const d = slot * DIR_STRIDE;
      this.dir[d + SIZE_RUN] = -1;
      this.dir[d + FLAGS_RUN] = -1;
      this.dir[d + WANTS_TEMPLATE] = 1;
      this.dir[d + FIRST_FLAGS] = -1;
    }
  }

  /**
   * Counts `count` packets of `size` in the direction's atoms. A size that finds them full
   * takes the place of the rarest atom (Space-Saving's victim), whose count moves to its
   * 64-byte bucket. Frequent sizes end up exact even when they show up late, and every
   * packet stays counted exactly once. (Evicting only every 8th miss costs less on flows of
   * ever-changing sizes but let late frequent sizes slip into buckets: pktSizeJsd 0.007 ->
   * 0.03 on the stratosphere capture.)
   */
  addSize(slot: number, size: number, count: number): void {
    const wire = Math.min(size, MAX_WIRE_SIZE);
    if (wire < this.sizeMin[slot]!) this.sizeMin[slot] = wire;
    if (wire > this.sizeMax[slot]!) this.sizeMax[slot] = wire;
    const atoms = this.atoms;
    const { keys, counts } = atoms;
    const base = slot * atoms.stride;
    const end = base + atoms.sizes[slot]!;
    // One scan finds the size or, failing that, the rarest atom (the earliest among ties).
    let victim = -1;
    for (let at = base; at < end; at++) {
      if (keys[at] === wire) {
        counts[at]! += count;
        return;
      }
      if (victim < 0 || counts[at]! < counts[victim]!) victim = at;
    }
    if (end < base + atoms.stride) {
      keys[end] = wire;
      counts[end] = count;
      atoms.sizes[slot]!++;
      return;
    }
    if (victim < 0) return this.addToBucket(slot, wire, count);
    this.addToBucket(slot, keys[victim]!, counts[victim]!);
    keys[victim] = wire;
    counts[victim] = count;
  }

  private addToBucket(slot: number, size: number, count: number): void {
    let c = this.bucketsOf[slot]!;
    if (c === NO_COUNTER) this.bucketsOf[slot] = c = this.buckets.allocate();
    addBucketed(this.buckets, c, size, count);
  }

  /** `count` packets in a row with TCP flags `flags` (the first and last flags are remembered apart). */
  addFlags(slot: number, flags: number, count: number): void {
    const d = slot * DIR_STRIDE;
    if (this.dir[d + FIRST_FLAGS]! < 0) this.dir[d + FIRST_FLAGS] = flags;
    this.dir[d + LAST_FLAGS] = flags;
    let c = this.flagsOf[slot]!;
    if (c === NO_COUNTER) this.flagsOf[slot] = c = this.flags.allocate();
    this.flags.add(c, flags, count);
  }

  private grow(id: number): void {
    // From a handful: the growing code then first runs with the first flows, before V8
    // optimises the per-packet code (a first run inside optimised code deoptimises it).
    let capacity = Math.max(4, this.capacity);
    while (capacity <= id) capacity *= 2;
    this.flow = grown(this.flow, capacity * FLOW_STRIDE);
    this.dir = grown(this.dir, capacity * 2 * DIR_STRIDE);
    this.gaps = grown(this.gaps, capacity * GAP_BUCKETS);
    this.seen = grown(this.seen, capacity);
    this.ipVersion = grown(this.ipVersion, capacity);
    this.proto = grown(this.proto, capacity);
    this.bucketsOf = grown(this.bucketsOf, capacity * 2).fill(NO_COUNTER, this.capacity * 2);
    this.flagsOf = grown(this.flagsOf, capacity * 2).fill(NO_COUNTER, this.capacity * 2);
    this.sizeMin = grown(this.sizeMin, capacity * 2).fill(MAX_WIRE_SIZE, this.capacity * 2);
    this.sizeMax = grown(this.sizeMax, capacity * 2);
    this.atoms.reserve(capacity * 2);
    this.capacity = capacity;
  }
}

/** Counts `count` packets of `size` in its 64-byte bucket; buckets beyond the kept set go to the last kept one (the total stays exact). */
export function addBucketed(buckets: SmallCounters, c: number, size: number, count: number): void {
  if (!buckets.add(c, Math.floor(size / SIZE_BUCKET_BYTES), count)) buckets.counts[c * buckets.stride + buckets.sizes[c]! - 1]! += count;
}

function grown<T extends Float64Array | Int32Array | Uint32Array | Uint8Array>(array: T, length: number): T {
  const next = new (array.constructor as new (n: number) => T)(length);
  next.set(array);
  return next;
}
