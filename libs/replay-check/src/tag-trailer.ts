/**
 * The sequence trailer `memoco replay --tag` writes as the LAST 24 bytes of every frame,
 * big-endian: magic "MCSQ" (4) | flowId (4) | globalSeq (8) | flowSeq (8). The format is
 * owned by native/txcore/src/tag-format.ts (issue 3); it is restated here because libs may
 * not import @memoco/txcore (only apps load the addon's package), and because this decoder
 * reads straight from a reused batch buffer with no DataView or BigInt per packet.
 * tag-trailer.spec.ts encodes with txcore's encoder and decodes with this one, so the two
 * cannot drift apart silently.
 */
export const TAG_TRAILER_BYTES = 24;
export const TAG_MAGIC = 0x4d435351;
/** flowId of every non-IP packet in the tag. */
export const TAG_NON_IP_FLOW_ID = 0xffffffff;

/** A decoded trailer; globalSeq is exact below 2^53 (about 9e15 packets). */
export interface DecodedTag {
  flowId: number;
  globalSeq: number;
  flowSeq: number;
}

/**
 * Reads the trailer at the end of data[offset .. offset+length) into `out`; false when the
 * frame is too short or the magic is not there (an untagged packet, or one cut by snaplen).
 */
export function readTagTrailer(data: Uint8Array, offset: number, length: number, out: DecodedTag): boolean {
  if (length < TAG_TRAILER_BYTES) return false;
  const at = offset + length - TAG_TRAILER_BYTES;
  if (readU32(data, at) !== TAG_MAGIC) return false;
  out.flowId = readU32(data, at + 4);
  out.globalSeq = readU32(data, at + 8) * 0x1_0000_0000 + readU32(data, at + 12);
  out.flowSeq = readU32(data, at + 16) * 0x1_0000_0000 + readU32(data, at + 20);
  return true;
}

function readU32(data: Uint8Array, at: number): number {
  return ((data[at]! << 24) | (data[at + 1]! << 16) | (data[at + 2]! << 8) | data[at + 3]!) >>> 0;
}
