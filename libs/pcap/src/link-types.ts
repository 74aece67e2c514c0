/**
 * Link-layer header types the reader decodes (tcpdump.org/linktypes.html numbers, as
 * written in pcap headers and pcapng interface blocks). Any other link type is read and
 * counted but its packets are not IP (ipVersion 0).
 */
export const LINKTYPE = {
  /** BSD loopback: 4-byte address family in the capturing host's byte order. */
  NULL: 0,
  ETHERNET: 1,
  /** Raw IP, version taken from the first nibble. */
  RAW: 101,
  /** OpenBSD loopback: 4-byte address family in network byte order. */
  LOOP: 108,
  /** Linux cooked capture v1 (16-byte header). */
  LINUX_SLL: 113,
  IPV4: 228,
  IPV6: 229,
  /** Linux cooked capture v2 (20-byte header). */
  LINUX_SLL2: 276,
} as const;

export type KnownLinkType = (typeof LINKTYPE)[keyof typeof LINKTYPE];

/** A short name for a link type, for `memoco inspect`'s human output. */
export function linkTypeName(linkType: number): string {
  for (const [name, value] of Object.entries(LINKTYPE)) if (value === linkType) return name;
  return `LINKTYPE_${linkType}`;
}
