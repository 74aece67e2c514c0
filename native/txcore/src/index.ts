export { TAG_TRAILER_BYTES, TAG_MAGIC, TAG_MIN_FRAME_BYTES, TAG_NON_IP_FLOW_ID, TAG_FIELD_OFFSETS, decodeTagTrailer, encodeTagTrailer } from './tag-format.ts';
export type { TagTrailer } from './tag-format.ts';
