import { LINKTYPE } from './link-types.ts';

/**
 * Finds the IP header behind a packet's link-layer header. Returns `offset * 8 + version`
 * (version 4 or 6) of the first IP header, or -1 when the packet carries no IP (ARP, STP,
 * unknown link types, headers cut short). Numbers, not objects: this runs per packet.
 */
export function decodeLink(d: Uint8Array, p: number, end: number, linkType: number): number {
  switch (linkType) {
    case LINKTYPE.ETHERNET:
      return end - p < 14 ? -1 : decodeEthertype(d, p + 14, end, (d[p + 12] << 8) | d[p + 13]);
    case LINKTYPE.LINUX_SLL:
      return end - p < 16 ? -1 : decodeEthertype(d, p + 16, end, (d[p + 14] << 8) | d[p + 15]);
    case LINKTYPE.LINUX_SLL2:
      return end - p < 20 ? -1 : decodeEthertype(d, p + 20, end, (d[p] << 8) | d[p + 1]);
    case LINKTYPE.RAW:
      return end - p < 1 ? -1 : byVersionNibble(d, p);
    case LINKTYPE.IPV4:
      return p * 8 + 4;
    case LINKTYPE.IPV6:
      return p * 8 + 6;
    case LINKTYPE.NULL:
      // The family is in the capturing host's byte order: a big-endian one starts with zeros.
      if (end - p < 4) return -1;
      return byAddressFamily(d[p] === 0 && d[p + 1] === 0 ? (d[p + 2] << 8) | d[p + 3] : (d[p + 1] << 8) | d[p], p + 4);
    case LINKTYPE.LOOP:
      return end - p < 4 ? -1 : byAddressFamily((d[p + 2] << 8) | d[p + 3], p + 4);
    default:
      return -1;
  }
}

const ETHERTYPE = {
  IPV4: 0x0800,
  IPV6: 0x86dd,
  VLAN: 0x8100,
  QINQ: 0x88a8,
  QINQ_OLD_1: 0x9100,
  QINQ_OLD_2: 0x9200,
  MPLS: 0x8847,
  MPLS_MULTICAST: 0x8848,
  PPPOE_SESSION: 0x8864,
} as const;
const MAX_TAGS = 8;
const MAX_MPLS_LABELS = 16;

/** Follows 802.1Q/802.1ad tags (QinQ), MPLS labels and PPPoE to the IP header. */
export function decodeEthertype(d: Uint8Array, p: number, end: number, etherType: number): number {
  let type = etherType;
  for (let tags = 0; tags <= MAX_TAGS; tags++) {
    if (type === ETHERTYPE.IPV4) return p * 8 + 4;
    if (type === ETHERTYPE.IPV6) return p * 8 + 6;
    if (type === ETHERTYPE.VLAN || type === ETHERTYPE.QINQ || type === ETHERTYPE.QINQ_OLD_1 || type === ETHERTYPE.QINQ_OLD_2) {
      if (end - p < 4) return -1;
      type = (d[p + 2] << 8) | d[p + 3];
      p += 4;
      continue;
    }
    if (type === ETHERTYPE.MPLS || type === ETHERTYPE.MPLS_MULTICAST) return decodeMpls(d, p, end);
    if (type === ETHERTYPE.PPPOE_SESSION) return decodePppoe(d, p, end);
    return -1;
  }
  return -1;
}

function decodeMpls(d: Uint8Array, p: number, end: number): number {
  for (let labels = 0; labels < MAX_MPLS_LABELS && end - p >= 4; labels++) {
    const bottom = (d[p + 2] & 1) !== 0;
    p += 4;
    if (!bottom) continue;
    if (end - p < 1) return -1;
    // First nibble 0: a pseudowire control word and then Ethernet (RFC 4448), as
    // Wireshark guesses too.
    if (d[p] >> 4 === 0) return end - p < 18 ? -1 : decodeEthertype(d, p + 18, end, (d[p + 16] << 8) | d[p + 17]);
    return byVersionNibble(d, p);
  }
  return -1;
}

/** PPPoE session header (6 bytes), then the 2-byte PPP protocol. */
function decodePppoe(d: Uint8Array, p: number, end: number): number {
  if (end - p < 8) return -1;
  const ppp = (d[p + 6] << 8) | d[p + 7];
  return ppp === 0x0021 ? (p + 8) * 8 + 4 : ppp === 0x0057 ? (p + 8) * 8 + 6 : -1;
}

function byVersionNibble(d: Uint8Array, p: number): number {
  const version = d[p] >> 4;
  return version === 4 || version === 6 ? p * 8 + version : -1;
}

/** BSD AF_INET is 2 everywhere; AF_INET6 is 24 (NetBSD/OpenBSD), 28 (FreeBSD), 30 (macOS), 10 (Linux). */
function byAddressFamily(family: number, p: number): number {
  if (family === 2) return p * 8 + 4;
  if (family === 24 || family === 28 || family === 30 || family === 10) return p * 8 + 6;
  return -1;
}
