/**
 * The unit the trace reader hands out: up to `capacity` packets as parallel typed arrays
 * (struct of arrays), so reading and decoding a trace allocates no object per packet.
 *
 * A batch is reused: its arrays and `data` are valid only until the reader's next batch is
 * requested. Consumers that keep anything copy it out.
 *
 * Decoded fields describe the innermost IP header (GRE and IP-in-IP are looked through),
 * which is also what keys the flow.
 */
export interface PacketBatch {
  /** Number of valid packets in this batch (indices 0 .. count-1). */
  count: number;
  /** Global index of packet 0 of this batch in the trace (0-based record number). */
  firstIndex: number;

  /** Buffer holding the captured bytes of this batch's packets. */
  data: Uint8Array;
  /** Start of packet i's captured bytes in `data`. */
  dataOffset: Uint32Array;
  /** Captured length of packet i (bytes present in `data`). */
  capLen: Uint32Array;
  /** Original length on the wire of packet i. */
  origLen: Uint32Array;
  /** Byte offset of packet i's record header in the input file (for error reports). */
  fileOffset: Float64Array;

  /** Timestamp of packet i: whole seconds since the Unix epoch (if_tsoffset applied). */
  tsSec: Float64Array;
  /** Timestamp of packet i: nanoseconds within the second (0 .. 999,999,999). */
  tsNsec: Uint32Array;
  /** Link type (LINKTYPE_* number) of packet i's interface. */
  linkType: Uint16Array;

  /** 4 or 6 for an IP packet (innermost IP header), 0 when the packet is not IP. */
  ipVersion: Uint8Array;
  /** IP protocol of the innermost header (6 TCP, 17 UDP, 1 ICMP, 58 ICMPv6, ...). */
  proto: Uint8Array;
  /** Offset of the innermost IP header within the packet (from the packet's first byte). */
  l3Offset: Uint16Array;
  /** Offset of the transport header within the packet; 0 when absent (non-first fragment, truncated). */
  l4Offset: Uint16Array;
  /** Source and destination ports (0 for protocols without ports and non-first fragments). */
  srcPort: Uint16Array;
  dstPort: Uint16Array;
  /** TCP flags byte (0 for non-TCP). */
  tcpFlags: Uint8Array;
  /** IPv4 TTL or IPv6 hop limit. */
  ttl: Uint8Array;

  /** Dense bidirectional flow id of packet i (see FlowTable), or NO_FLOW when not IP. */
  flowId: Uint32Array;
  /** 0 when packet i goes in its flow's first-seen direction, 1 for the reverse. */
  direction: Uint8Array;
}

/** flowId of a packet that is not IP and so belongs to no flow. */
export const NO_FLOW = 0xffffffff;

/** A batch with room for `capacity` packets and no data yet (the reader sets `data`). */
export function createPacketBatch(capacity: number): PacketBatch {
  return {
    count: 0,
    firstIndex: 0,
    data: new Uint8Array(0),
    dataOffset: new Uint32Array(capacity),
    capLen: new Uint32Array(capacity),
    origLen: new Uint32Array(capacity),
    fileOffset: new Float64Array(capacity),
    tsSec: new Float64Array(capacity),
    tsNsec: new Uint32Array(capacity),
    linkType: new Uint16Array(capacity),
    ipVersion: new Uint8Array(capacity),
    proto: new Uint8Array(capacity),
    l3Offset: new Uint16Array(capacity),
    l4Offset: new Uint16Array(capacity),
    srcPort: new Uint16Array(capacity),
    dstPort: new Uint16Array(capacity),
    tcpFlags: new Uint8Array(capacity),
    ttl: new Uint8Array(capacity),
    flowId: new Uint32Array(capacity),
    direction: new Uint8Array(capacity),
  };
}
