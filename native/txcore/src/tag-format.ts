/**
 * The sequence trailer `memoco replay --tag` writes into every packet (issue 3), so a
 * receiver can check order from the capture alone (`memoco verify-order --tags`).
 *
 * Layout: the LAST 24 bytes of every frame as it leaves the port, all fields big-endian
 * (network order, readable in a hex dump):
 *
 * | offset | size | field      | meaning                                                        |
 * |-------:|-----:|------------|----------------------------------------------------------------|
 * |      0 |    4 | magic      | 0x4D435351 ("MCSQ")                                            |
 * |      4 |    4 | flowId     | dense flow number, in order of first appearance in the trace   |
 * |      8 |    8 | globalSeq  | position in the global order, 0-based; loop k packet i is k*N+i |
 * |     16 |    8 | flowSeq    | position within the flow, 0-based, continuing across loops      |
 *
 * Placement (native/txcore/src/tag-trailer.h implements it; keep both in step):
 * - a flow is the bidirectional 5-tuple (both directions share one flowId); IPv4 fragments
 *   and IPv6 packets with a fragment header use (src, dst, proto); every non-IP packet
 *   belongs to flow 0xFFFFFFFF;
 * - "room" is the number of captured bytes after the decoded headers (L4 payload plus any
 *   link-layer padding). With room >= 24 the frame keeps its length and the trailer
 *   OVERWRITES its last 24 bytes; otherwise 24 bytes are APPENDED (IP/L4 length fields are
 *   not changed, so the receiver's IP stack sees them as link-layer padding);
 * - a frame shorter than 60 bytes (the Ethernet minimum without FCS) is then grown to 60,
 *   zero-filled before the trailer, so NIC padding can never move the trailer off the end;
 * - L4 checksums are not recomputed (the payload bytes changed): a receiver that validates
 *   them will count errors. Tagging is for order verification, not for stateful peers.
 */

export const TAG_TRAILER_BYTES = 24;
export const TAG_MAGIC = 0x4d435351;
export const TAG_MIN_FRAME_BYTES = 60;
/** flowId of every non-IP packet. */
export const TAG_NON_IP_FLOW_ID = 0xffffffff;

export const TAG_FIELD_OFFSETS = {
  magic: 0,
  flowId: 4,
  globalSeq: 8,
  flowSeq: 16,
} as const;

export interface TagTrailer {
  flowId: number;
  globalSeq: bigint;
  flowSeq: bigint;
}

/** Reads the trailer from the end of a captured frame; undefined when the magic is absent. */
export function decodeTagTrailer(frame: Uint8Array): TagTrailer | undefined {
  if (frame.length < TAG_TRAILER_BYTES) return undefined;
  const view = new DataView(frame.buffer, frame.byteOffset + frame.length - TAG_TRAILER_BYTES, TAG_TRAILER_BYTES);
  if (view.getUint32(TAG_FIELD_OFFSETS.magic) !== TAG_MAGIC) return undefined;
  return {
    flowId: view.getUint32(TAG_FIELD_OFFSETS.flowId),
    globalSeq: view.getBigUint64(TAG_FIELD_OFFSETS.globalSeq),
    flowSeq: view.getBigUint64(TAG_FIELD_OFFSETS.flowSeq),
  };
}

/** Writes a trailer into `out` (exactly TAG_TRAILER_BYTES long); used by tests and tools. */
export function encodeTagTrailer(tag: TagTrailer, out: Uint8Array = new Uint8Array(TAG_TRAILER_BYTES)): Uint8Array {
  const view = new DataView(out.buffer, out.byteOffset, TAG_TRAILER_BYTES);
  view.setUint32(TAG_FIELD_OFFSETS.magic, TAG_MAGIC);
  view.setUint32(TAG_FIELD_OFFSETS.flowId, tag.flowId >>> 0);
  view.setBigUint64(TAG_FIELD_OFFSETS.globalSeq, tag.globalSeq);
  view.setBigUint64(TAG_FIELD_OFFSETS.flowSeq, tag.flowSeq);
  return out;
}
