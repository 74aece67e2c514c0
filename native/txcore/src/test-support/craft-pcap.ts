import { readFileSync, writeFileSync } from 'node:fs';

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

/** A pcap (us, LE, Ethernet) of the given frames, `gapMs` apart (1 ms by default). */
export function writePcap(target: string, frames: Uint8Array[], gapMs = 1): void {
  const parts: Buffer[] = [];
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0);
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeUInt32LE(262144, 16);
  header.writeUInt32LE(1, 20);
  parts.push(header);
  frames.forEach((frame, i) => {
    const rec = Buffer.alloc(16);
    rec.writeUInt32LE(1_700_000_000 + Math.floor((i * gapMs) / 1000), 0);
    rec.writeUInt32LE(((i * gapMs) % 1000) * 1000, 4);
    rec.writeUInt32LE(frame.length, 8);
    rec.writeUInt32LE(frame.length, 12);
    parts.push(rec, Buffer.from(frame));
  });
  writeFileSync(target, Buffer.concat(parts));
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
