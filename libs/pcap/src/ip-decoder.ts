import type { DecodedHeaders } from './decoded-headers.ts';
import { decodeEthertype } from './link-decoder.ts';

/** IP protocol numbers the decoder acts on. */
export const IP_PROTO = {
  ICMP: 1,
  IPIP: 4,
  TCP: 6,
  UDP: 17,
  IPV6: 41,
  GRE: 47,
  ICMPV6: 58,
  SCTP: 132,
  UDPLITE: 136,
} as const;

/** Tunnels looked through (GRE, IP-in-IP): the innermost IP header keys the flow (issue 2). */
const MAX_TUNNEL_DEPTH = 4;
const MAX_IPV6_EXTENSIONS = 8;

/**
 * Decodes the IP header at p (version 4 or 6, from the link layer) and any tunnel inside
 * it. Fills `out` with the innermost header that is whole; returns false when not even
 * the outer one is (then `out.ipVersion` is 0).
 */
export function decodeIp(d: Uint8Array, p: number, end: number, version: number, out: DecodedHeaders): boolean {
  out.ipVersion = 0;
  for (let depth = 0; depth < MAX_TUNNEL_DEPTH; depth++) {
    const ok = version === 4 ? decodeIpv4(d, p, end, out) : decodeIpv6(d, p, end, out);
    if (!ok || out.l4 === 0) break;
    const proto = out.proto;
    let inner = -1;
    if (proto === IP_PROTO.IPIP) inner = out.l4 * 8 + 4;
    else if (proto === IP_PROTO.IPV6) inner = out.l4 * 8 + 6;
    else if (proto === IP_PROTO.GRE) inner = decodeGre(d, out.l4, out.ipEnd);
    if (inner < 0) break;
    version = inner & 7;
    p = (inner - version) / 8;
    end = out.ipEnd;
  }
  return out.ipVersion !== 0;
}

/** IPv4 with options; a non-first fragment has no transport header (l4 = 0). */
export function decodeIpv4(d: Uint8Array, p: number, end: number, out: DecodedHeaders): boolean {
  if (end - p < 20 || d[p] >> 4 !== 4) return false;
  const headerLength = (d[p] & 15) * 4;
  if (headerLength < 20) return false;
  const total = (d[p + 2] << 8) | d[p + 3];
  // Trust the stated length only when it shortens the packet (Ethernet padding); TSO
  // captures write 0.
  const ipEnd = total >= headerLength && total < end - p ? p + total : end;
  const fragmentOffset = ((d[p + 6] & 0x1f) << 8) | d[p + 7];
  const l4 = p + headerLength;
  out.ipVersion = 4;
  out.l3 = p;
  out.ipEnd = ipEnd;
  out.proto = d[p + 9];
  out.ttl = d[p + 8];
  out.l4 = fragmentOffset === 0 && l4 < ipEnd ? l4 : 0;
  return true;
}

/** IPv6 with extension headers; a non-first fragment has no transport header (l4 = 0). */
export function decodeIpv6(d: Uint8Array, p: number, end: number, out: DecodedHeaders): boolean {
  if (end - p < 40 || d[p] >> 4 !== 6) return false;
  const payload = (d[p + 4] << 8) | d[p + 5];
  const ipEnd = payload !== 0 && payload < end - p - 40 ? p + 40 + payload : end;
  let next = d[p + 6];
  let q = p + 40;
  for (let k = 0; k < MAX_IPV6_EXTENSIONS && q > 0; k++) {
    if (next === 0 || next === 43 || next === 60 || next === 135 || next === 139 || next === 140) {
      // Hop-by-hop, routing, destination options, mobility, HIP, shim6: (len + 1) * 8 bytes.
      if (ipEnd - q < 2) q = 0;
      else { next = d[q]; q += (d[q + 1] + 1) * 8; }
    } else if (next === 51) {
      // Authentication header: (len + 2) * 4 bytes.
      if (ipEnd - q < 2) q = 0;
      else { next = d[q]; q += (d[q + 1] + 2) * 4; }
    } else if (next === 44) {
      // Fragment header: only the first fragment (offset 0) carries the transport header.
      if (ipEnd - q < 8) q = 0;
      else {
        const offset = ((d[q + 2] << 8) | d[q + 3]) >> 3;
        next = d[q];
        q = offset === 0 ? q + 8 : 0;
      }
    } else break;
  }
  out.ipVersion = 6;
  out.l3 = p;
  out.ipEnd = ipEnd;
  out.proto = next;
  out.ttl = d[p + 7];
  out.l4 = q > 0 && q < ipEnd ? q : 0;
  return true;
}

const GRE_FLAG = { CHECKSUM: 0x8000, ROUTING: 0x4000, KEY: 0x2000, SEQUENCE: 0x1000 } as const;

/**
 * GRE version 0 (RFC 2784, 2890) carrying IPv4, IPv6 or Ethernet (transparent bridging):
 * returns `offset * 8 + version` of the inner IP header, or -1.
 */
export function decodeGre(d: Uint8Array, p: number, end: number): number {
  if (end - p < 4) return -1;
  const flags = (d[p] << 8) | d[p + 1];
  if ((flags & 7) !== 0 || (flags & GRE_FLAG.ROUTING) !== 0) return -1;
  const length = 4 + ((flags & GRE_FLAG.CHECKSUM) !== 0 ? 4 : 0) + ((flags & GRE_FLAG.KEY) !== 0 ? 4 : 0) + ((flags & GRE_FLAG.SEQUENCE) !== 0 ? 4 : 0);
  const inner = p + length;
  if (inner >= end) return -1;
  const type = (d[p + 2] << 8) | d[p + 3];
  if (type === 0x6558) return end - inner < 14 ? -1 : decodeEthertype(d, inner + 14, end, (d[inner + 12] << 8) | d[inner + 13]);
  return decodeEthertype(d, inner, end, type);
}

/** Ports (TCP, UDP, UDP-Lite, SCTP) and TCP flags of the transport header at out.l4. */
export function decodeTransport(d: Uint8Array, out: DecodedHeaders): void {
  const l4 = out.l4;
  const proto = out.proto;
  const available = out.ipEnd - l4;
  out.srcPort = 0;
  out.dstPort = 0;
  out.tcpFlags = 0;
  if (l4 === 0 || available < 4) return;
  if (proto === IP_PROTO.TCP || proto === IP_PROTO.UDP || proto === IP_PROTO.SCTP || proto === IP_PROTO.UDPLITE) {
    out.srcPort = (d[l4] << 8) | d[l4 + 1];
    out.dstPort = (d[l4 + 2] << 8) | d[l4 + 3];
    if (proto === IP_PROTO.TCP && available >= 14) out.tcpFlags = d[l4 + 13];
  }
}
