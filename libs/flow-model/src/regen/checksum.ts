/**
 * Internet checksums (RFC 1071) for synthesised packets (issue 4: "valid IPv4/IPv6/TCP/UDP
 * checksums"): the IPv4 header checksum, and TCP/UDP/ICMPv6 checksums over the RFC 793/768
 * (IPv4) or RFC 8200 §8.1 (IPv6) pseudo-header. ICMPv4 has no pseudo-header.
 */

/** One's-complement sum of data[from .. to) as big-endian 16-bit words (odd tail padded with 0), plus `initial`; not folded. */
export function onesComplementSum(data: Uint8Array, from: number, to: number, initial = 0): number {
  let sum = initial;
  let i = from;
  for (; i + 1 < to; i += 2) sum += (data[i]! << 8) | data[i + 1]!;
  if (i < to) sum += data[i]! << 8;
  return sum;
}

/** Folds a sum to 16 bits and complements it. */
export function finishChecksum(sum: number): number {
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  return ~sum & 0xffff;
}

/** Writes the IPv4 header checksum of the header at `l3` (length from its IHL). */
export function writeIpv4HeaderChecksum(frame: Uint8Array, l3: number): void {
  const headerLength = (frame[l3]! & 0x0f) * 4;
  frame[l3 + 10] = 0;
  frame[l3 + 11] = 0;
  writeU16(frame, l3 + 10, finishChecksum(onesComplementSum(frame, l3, l3 + headerLength)));
}

/** The pseudo-header sum for an upper-layer packet of `length` bytes with protocol `proto`. */
export function pseudoHeaderSum(frame: Uint8Array, l3: number, ipVersion: number, proto: number, length: number): number {
  const addresses = ipVersion === 4 ? onesComplementSum(frame, l3 + 12, l3 + 20) : onesComplementSum(frame, l3 + 8, l3 + 40);
  return addresses + proto + Math.floor(length / 0x10000) + (length & 0xffff);
}

/** Offset of the checksum field inside the transport header, or -1 when the protocol has none we fill. */
export function transportChecksumOffset(proto: number): number {
  switch (proto) {
    case 6:
      return 16;
    case 17:
      return 6;
    case 1:
    case 58:
      return 2;
    default:
      return -1;
  }
}

/**
 * Writes the checksum of the transport segment frame[l4 .. end) for TCP, UDP, ICMP and
 * ICMPv6; other protocols are left as they are. UDP's computed 0 is sent as 0xffff (RFC 768).
 */
export function writeTransportChecksum(frame: Uint8Array, l3: number, l4: number, end: number, ipVersion: number, proto: number): void {
  const at = transportChecksumOffset(proto);
  if (at < 0 || l4 + at + 2 > end) return;
  frame[l4 + at] = 0;
  frame[l4 + at + 1] = 0;
  const pseudo = proto === 1 ? 0 : pseudoHeaderSum(frame, l3, ipVersion, proto, end - l4);
  let checksum = finishChecksum(onesComplementSum(frame, l4, end, pseudo));
  if (proto === 17 && checksum === 0) checksum = 0xffff;
  writeU16(frame, l4 + at, checksum);
}

/** True when the transport checksum of frame[l4 .. end) verifies (0 for UDP means "none"). */
export function transportChecksumValid(frame: Uint8Array, l3: number, l4: number, end: number, ipVersion: number, proto: number): boolean {
  const at = transportChecksumOffset(proto);
  if (at < 0) return true;
  if (proto === 17 && ipVersion === 4 && frame[l4 + at] === 0 && frame[l4 + at + 1] === 0) return true;
  const pseudo = proto === 1 ? 0 : pseudoHeaderSum(frame, l3, ipVersion, proto, end - l4);
  return finishChecksum(onesComplementSum(frame, l4, end, pseudo)) === 0;
}

export function ipv4HeaderChecksumValid(frame: Uint8Array, l3: number): boolean {
  return finishChecksum(onesComplementSum(frame, l3, l3 + (frame[l3]! & 0x0f) * 4)) === 0;
}

function writeU16(frame: Uint8Array, at: number, value: number): void {
  frame[at] = value >>> 8;
  frame[at + 1] = value & 0xff;
}
