/**
 * Encodes records into bytes in memory (tests, small tools). Same checks as the writer.
 */
import { DEVICE_ID_BYTES, encodeDeviceId } from '../format/device-id.ts';
import { MAX_RECORD_BYTES, RECORD_LAYOUT, writeRecordLength } from '../format/record-layout.ts';
import { encodeTimestamp } from '../format/ts-time.ts';
import { tsArchiveError } from '../tsarchive-error.ts';
import type { TsRecordInput } from './archive-writer.ts';

/** Writes `record` at dst[at..] and returns its total length. dst must have room. */
export function encodeRecordInto(dst: Uint8Array, at: number, record: TsRecordInput): number {
  const length = RECORD_LAYOUT.headerBytes + record.data.length;
  if (length > MAX_RECORD_BYTES) {
    throw tsArchiveError('TSARCHIVE_ERR_RECORD_TOO_LARGE', `${record.data.length} data bytes make a ${length}-byte record, above ${MAX_RECORD_BYTES}`);
  }
  const device = typeof record.device === 'string' ? encodeDeviceId(record.device) : record.device;
  if (device.length !== DEVICE_ID_BYTES) throw tsArchiveError('TSARCHIVE_ERR_BAD_DEVICE_ID', `device id must be ${DEVICE_ID_BYTES} bytes, got ${device.length}`);
  encodeTimestamp(dst, at + RECORD_LAYOUT.timestampOffset, record.epochUs, record.offsetMinutes ?? 0);
  writeRecordLength(dst, at, length);
  dst.set(device, at + RECORD_LAYOUT.deviceOffset);
  dst.set(record.data, at + RECORD_LAYOUT.dataOffset);
  return length;
}

/** The archive bytes of `records`, back to back. */
export function encodeArchiveBytes(records: readonly TsRecordInput[]): Uint8Array {
  const total = records.reduce((sum, r) => sum + RECORD_LAYOUT.headerBytes + r.data.length, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const record of records) at += encodeRecordInto(out, at, record);
  return out;
}
