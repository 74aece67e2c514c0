/**
 * The trainer's per-packet work (issue 4: "one pass over a streaming trace ... from running
 * sufficient statistics"), kept cheaper than decoding the packet: every per-packet number
 * lives in typed arrays indexed by flow id, one 64-byte record per flow and per flow
 * direction, and the per-flow objects (time histogram, size and flag counters, templates)
 * are touched only when a run ends. A run is a stretch of packets of one flow in the same
 * time bin (for the histogram) or with the same size or flags (for the counters): packets
 * come in bursts, so most packets only bump a run length.
 */
import type { PacketBatch } from '@memoco/pcap';
import { GAP_BUCKETS } from '../model/log2-buckets.ts';
import type { ActivityProfile } from './activity-profile.ts';
import { FlowStats, MAX_WIRE_SIZE, type DirectionStats } from './flow-stats.ts';
import { captureTemplate } from './header-template.ts';

const NO_FLOW = 0xffffffff;
const TCP_SYN = 0x02;
/** Packets per call of the per-packet loop. */
const SLICE = 512;

// Per-flow record (FLOW_STRIDE doubles).
const FLOW_STRIDE = 8;
const PACKETS = 0;
const WIRE_BYTES = 1;
const FIRST_NS = 2;
const LAST_NS = 3;
const PREVIOUS_NS = 4;
const RUN_BIN = 5;
const RUN_PACKETS = 6;

// Per-direction record (DIR_STRIDE doubles).
const DIR_STRIDE = 8;
const DIR_PACKETS = 0;
const SIZE_RUN = 1;
const SIZE_RUN_PACKETS = 2;
const FLAGS_RUN = 3;
const FLAGS_RUN_PACKETS = 4;
// The trace's totals (FlowAccumulator.totals).
const START_SEC = 0;
const START_NSEC = 1;
const LAST_NS_SEEN = 2;
const IP_PACKETS = 3;
const NON_IP_PACKETS = 4;
const IP_BYTES = 5;

/** 1: no template yet; 2: a SYN's template, to be replaced by the first non-SYN packet's; 0: done. */
const WANTS_TEMPLATE = 5;

export class FlowAccumulator {
  flows: (FlowStats | undefined)[] = [];
  private capacity = 0;
  private perFlow = new Float64Array(0);
  private perDir = new Float64Array(0);
  private gaps = new Float64Array(0);
  /**
   * The trace's totals, in a typed array rather than fields: a field that starts as a small
   * integer and later holds a larger number changes the object's shape, which throws away
   * the optimised code that relied on it.
   */
  private readonly totals = new Float64Array([Number.NaN, 0, 0, 0, 0, 0]);

  constructor(
    private readonly binNs: number,
    private readonly profile: ActivityProfile,
    private readonly maxBins: number,
    private readonly sizeAtoms: number,
  ) {}

  /**
   * The per-packet loop handles the common case inline: a packet of a known flow in the
   * same time bin, with the same size and TCP flags as the previous packet of its direction,
   * not earlier than the flow's latest packet, counted in the profile's current range.
   * Everything else (a new flow, a run that ends, a template still wanted, a packet out of
   * order, the profile growing) goes through the one call to `packet()`. One call site that
   * the first packet already takes keeps the optimised loop from meeting code it has never
   * run: each such first time sends it back to the interpreter, and recompiling it cost
   * more CPU than the whole per-packet work (issue 4, train speed).
   */
  /** First IP packet's time (NaN before it); the time origin of every bin. */
  get startSec(): number {
    return this.totals[START_SEC]!;
  }
  get startNsec(): number {
    return this.totals[START_NSEC]!;
  }
  /** Latest packet, ns after the first. */
  get lastNs(): number {
    return this.totals[LAST_NS_SEEN]!;
  }
  get ipPackets(): number {
    return this.totals[IP_PACKETS]!;
  }
  get nonIpPackets(): number {
    return this.totals[NON_IP_PACKETS]!;
  }
  get ipBytes(): number {
    return this.totals[IP_BYTES]!;
  }

