/**
 * What the fidelity metrics need from one trace, gathered in one streaming pass: per IP
 * packet its time (8 bytes each, for the rate series and inter-arrival times), and counts of
 * wire sizes, protocols, destination ports (TCP and UDP packets) and packets per
 * bidirectional 5-tuple. Non-IP packets are counted and otherwise ignored: Memoco models IP
 * flows only.
 */
import { TraceReader, type PacketBatch, type TraceSource } from '@memoco/pcap';

const NO_FLOW = 0xffffffff;

export interface TraceProfile {
  ipPackets: number;
  nonIpPackets: number;
  /** IP packet times, ns after the earliest one, ascending. */
  times: Float64Array;
  sizes: Map<number, number>;
  protocols: Map<number, number>;
  dstPorts: Map<number, number>;
  /** Packets per flow, keyed "proto|lowEndpoint|highEndpoint" (both directions alike). */
  flowPackets: Map<string, number>;
}

class GrowingTimes {
  data = new Float64Array(4096);
  length = 0;
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new Float64Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
}

function bump(map: Map<number, number>, key: number): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

export function canonicalFlowKey(proto: number, srcAddr: string, srcPort: number, dstAddr: string, dstPort: number): string {
  const a = `${srcAddr}/${srcPort}`;
  const b = `${dstAddr}/${dstPort}`;
  return a <= b ? `${proto}|${a}|${b}` : `${proto}|${b}|${a}`;
}

export async function collectTraceProfile(source: TraceSource, onBatch?: (packets: number) => void): Promise<TraceProfile> {
  const reader = new TraceReader(source);
  const times = new GrowingTimes();
  const perFlow: number[] = [];
  const profile: TraceProfile = { ipPackets: 0, nonIpPackets: 0, times: new Float64Array(0), sizes: new Map(), protocols: new Map(), dstPorts: new Map(), flowPackets: new Map() };
  let baseSec = Number.NaN;
  for await (const batch of reader.batches()) {
    if (Number.isNaN(baseSec) && batch.count > 0) baseSec = batch.tsSec[0]!;
    addBatch(batch, profile, times, perFlow, baseSec);
    onBatch?.(reader.packetsRead);
  }
  const all = times.data.subarray(0, times.length).sort();
  const earliest = all.length > 0 ? all[0]! : 0;
  for (let i = 0; i < all.length; i++) all[i] = all[i]! - earliest;
  profile.times = all;
  perFlow.forEach((count, id) => {
    const k = reader.flows.key(id);
    profile.flowPackets.set(canonicalFlowKey(k.proto, k.srcAddr, k.srcPort, k.dstAddr, k.dstPort), count);
  });
  return profile;
}

function addBatch(batch: PacketBatch, profile: TraceProfile, times: GrowingTimes, perFlow: number[], baseSec: number): void {
  for (let i = 0; i < batch.count; i++) {
    const flow = batch.flowId[i]!;
    if (flow === NO_FLOW || batch.ipVersion[i] === 0) {
      profile.nonIpPackets++;
      continue;
    }
    profile.ipPackets++;
    times.push((batch.tsSec[i]! - baseSec) * 1e9 + batch.tsNsec[i]!);
    bump(profile.sizes, batch.origLen[i]!);
    const proto = batch.proto[i]!;
    bump(profile.protocols, proto);
    if (proto === 6 || proto === 17) bump(profile.dstPorts, batch.dstPort[i]!);
    perFlow[flow] = (perFlow[flow] ?? 0) + 1;
  }
}
