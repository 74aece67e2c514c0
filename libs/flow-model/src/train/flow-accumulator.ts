/**
 * The trainer's per-packet work (issue 4: "one pass over a streaming trace ... from running
 * sufficient statistics"), kept cheaper than decoding the packet: every per-packet number
 * lives in the typed arrays of FlowStatsTable, one 64-byte record per flow and per flow
 * direction, and the rest of a flow's statistics (time histogram, size and flag counters,
 * templates) is touched only when a run ends. A run is a stretch of packets of one flow in
 * the same time bin (for the histogram) or with the same size or flags (for the counters):
 * packets come in bursts, so most packets only bump a run length.
 */
import type { PacketBatch } from '@memoco/pcap';
import { GAP_BUCKETS } from '../model/log2-buckets.ts';
import { ActivityProfile } from './activity-profile.ts';
import {
  DIR_PACKETS, DIR_STRIDE, FIRST_NS, FLAGS_RUN, FLAGS_RUN_PACKETS, FLOW_STRIDE, FlowStatsTable, LAST_NS, MAX_WIRE_SIZE, PACKETS, PREVIOUS_NS,
  RUN_BIN, RUN_PACKETS, SIZE_RUN, SIZE_RUN_PACKETS, WANTS_TEMPLATE, WIRE_BYTES,
} from './flow-stats.ts';
import { captureTemplate } from './header-template.ts';
import type { PacketPass, PacketPassConfig } from './packet-pass.ts';

const NO_FLOW = 0xffffffff;
const TCP_SYN = 0x02;
/** Packets per call of the per-packet loop. */
const SLICE = 512;

// The trace's totals (FlowAccumulator.totals).
const START_SEC = 0;
const START_NSEC = 1;
const LAST_NS_SEEN = 2;
const IP_PACKETS = 3;
const NON_IP_PACKETS = 4;
const IP_BYTES = 5;

/** The TypeScript PacketPass: a FlowAccumulator with its own activity profile. */
export function typescriptPacketPass(config: PacketPassConfig): PacketPass {
  const profile = new ActivityProfile(config.maxProfileEntries);
  const packets = new FlowAccumulator(config.binNs, profile, config.maxBins, config.sizeAtoms);
  return {
    addBatch: (batch) => packets.addBatch(batch),
    settle: () => {
      const flows = packets.settle();
      const { startSec, startNsec, lastNs, ipPackets, nonIpPackets, ipBytes } = packets;
      return { stats: packets.stats, profile, flows, totals: { startSec, startNsec, lastNs, ipPackets, nonIpPackets, ipBytes } };
    },
  };
}

export class FlowAccumulator {
  readonly stats: FlowStatsTable;
  /**
   * The trace's totals, in a typed array rather than fields: a field that starts as a small
   * integer and later holds a larger number changes the object's shape, which throws away
   * the optimised code that relied on it.
   */
  private readonly totals = new Float64Array([Number.NaN, 0, 0, 0, 0, 0]);