  addBatch(batch: PacketBatch): void {
    if (Number.isNaN(this.startSec)) this.findStart(batch);
    // Slices, not the whole batch in one call: code after a loop that V8 optimised while
    // the loop ran (on-stack replacement) has never run, and reaching it deoptimises.
    const count = batch.count;
    for (let from = 0; from < count; from += SLICE) this.addPackets(batch, from, from + SLICE < count ? from + SLICE : count);
  }

  private addPackets(batch: PacketBatch, from: number, to: number): void {
    const { flowId: ids, ipVersion, tsSec, tsNsec, origLen, direction, tcpFlags } = batch;
    const binNs = this.binNs;
    const startSec = this.startSec;
    const startNsec = this.startNsec;
    let f = this.perFlow;
    let d = this.perDir;
    let gaps = this.gaps;
    let profile = this.profile.counts;
    let profileWidth = this.profile.width;
    const totals = this.totals;
    let lastNs = totals[LAST_NS_SEEN]!;
    let ip = 0;
    let nonIp = 0;
    let bytes = 0;
    for (let i = from; i < to; i++) {
      const id = ids[i]!;
      if (id === NO_FLOW || ipVersion[i] === 0) {
        nonIp++;
        continue;
      }
      const wire = origLen[i]!;
      // Captures are sometimes slightly out of order: a packet before the first one counts at 0.
      const timeNs = Math.max(0, (tsSec[i]! - startSec) * 1e9 + (tsNsec[i]! - startNsec));
      const bin = Math.floor(timeNs / binNs);
      if (timeNs > lastNs) lastNs = timeNs;
      ip++;
      bytes += wire;
      const at = id * FLOW_STRIDE;
      const slot = (id * 2 + direction[i]!) * DIR_STRIDE;
      const entry = profileWidth === 1 ? bin : Math.floor(bin / profileWidth);
      if (
        at < f.length && f[at + PACKETS]! > 0 && f[at + RUN_BIN] === bin && timeNs >= f[at + LAST_NS]! &&
        d[slot + SIZE_RUN] === (wire < MAX_WIRE_SIZE ? wire : MAX_WIRE_SIZE) && d[slot + FLAGS_RUN] === tcpFlags[i] && d[slot + WANTS_TEMPLATE] === 0 &&
        entry < profile.length
      ) {
        profile[entry]! += 1;
        gaps[id * GAP_BUCKETS + gapBucketOf(timeNs - f[at + PREVIOUS_NS]!)]! += 1;
        f[at + PACKETS]! += 1;
        f[at + WIRE_BYTES]! += wire;
        f[at + LAST_NS] = timeNs;
        f[at + PREVIOUS_NS] = timeNs;
        f[at + RUN_PACKETS]! += 1;
        d[slot + DIR_PACKETS]! += 1;
        d[slot + SIZE_RUN_PACKETS]! += 1;
        d[slot + FLAGS_RUN_PACKETS]! += 1;
        continue;
      }
      this.packet(batch, i, timeNs, bin);
      f = this.perFlow;
      d = this.perDir;
      gaps = this.gaps;
      profile = this.profile.counts;
      profileWidth = this.profile.width;
    }
    totals[LAST_NS_SEEN] = lastNs;
    totals[IP_PACKETS]! += ip;
    totals[NON_IP_PACKETS]! += nonIp;
    totals[IP_BYTES]! += bytes;
  }

  private findStart(batch: PacketBatch): void {
    for (let i = 0; i < batch.count; i++) {
      if (batch.flowId[i] !== NO_FLOW && batch.ipVersion[i] !== 0) {
        this.totals[START_SEC] = batch.tsSec[i]!;
        this.totals[START_NSEC] = batch.tsNsec[i]!;
        return;
      }
    }
  }

