/**
 * Byte layout of one archive record, exactly as paper 2 (Kuang et al., section V.A,
 * Figure 6) defines it. A file is records back to back: no file header, no padding.
 *
 *   offset  size  field
 *   0       2     Length: the record's TOTAL length (header included), unsigned BIG-endian
 *   2       12    Timestamp: ISO 8601 local time packed as BCD + time-zone offset (Table I)
 *   14      16    Device ID: bytes, right-padded with 0x00
 *   30      n     Data: opaque payload, n = Length - 30 (0 .. 65,505)
 *
 * Length is big-endian (our choice; the paper does not say): the whole record then reads
 * most-significant-first like the BCD timestamp, and it is network order, which the
 * replay engine also writes on the wire.
 */
export const RECORD_LAYOUT = {
  lengthOffset: 0,
  lengthBytes: 2,
  timestampOffset: 2,
  timestampBytes: 12,
  deviceOffset: 14,
  deviceBytes: 16,
  dataOffset: 30,
  headerBytes: 30,
  maxRecordBytes: 0xffff,
} as const;

/** The fixed header in front of every record's data. */
export const RECORD_HEADER_BYTES = RECORD_LAYOUT.headerBytes;
/** The longest record a 2-byte Length can describe. */
export const MAX_RECORD_BYTES = RECORD_LAYOUT.maxRecordBytes;
/** The most data one record can carry. */
export const MAX_DATA_BYTES = MAX_RECORD_BYTES - RECORD_HEADER_BYTES;

/** Reads a record's Length field (big-endian) at `at`. */
export function readRecordLength(bytes: Uint8Array, at: number): number {
  return (bytes[at]! << 8) | bytes[at + 1]!;
}

/** Writes a record's Length field (big-endian) at `at`. */
export function writeRecordLength(bytes: Uint8Array, at: number, length: number): void {
  bytes[at] = length >>> 8;
  bytes[at + 1] = length & 0xff;
}