  constructor(
    private readonly binNs: number,
    private readonly profile: ActivityProfile,
    maxBins: number,
    sizeAtoms: number,
  ) {
    this.stats = new FlowStatsTable(maxBins, sizeAtoms);
  }

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
    if (Number.isNaN(this.totals[START_SEC])) this.findStart(batch);
    // Slices, not the whole batch in one call: code after a loop that V8 optimised while
    // the loop ran (on-stack replacement) has never run, and reaching it deoptimises.
    const count = batch.count;
    for (let from = 0; from < count; from += SLICE) this.addPackets(batch, from, from + SLICE < count ? from + SLICE : count);
  }

  /**
   * The per-packet loop handles the common case inline: a packet of a known flow in the
   * same time bin as the flow's previous packet, not earlier than its latest packet, no
   * template still wanted, counted in the profile's current range; a size or TCP flags
   * value that differs from the direction's previous packet's ends a run with a call.
   * Everything else (a new flow, a new time bin, a template, a packet out of order, the
   * profile growing) goes through the one call to `packet()`. Few call sites, which the
   * first packets already take, keep the optimised loop from meeting code it has never
   * run: each such first time sends it back to the interpreter, and recompiling it cost
   * more CPU than the whole per-packet work (issue 4, train speed). One function, longer
   * than most on purpose: a call per packet would cost what the inline case saves.
   */
  private addPackets(batch: PacketBatch, from: number, to: number): void {
    const { flowId: ids, ipVersion, tsSec, tsNsec, origLen, direction, tcpFlags } = batch;
    const binNs = this.binNs;
    const totals = this.totals;
    const startSec = totals[START_SEC]!;
    const startNsec = totals[START_NSEC]!;
    const stats = this.stats;
    let f = stats.flow;
    let d = stats.dir;
    let gaps = stats.gaps;
    let profile = this.profile.counts;
    let profileWidth = this.profile.width;
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
      const slot = id * 2 + direction[i]!;
      const ds = slot * DIR_STRIDE;
      const entry = profileWidth === 1 ? bin : Math.floor(bin / profileWidth);
      if (!(at < f.length && f[at + PACKETS]! > 0 && f[at + RUN_BIN] === bin && timeNs >= f[at + LAST_NS]! && d[ds + WANTS_TEMPLATE] === 0 && entry < profile.length)) {
        this.packet(batch, i, timeNs, bin);
        f = stats.flow;
        d = stats.dir;
        gaps = stats.gaps;
        profile = this.profile.counts;
        profileWidth = this.profile.width;
        continue;
      }
      profile[entry]! += 1;
      gaps[id * GAP_BUCKETS + gapBucketOf(timeNs - f[at + PREVIOUS_NS]!)]! += 1;
      f[at + PACKETS]! += 1;
      f[at + WIRE_BYTES]! += wire;
      f[at + LAST_NS] = timeNs;
      f[at + PREVIOUS_NS] = timeNs;
      f[at + RUN_PACKETS]! += 1;
      d[ds + DIR_PACKETS]! += 1;
      const size = wire < MAX_WIRE_SIZE ? wire : MAX_WIRE_SIZE;
      if (d[ds + SIZE_RUN] === size) d[ds + SIZE_RUN_PACKETS]! += 1;
      else this.endSizeRun(slot, size);
      const flags = tcpFlags[i]!;
      if (d[ds + FLAGS_RUN] === flags) d[ds + FLAGS_RUN_PACKETS]! += 1;
      else this.endFlagsRun(slot, flags);
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
    const stats = this.stats;
    const id = batch.flowId[i]!;
    const wire = batch.origLen[i]!;
    const size = Math.min(wire, MAX_WIRE_SIZE);
    this.profile.add(bin);
    if (id >= stats.capacity || stats.seen[id] === 0) stats.addFlow(id, batch.ipVersion[i]!, batch.proto[i]!, bin, timeNs);
    const f = stats.flow;
    const at = id * FLOW_STRIDE;
    if (f[at + PACKETS]! > 0) stats.gaps[id * GAP_BUCKETS + gapBucketOf(timeNs - f[at + PREVIOUS_NS]!)]! += 1;
    f[at + PACKETS]! += 1;
    f[at + WIRE_BYTES]! += wire;
    if (timeNs < f[at + FIRST_NS]!) f[at + FIRST_NS] = timeNs;
    if (timeNs > f[at + LAST_NS]!) f[at + LAST_NS] = timeNs;
    f[at + PREVIOUS_NS] = timeNs;
    if (f[at + RUN_BIN] === bin) f[at + RUN_PACKETS]! += 1;
    else this.endBinRun(id, bin);
    const slot = id * 2 + batch.direction[i]!;
    const d = stats.dir;
    const ds = slot * DIR_STRIDE;
    d[ds + DIR_PACKETS]! += 1;
    if (d[ds + SIZE_RUN] === size) d[ds + SIZE_RUN_PACKETS]! += 1;
    else this.endSizeRun(slot, size);
    const flags = batch.tcpFlags[i]!;
    if (d[ds + FLAGS_RUN] === flags) d[ds + FLAGS_RUN_PACKETS]! += 1;
    else this.endFlagsRun(slot, flags);
    if (d[ds + WANTS_TEMPLATE] !== 0) this.offerTemplate(slot, batch, i, flags);
  }

  /**
   * Hands every pending run to the flows' statistics; call once at the end. Returns the ids
   * of the flows, heaviest first (ties: first seen first).
   */
  settle(): number[] {
    const stats = this.stats;
    const ids: number[] = [];
    for (let id = 0; id < stats.capacity; id++) {
      if (stats.seen[id] === 0) continue;
      this.endBinRun(id, -1);
      this.endSizeRun(2 * id, -1);
      this.endSizeRun(2 * id + 1, -1);
      this.endFlagsRun(2 * id, -1);
      this.endFlagsRun(2 * id + 1, -1);
      ids.push(id);
    }
    const f = stats.flow;
    return ids.sort((a, b) => f[b * FLOW_STRIDE + PACKETS]! - f[a * FLOW_STRIDE + PACKETS]! || a - b);
  }

  private endBinRun(id: number, bin: number): void {
    const f = this.stats.flow;
    const at = id * FLOW_STRIDE;
    const packets = f[at + RUN_PACKETS]!;
    if (packets > 0) this.stats.histograms[id]!.add(f[at + RUN_BIN]!, packets);
    f[at + RUN_BIN] = bin;
    f[at + RUN_PACKETS] = bin < 0 ? 0 : 1;
  }

  private endSizeRun(slot: number, size: number): void {
    const d = this.stats.dir;
    const ds = slot * DIR_STRIDE;
    const packets = d[ds + SIZE_RUN_PACKETS]!;
    if (packets > 0) this.stats.addSize(slot, d[ds + SIZE_RUN]!, packets);
    d[ds + SIZE_RUN] = size;
    d[ds + SIZE_RUN_PACKETS] = size < 0 ? 0 : 1;
  }

  private endFlagsRun(slot: number, flags: number): void {
    const d = this.stats.dir;
    const ds = slot * DIR_STRIDE;
    const packets = d[ds + FLAGS_RUN_PACKETS]!;
    if (packets > 0 && this.stats.proto[slot >>> 1] === 6) this.stats.addFlags(slot, d[ds + FLAGS_RUN]!, packets);
    d[ds + FLAGS_RUN] = flags;
    d[ds + FLAGS_RUN_PACKETS] = flags < 0 ? 0 : 1;
  }

  private offerTemplate(slot: number, batch: PacketBatch, i: number, flags: number): void {
    const stats = this.stats;
    const ds = slot * DIR_STRIDE;
    const id = slot >>> 1;
    const syn = stats.proto[id] === 6 && (flags & TCP_SYN) !== 0;
    if (stats.dir[ds + WANTS_TEMPLATE] === 2 && syn) return;
    stats.templates[slot] = captureTemplate(batch.data, batch.dataOffset[i]!, batch.capLen[i]!, batch.linkType[i]!, stats.ipVersion[id]!, stats.proto[id]!, batch.l3Offset[i]!, batch.l4Offset[i]!);
    stats.dir[ds + WANTS_TEMPLATE] = syn ? 2 : 0;
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
export function gapBucketOf(gapNs: number): number {
  if (gapNs < 1024) return 0;
  gapScratch[0] = gapNs;
  const bucket = ((gapWords[HIGH_WORD]! >>> 20) & 0x7ff) - 1023 - 9;
  return bucket < GAP_BUCKETS - 1 ? bucket : GAP_BUCKETS - 1;
}
