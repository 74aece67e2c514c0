/**
 * Builds PacketBatch objects from packet descriptions for unit tests, with the bytes of real
 * Ethernet/IPv4|IPv6/TCP|UDP headers and the decoded fields the trace reader would set
 * (flow ids are dense and bidirectional, direction 0 = the flow's first packet's).
 */
import type { PacketBatch } from '@memoco/pcap';

export interface FixturePacket {
  timeNs: number;
  src: string;
  dst: string;
  srcPort: number;
  dstPort: number;
  proto: number;
  /** Wire size (origLen). */
  size: number;
  flags?: number;
  ttl?: number;
}

const CAPTURE_LIMIT = 256;

function addressBytes(address: string): Uint8Array {
  if (address.includes('.')) return Uint8Array.from(address.split('.').map(Number));
  const [head, tail] = address.split('::') as [string, string | undefined];
  const groups = (s: string | undefined) => (s ? s.split(':').map((g) => parseInt(g, 16)) : []);
  const h = groups(head);
  const t = groups(tail);
  const all = [...h, ...new Array(8 - h.length - t.length).fill(0), ...t];
  const out = new Uint8Array(16);
  all.forEach((g, i) => {
    out[2 * i] = g >>> 8;
    out[2 * i + 1] = g & 0xff;
  });
  return out;
}

export function packetBytes(p: FixturePacket): { bytes: Uint8Array; l3: number; l4: number; ipVersion: number } {
  const src = addressBytes(p.src);
  const dst = addressBytes(p.dst);
  const ipVersion = src.length === 4 ? 4 : 6;
  const l3 = 14;
  const l4 = l3 + (ipVersion === 4 ? 20 : 40);
  const headerEnd = l4 + (p.proto === 6 ? 20 : 8);
  const bytes = new Uint8Array(Math.min(Math.max(p.size, headerEnd), CAPTURE_LIMIT));
  bytes.set([0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb], 0);
  bytes.set(ipVersion === 4 ? [0x08, 0x00] : [0x86, 0xdd], 12);
  const ipLength = Math.max(p.size, headerEnd) - l3;
  if (ipVersion === 4) {
    bytes.set([0x45, 0, ipLength >>> 8, ipLength & 0xff, 0x12, 0x34, 0x40, 0, p.ttl ?? 64, p.proto, 0, 0], l3);
    bytes.set(src, l3 + 12);
    bytes.set(dst, l3 + 16);
  } else {
    const payload = ipLength - 40;
    bytes.set([0x60, 0, 0, 0, payload >>> 8, payload & 0xff, p.proto, p.ttl ?? 64], l3);
    bytes.set(src, l3 + 8);
    bytes.set(dst, l3 + 24);
  }
  bytes.set([p.srcPort >>> 8, p.srcPort & 0xff, p.dstPort >>> 8, p.dstPort & 0xff], l4);
  if (p.proto === 6) bytes.set([0, 0, 0, 1, 0, 0, 0, 0, 0x50, p.flags ?? 0x10, 0xff, 0xff], l4 + 4);
  else bytes.set([(ipLength - (l4 - l3)) >>> 8, (ipLength - (l4 - l3)) & 0xff], l4 + 4);
  return { bytes, l3, l4, ipVersion };
}

