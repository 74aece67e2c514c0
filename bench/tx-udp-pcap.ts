import { closeSync, openSync, writeSync } from 'node:fs';

/**
 * Writes the same traffic as ../shared/anchors/gen-udp-pcap.py (Ethernet/IPv4/UDP, `size`
 * bytes, 1000 source ports, IP id = index, valid IPv4 checksum) fast enough for 10M packets
 * (the Python one takes minutes): `gapNs` apart (1 us like the anchor by default), so 10 us
 * makes a 100 kpps trace. pcap, microsecond timestamps, little-endian.
 */
export function writeUdpPcap(file: string, packets: number, options: { size?: number; gapNs?: number } = {}): void {
  const size = options.size ?? 64;
  const gapNs = options.gapNs ?? 1000;
  const record = 16 + size;
  const perChunk = Math.max(1, Math.floor((8 << 20) / record));
  const chunk = Buffer.alloc(perChunk * record);
  const template = udpTemplate(size);
  const fd = openSync(file, 'w');
  try {
    const header = Buffer.alloc(24);
    header.writeUInt32LE(0xa1b2c3d4, 0);
    header.writeUInt16LE(2, 4);
    header.writeUInt16LE(4, 6);
    header.writeUInt32LE(65535, 16);
    header.writeUInt32LE(1, 20);
    writeSync(fd, header);
    for (let first = 0; first < packets; first += perChunk) {
      const n = Math.min(perChunk, packets - first);
      for (let k = 0; k < n; k++) writeRecord(chunk, k * record, template, first + k, gapNs);
      writeSync(fd, chunk, 0, n * record);
    }
  } finally {
    closeSync(fd);
  }
}

function udpTemplate(size: number): Buffer {
  const p = Buffer.alloc(size);
  Buffer.from('0200000000020200000000010800', 'hex').copy(p, 0);
  p.set([0x45, 0, (size - 14) >> 8, (size - 14) & 255, 0, 0, 0, 0, 64, 17, 0, 0, 10, 99, 0, 1, 10, 99, 0, 2], 14);
  p.writeUInt16BE(9, 36);
  p.writeUInt16BE(size - 34, 38);
  return p;
}

function writeRecord(out: Buffer, at: number, template: Buffer, i: number, gapNs: number): void {
  const ns = i * gapNs;
  out.writeUInt32LE(Math.floor(ns / 1e9), at);
  out.writeUInt32LE(Math.floor((ns % 1e9) / 1000), at + 4);
  out.writeUInt32LE(template.length, at + 8);
  out.writeUInt32LE(template.length, at + 12);
  const p = at + 16;
  template.copy(out, p);
  out.writeUInt16BE(i & 0xffff, p + 18);
  out.writeUInt16BE(ipChecksum(out, p + 14), p + 24);
  out.writeUInt16BE(1024 + (i % 1000), p + 34);
}

function ipChecksum(b: Buffer, at: number): number {
  let s = 0;
  for (let k = 0; k < 20; k += 2) if (k !== 10) s += b.readUInt16BE(at + k);
  s = (s >> 16) + (s & 0xffff);
  s += s >> 16;
  return ~s & 0xffff;
}
