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
import { GAP_BUCKETS, gapBucket } from '../model/log2-buckets.ts';
import type { ActivityProfile } from './activity-profile.ts';
import { FlowStats, MAX_WIRE_SIZE, type DirectionStats } from './flow-stats.ts';
import { captureTemplate } from './header-template.ts';

const NO_FLOW = 0xffffffff;
const TCP_SYN = 0x02;

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
/** 1: no template yet; 2: a SYN's template, to be replaced by the first non-SYN packet's; 0: done. */
const WANTS_TEMPLATE = 5;

export class FlowAccumulator {
  flows: (FlowStats | undefined)[] = [];
  private capacity = 0;
  private perFlow = new Float64Array(0);
  private perDir = new Float64Array(0);
  private gaps = new Float64Array(0);
  startSec = Number.NaN;
  startNsec = 0;
  lastNs = 0;
  ipPackets = 0;
  nonIpPackets = 0;
  ipBytes = 0;

  constructor(
    private readonly binNs: number,
    private readonly profile: ActivityProfile,
    private readonly maxBins: number,
    private readonly sizeAtoms: number,
  ) {}

  addBatch(batch: PacketBatch): void {
    const { flowId: ids, ipVersion, tsSec, tsNsec, origLen, direction, tcpFlags } = batch;
    const binNs = this.binNs;
    for (let i = 0; i < batch.count; i++) {
      const id = ids[i]!;
      if (id === NO_FLOW || ipVersion[i] === 0) {
        this.nonIpPackets++;
        continue;
      }
      if (Number.isNaN(this.startSec)) {
        this.startSec = tsSec[i]!;
        this.startNsec = tsNsec[i]!;
      }
      // Captures are sometimes slightly out of order: a packet before the first one counts at 0.
      const timeNs = Math.max(0, (tsSec[i]! - this.startSec) * 1e9 + (tsNsec[i]! - this.startNsec));
      const bin = Math.floor(timeNs / binNs);
      const size = Math.min(origLen[i]!, MAX_WIRE_SIZE);
      if (timeNs > this.lastNs) this.lastNs = timeNs;
      this.ipPackets++;
      this.ipBytes += origLen[i]!;
      this.profile.add(bin);
      if (id >= this.capacity || this.flows[id] === undefined) this.newFlow(id, batch, i, bin, timeNs);
      const f = this.perFlow;
      const at = id * FLOW_STRIDE;
      if (f[at + PACKETS]! > 0) this.gaps[id * GAP_BUCKETS + gapBucket(Math.max(0, timeNs - f[at + PREVIOUS_NS]!))]! += 1;
      f[at + PACKETS]! += 1;
      f[at + WIRE_BYTES]! += origLen[i]!;
      if (timeNs < f[at + FIRST_NS]!) f[at + FIRST_NS] = timeNs;
      if (timeNs > f[at + LAST_NS]!) f[at + LAST_NS] = timeNs;
      f[at + PREVIOUS_NS] = timeNs;
      if (f[at + RUN_BIN] === bin) f[at + RUN_PACKETS]! += 1;
      else this.endBinRun(id, bin);
      const slot = (id * 2 + direction[i]!) * DIR_STRIDE;
      const d = this.perDir;
      d[slot + DIR_PACKETS]! += 1;
      if (d[slot + SIZE_RUN] === size) d[slot + SIZE_RUN_PACKETS]! += 1;
      else this.endSizeRun(id, direction[i]!, size);
      const flags = tcpFlags[i]!;
      if (d[slot + FLAGS_RUN] === flags) d[slot + FLAGS_RUN_PACKETS]! += 1;
      else this.endFlagsRun(id, direction[i]!, flags);
      if (d[slot + WANTS_TEMPLATE] !== 0) this.offerTemplate(id, direction[i]!, batch, i, flags);
    }
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