  /** The general case of one IP packet (its totals and the trace's are the loop's). */
  private packet(batch: PacketBatch, i: number, timeNs: number, bin: number): void {
    const id = batch.flowId[i]!;
    const wire = batch.origLen[i]!;
    const size = Math.min(wire, MAX_WIRE_SIZE);
    this.profile.add(bin);
    if (id >= this.capacity || this.flows[id] === undefined) this.newFlow(id, batch, i, bin, timeNs);
    const f = this.perFlow;
    const at = id * FLOW_STRIDE;
    if (f[at + PACKETS]! > 0) this.gaps[id * GAP_BUCKETS + gapBucketOf(timeNs - f[at + PREVIOUS_NS]!)]! += 1;
    f[at + PACKETS]! += 1;
    f[at + WIRE_BYTES]! += wire;
    if (timeNs < f[at + FIRST_NS]!) f[at + FIRST_NS] = timeNs;
    if (timeNs > f[at + LAST_NS]!) f[at + LAST_NS] = timeNs;
    f[at + PREVIOUS_NS] = timeNs;
    if (f[at + RUN_BIN] === bin) f[at + RUN_PACKETS]! += 1;
    else this.endBinRun(id, bin);
    const dir = batch.direction[i]!;
    const slot = (id * 2 + dir) * DIR_STRIDE;
    const d = this.perDir;
    d[slot + DIR_PACKETS]! += 1;
    if (d[slot + SIZE_RUN] === size) d[slot + SIZE_RUN_PACKETS]! += 1;
    else this.endSizeRun(id, dir, size);
    const flags = batch.tcpFlags[i]!;
    if (d[slot + FLAGS_RUN] === flags) d[slot + FLAGS_RUN_PACKETS]! += 1;
    else this.endFlagsRun(id, dir, flags);
    if (d[slot + WANTS_TEMPLATE] !== 0) this.offerTemplate(id, dir, batch, i, flags);
  }

  /** Hands every pending run to the flows' objects and copies their numbers in; call once at the end. */
  settle(): FlowStats[] {
    const out: FlowStats[] = [];
    for (let id = 0; id < this.flows.length; id++) {
      const flow = this.flows[id];
      if (!flow) continue;
      this.endBinRun(id, -1);
      for (let dir = 0; dir < 2; dir++) {
        this.endSizeRun(id, dir, -1);
        this.endFlagsRun(id, dir, -1);
        flow.dirs[dir]!.packets = this.perDir[(id * 2 + dir) * DIR_STRIDE + DIR_PACKETS]!;
      }
      const at = id * FLOW_STRIDE;
      flow.packets = this.perFlow[at + PACKETS]!;
      flow.wireBytes = this.perFlow[at + WIRE_BYTES]!;
      flow.firstNs = this.perFlow[at + FIRST_NS]!;
      flow.lastNs = this.perFlow[at + LAST_NS]!;
      flow.gaps = this.gaps.subarray(id * GAP_BUCKETS, (id + 1) * GAP_BUCKETS);
      out.push(flow);
    }
    return out;
  }

  private endBinRun(id: number, bin: number): void {
    const at = id * FLOW_STRIDE;
    const packets = this.perFlow[at + RUN_PACKETS]!;
    if (packets > 0) this.flows[id]!.histogram.add(this.perFlow[at + RUN_BIN]!, packets);
    this.perFlow[at + RUN_BIN] = bin;
    this.perFlow[at + RUN_PACKETS] = bin < 0 ? 0 : 1;
  }

  private endSizeRun(id: number, dir: number, size: number): void {
    const slot = (id * 2 + dir) * DIR_STRIDE;
    const packets = this.perDir[slot + SIZE_RUN_PACKETS]!;
    if (packets > 0) this.direction(id, dir).addSize(this.perDir[slot + SIZE_RUN]!, packets);
    this.perDir[slot + SIZE_RUN] = size;
    this.perDir[slot + SIZE_RUN_PACKETS] = size < 0 ? 0 : 1;
  }

