import { TraceReader } from '@memoco/pcap';

/** One UDP frame of a ts-replay capture, decoded and checked. */
export interface CapturedDatagram {
  /** Capture time, ns (net_pcap stamps frames from the TSC as it writes them). */
  ns: number;
  src: string;
  dst: string;
  payload: Uint8Array;
  ipChecksumOk: boolean;
  udpChecksumOk: boolean;
  /** IPv4 fragments of one datagram were put back together. */
  fragments: number;
}

function sum16(bytes: Uint8Array, from: number, to: number, start = 0): number {
  let s = start;
  for (let i = from; i < to; i += 2) s += (bytes[i]! << 8) | (i + 1 < to ? bytes[i + 1]! : 0);
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return s;
}

const ip4 = (b: Uint8Array, at: number) => `${b[at]}.${b[at + 1]}.${b[at + 2]}.${b[at + 3]}`;

/** UDP checksum of a whole datagram (header + payload) with the pseudo-header. */
function udpOk(src: Uint8Array, dst: Uint8Array, udp: Uint8Array): boolean {
  let s = sum16(src, 0, 4);
  s = sum16(dst, 0, 4, s);
  s = sum16(udp, 0, udp.length, s + 17 + udp.length);
  return s === 0xffff;
}

/**
 * Every UDP datagram of a pcap written by net_pcap, in file order, with both checksums
 * checked; IPv4 fragments (records over 1472 B) are reassembled by (src, dst, id).
 */
export async function readDatagrams(file: string): Promise<CapturedDatagram[]> {
  const out: CapturedDatagram[] = [];
  const pending = new Map<string, { ns: number; parts: { offset: number; data: Uint8Array; more: boolean }[]; ipOk: boolean; header: Uint8Array }>();
  const reader = new TraceReader(file, { decode: false });
  for await (const batch of reader.batches()) {
    for (let i = 0; i < batch.count; i++) {
      const f = batch.data.slice(batch.dataOffset[i]!, batch.dataOffset[i]! + batch.capLen[i]!);
      const ns = batch.tsSec[i]! * 1e9 + batch.tsNsec[i]!;
      const ipOk = sum16(f, 14, 34) === 0xffff;
      const total = (f[16]! << 8) | f[17]!;
      const flags = (f[20]! << 8) | f[21]!;
      const more = (flags & 0x2000) !== 0, offset = (flags & 0x1fff) * 8;
      const body = f.subarray(34, 14 + total);
      if (!more && offset === 0) {
        out.push({ ns, src: `${ip4(f, 26)}:${(f[34]! << 8) | f[35]!}`, dst: `${ip4(f, 30)}:${(f[36]! << 8) | f[37]!}`, payload: body.slice(8), ipChecksumOk: ipOk, udpChecksumOk: udpOk(f.subarray(26, 30), f.subarray(30, 34), body), fragments: 1 });
        continue;
      }
      const key = `${ip4(f, 26)}|${ip4(f, 30)}|${(f[18]! << 8) | f[19]!}`;
      const entry = pending.get(key) ?? { ns, parts: [], ipOk: true, header: f.slice(0, 34) };
      entry.parts.push({ offset, data: body.slice(), more });
      entry.ipOk &&= ipOk;
      pending.set(key, entry);
      const last = entry.parts.find((p) => !p.more);
      const size = last ? last.offset + last.data.length : -1;
      if (size > 0 && entry.parts.reduce((n, p) => n + p.data.length, 0) === size) {
        const udp = new Uint8Array(size);
        for (const p of entry.parts) udp.set(p.data, p.offset);
        const h = entry.header;
        out.push({ ns: entry.ns, src: `${ip4(h, 26)}:${(udp[0]! << 8) | udp[1]!}`, dst: `${ip4(h, 30)}:${(udp[2]! << 8) | udp[3]!}`, payload: udp.slice(8), ipChecksumOk: entry.ipOk, udpChecksumOk: udpOk(h.subarray(26, 30), h.subarray(30, 34), udp), fragments: entry.parts.length });
        pending.delete(key);
      }
    }
  }
  return out;
}

/** The record number a synthetic record (`ts synth`) carries in its first 8 data bytes. */
export function synthRecordNumber(payload: Uint8Array): number {
  return Number(new DataView(payload.buffer, payload.byteOffset, 8).getBigUint64(0, true));
}

const MASK = (1n << 64n) - 1n;

function mix64(v: bigint): bigint {
  let x = (v + 0x9e3779b97f4a7c15n) & MASK;
  x = ((x ^ (x >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK;
  x = ((x ^ (x >> 27n)) * 0x94d049bb133111ebn) & MASK;
  return x ^ (x >> 31n);
}

/**
 * The documented out-of-order draw (ts-record-schedule.h, docs/timeseries.md): record n is
 * chosen when the top 53 bits of mix64(seed x K ^ n) fall below P x 2^53, and is delayed
 * mix64(draw) mod (W + 1) us. Null: not chosen.
 */
export function expectedOooDelayUs(seed: number, record: number, probability: number, windowUs: number): number | null {
  const draw = mix64(((BigInt(seed) * 0xd1b54a32d192ed03n) & MASK) ^ BigInt(record));
  const threshold = probability >= 1 ? 1n << 53n : BigInt(Math.trunc(probability * 2 ** 53));
  if (draw >> 11n >= threshold) return null;
  return Number(mix64(draw) % BigInt(windowUs + 1));
}
