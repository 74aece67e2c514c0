import { readFileSync, writeFileSync } from 'node:fs';
import { PcapWriter } from '@memoco/pcap';

/**
 * Copies a little-endian pcap and corrupts the captured-length field of record `record`
 * (0-based) to `caplen`; returns the byte offset of that record's header.
 */
export function corruptPcapRecord(source: string, target: string, record: number, caplen: number): number {
  const bytes = readFileSync(source);
  let offset = 24;
  for (let i = 0; i < record; i++) offset += 16 + bytes.readUInt32LE(offset + 8);
  bytes.writeUInt32LE(caplen, offset + 8);
  writeFileSync(target, bytes);
  return offset;
}

/** A pcap (Ethernet) of the given frames, `gapMs` apart (1 ms by default), by libs/pcap's writer. */
export async function writePcap(target: string, frames: Uint8Array[], gapMs = 1): Promise<void> {
  const writer = new PcapWriter(target);
  frames.forEach((frame, i) => writer.write(1_700_000_000 + Math.floor((i * gapMs) / 1000), ((i * gapMs) % 1000) * 1_000_000, frame));
  await writer.close();
}

/** An Ethernet/IPv4/UDP frame with `payload` bytes of payload (checksums zero). */
export function udpFrame(srcPort: number, dstPort: number, payload: number, src = [10, 0, 0, 1], dst = [10, 0, 0, 2]): Uint8Array {
  const f = new Uint8Array(14 + 20 + 8 + payload);
  f.set([2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00]);
  const ipLen = 20 + 8 + payload;
  f.set([0x45, 0, ipLen >> 8, ipLen & 255, 0, 0, 0, 0, 64, 17, 0, 0, ...src, ...dst], 14);
  f.set([srcPort >> 8, srcPort & 255, dstPort >> 8, dstPort & 255, (8 + payload) >> 8, (8 + payload) & 255, 0, 0], 34);
  for (let i = 0; i < payload; i++) f[42 + i] = i & 255;
  return f;
}