  private endFlagsRun(id: number, dir: number, flags: number): void {
    const slot = (id * 2 + dir) * DIR_STRIDE;
    const packets = this.perDir[slot + FLAGS_RUN_PACKETS]!;
    if (packets > 0 && this.flows[id]!.proto === 6) this.direction(id, dir).addFlags(this.perDir[slot + FLAGS_RUN]!, packets);
    this.perDir[slot + FLAGS_RUN] = flags;
    this.perDir[slot + FLAGS_RUN_PACKETS] = flags < 0 ? 0 : 1;
  }

  private direction(id: number, dir: number): DirectionStats {
    return this.flows[id]!.dirs[dir]!;
  }

  private offerTemplate(id: number, dir: number, batch: PacketBatch, i: number, flags: number): void {
    const slot = (id * 2 + dir) * DIR_STRIDE;
    const want = this.perDir[slot + WANTS_TEMPLATE]!;
    const flow = this.flows[id]!;
    const syn = flow.proto === 6 && (flags & TCP_SYN) !== 0;
    if (want === 2 && syn) return;
    const template = captureTemplate(batch.data, batch.dataOffset[i]!, batch.capLen[i]!, batch.linkType[i]!, flow.ipVersion, flow.proto, batch.l3Offset[i]!, batch.l4Offset[i]!);
    flow.dirs[dir]!.template = template;
    this.perDir[slot + WANTS_TEMPLATE] = syn ? 2 : 0;
  }

  private newFlow(id: number, batch: PacketBatch, i: number, bin: number, timeNs: number): void {
    if (id >= this.capacity) this.grow(id);
    this.flows[id] = new FlowStats(batch.ipVersion[i]!, batch.proto[i]!, bin, this.maxBins, this.sizeAtoms);
    const at = id * FLOW_STRIDE;
    this.perFlow.fill(0, at, at + FLOW_STRIDE);
    this.perFlow[at + FIRST_NS] = timeNs;
    this.perFlow[at + LAST_NS] = timeNs;
    this.perFlow[at + RUN_BIN] = -1;
    for (let dir = 0; dir < 2; dir++) {
      const slot = (id * 2 + dir) * DIR_STRIDE;
      this.perDir.fill(0, slot, slot + DIR_STRIDE);
      this.perDir[slot + SIZE_RUN] = -1;
      this.perDir[slot + FLAGS_RUN] = -1;
      this.perDir[slot + WANTS_TEMPLATE] = 1;
    }
  }

  private grow(id: number): void {
    let capacity = Math.max(1024, this.capacity);
    while (capacity <= id) capacity *= 2;
    const grown = (a: Float64Array, per: number) => {
      const next = new Float64Array(capacity * per);
      next.set(a);
      return next;
    };
    this.perFlow = grown(this.perFlow, FLOW_STRIDE);
    this.perDir = grown(this.perDir, 2 * DIR_STRIDE);
    this.gaps = grown(this.gaps, GAP_BUCKETS);
    this.capacity = capacity;
  }
}

// The exponent of a double is floor(log2) of it exactly; read through an aliased array.
const gapScratch = new Float64Array(1);
const gapWords = new Uint32Array(gapScratch.buffer);
const HIGH_WORD = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;

/**
 * gapBucket(max(0, gapNs)) without branches that a trace may take for the first time long
 * after the loop was optimised (a gap past 2^32 ns): bucket 0 below 1024 ns, else
 * floor(log2(gap)) - 9, at most 31.
 */
function gapBucketOf(gapNs: number): number {
  if (gapNs < 1024) return 0;
  gapScratch[0] = gapNs;
  const bucket = ((gapWords[HIGH_WORD]! >>> 20) & 0x7ff) - 1023 - 9;
  return bucket < GAP_BUCKETS - 1 ? bucket : GAP_BUCKETS - 1;
}
