/**
 * What the IP and transport decoders found in one packet: a single object reused for every
 * packet (numbers only), so decoding allocates nothing. Offsets are buffer positions.
 */
export class DecodedHeaders {
  /** 4 or 6 once an IP header was read, else 0. */
  ipVersion = 0;
  /** Position of the innermost IP header. */
  l3 = 0;
  /** Position of the transport header, 0 when absent (non-first fragment, nothing after IP). */
  l4 = 0;
  /** End of the IP packet: its stated length, or the captured end if that is shorter. */
  ipEnd = 0;
  proto = 0;
  ttl = 0;
  srcPort = 0;
  dstPort = 0;
  tcpFlags = 0;
}