/** Packets (in the given order) as one batch; `startSec` is the absolute second of timeNs 0. */
export function batchOf(packets: readonly FixturePacket[], startSec = 1_700_000_000, flowIds = new Map<string, number>()): PacketBatch {
  const n = packets.length;
  const encoded = packets.map(packetBytes);
  const data = new Uint8Array(encoded.reduce((s, e) => s + e.bytes.length, 0));
  const batch: PacketBatch = {
    count: n,
    firstIndex: 0,
    data,
    dataOffset: new Uint32Array(n),
    capLen: new Uint32Array(n),
    origLen: new Uint32Array(n),
    fileOffset: new Float64Array(n),
    tsSec: new Float64Array(n),
    tsNsec: new Uint32Array(n),
    linkType: new Uint16Array(n).fill(1),
    ipVersion: new Uint8Array(n),
    proto: new Uint8Array(n),
    l3Offset: new Uint16Array(n),
    l4Offset: new Uint16Array(n),
    srcPort: new Uint16Array(n),
    dstPort: new Uint16Array(n),
    tcpFlags: new Uint8Array(n),
    ttl: new Uint8Array(n),
    flowId: new Uint32Array(n),
    direction: new Uint8Array(n),
  };
  let at = 0;
  packets.forEach((p, i) => {
    const e = encoded[i]!;
    data.set(e.bytes, at);
    batch.dataOffset[i] = at;
    at += e.bytes.length;
    batch.capLen[i] = e.bytes.length;
    batch.origLen[i] = Math.max(p.size, e.bytes.length);
    const whole = Math.floor(p.timeNs / 1e9);
    batch.tsSec[i] = startSec + whole;
    batch.tsNsec[i] = p.timeNs - whole * 1e9;
    batch.ipVersion[i] = e.ipVersion;
    batch.proto[i] = p.proto;
    batch.l3Offset[i] = e.l3;
    batch.l4Offset[i] = e.l4;
    batch.srcPort[i] = p.srcPort;
    batch.dstPort[i] = p.dstPort;
    batch.tcpFlags[i] = p.proto === 6 ? (p.flags ?? 0x10) : 0;
    batch.ttl[i] = p.ttl ?? 64;
    const forward = `${p.proto}|${p.src}|${p.srcPort}|${p.dst}|${p.dstPort}`;
    const reverse = `${p.proto}|${p.dst}|${p.dstPort}|${p.src}|${p.srcPort}`;
    if (flowIds.has(forward)) {
      batch.flowId[i] = flowIds.get(forward)!;
    } else if (flowIds.has(reverse)) {
      batch.flowId[i] = flowIds.get(reverse)!;
      batch.direction[i] = 1;
    } else {
      batch.flowId[i] = flowIds.size;
      flowIds.set(forward, flowIds.size);
    }
  });
  return batch;
}

/** A non-IP (ARP-like) packet batch entry is marked by flowId 0xffffffff and ipVersion 0. */
export function nonIpBatch(count: number, startSec = 1_700_000_000): PacketBatch {
  const batch = batchOf([], startSec);
  const zeros = { proto: new Uint8Array(count), tcpFlags: new Uint8Array(count), ttl: new Uint8Array(count), l3Offset: new Uint16Array(count), l4Offset: new Uint16Array(count), srcPort: new Uint16Array(count), dstPort: new Uint16Array(count), fileOffset: new Float64Array(count) };
  return { ...batch, ...zeros, count, data: new Uint8Array(60 * count), flowId: new Uint32Array(count).fill(0xffffffff), ipVersion: new Uint8Array(count), tsSec: new Float64Array(count).fill(startSec), tsNsec: new Uint32Array(count), origLen: new Uint32Array(count).fill(60), capLen: new Uint32Array(count).fill(60), dataOffset: new Uint32Array(count), linkType: new Uint16Array(count).fill(1), direction: new Uint8Array(count) };
}

/** A deterministic pseudo-random mix of bursty TCP and UDP flows over `seconds`. */
export function syntheticTraffic(flows: number, seconds: number, seed = 1): FixturePacket[] {
  let state = seed >>> 0;
  const rand = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 4294967296;
  };
  const packets: FixturePacket[] = [];
  for (let f = 0; f < flows; f++) {
    const tcp = f % 3 !== 0;
    const client = `10.0.${(f >> 8) & 255}.${f & 255}`;
    const server = f % 5 === 0 ? '2001:db8::1' : '192.168.1.1';
    const c = server.includes(':') ? `2001:db8::${(f + 2).toString(16)}` : client;
    const start = rand() * seconds * 0.8e9;
    const bursts = 1 + Math.floor(rand() * 4);
    let t = start;
    const sport = 20000 + f;
    const dport = tcp ? 443 : 53;
    for (let b = 0; b < bursts; b++) {
      const n = 2 + Math.floor(rand() * 12);
      for (let k = 0; k < n; k++) {
        const reply = k % 2 === 1;
        const flags = tcp ? (b === 0 && k === 0 ? 0x02 : b === 0 && k === 1 ? 0x12 : 0x10) : 0;
        packets.push({
          timeNs: Math.round(t),
          src: reply ? server : c,
          dst: reply ? c : server,
          srcPort: reply ? dport : sport,
          dstPort: reply ? sport : dport,
          proto: tcp ? 6 : 17,
          size: reply ? 1514 : tcp ? 66 : 80 + Math.floor(rand() * 40),
          flags,
        });
        t += rand() * 2e6;
      }
      t += rand() * seconds * 0.1e9;
    }
  }
  return packets.filter((p) => p.timeNs < seconds * 1e9).sort((a, b) => a.timeNs - b.timeNs);
}
