/**
 * Splits a buffer of archive bytes into whole records and fills a TsRecordBatch: the one
 * loop both the file reader and in-memory readers run. It stops at the first record that
 * is not wholly inside [start, end) (the caller reads more) or when the batch is full.
 * Bad input throws a MemocoError naming the record's file offset and record number.
 */
import type { MemocoError } from '@memoco/protocol';
import { BCD_STATUS, decodeBcdTimestampInto, describeBcdProblem, type DecodedTimestamp } from '../format/bcd-timestamp-codec.ts';
import { US_PER_DAY, US_PER_MINUTE } from '../format/civil-calendar.ts';
import { readRecordLength, RECORD_LAYOUT } from '../format/record-layout.ts';
import { tsArchiveError } from '../tsarchive-error.ts';
import type { DeviceIdTable } from './device-id-table.ts';
import type { TsRecordBatch } from './record-batch.ts';

/** Where the scanned bytes sit: `bufferFileOffset` is the file offset of buffer byte 0. */
export interface ScanPosition {
  bufferFileOffset: number;
  /** Record number of the next record to scan. */
  nextRecord: number;
}

const MAX_SAFE_US = 2 ** 53;
const HEADER = RECORD_LAYOUT.headerBytes;
const TS = RECORD_LAYOUT.timestampOffset;

/**
 * Scans records from buf[start..end) into `batch` (appending after batch.count).
 * Returns the buffer position just past the last record taken.
 */
export function scanRecords(buf: Uint8Array, start: number, end: number, pos: ScanPosition, batch: TsRecordBatch, devices: DeviceIdTable): number {
  const capacity = batch.recordOffset.length;
  const decoded: DecodedTimestamp = { localDays: 0, localUsOfDay: 0, offsetMinutes: 0 };
  let at = start;
  let n = batch.count;
  while (n < capacity && end - at >= 2) {
    const length = readRecordLength(buf, at);
    if (length < HEADER) throw recordError('TSARCHIVE_ERR_BAD_LENGTH', `Length ${length} is below the ${HEADER}-byte record header`, pos, at);
    if (end - at < length) break;
    const status = decodeBcdTimestampInto(buf, at + TS, decoded);
    if (status !== BCD_STATUS.ok) {
      throw recordError(status === BCD_STATUS.badBcd ? 'TSARCHIVE_ERR_BAD_BCD' : 'TSARCHIVE_ERR_BAD_DATE', describeBcdProblem(buf, at + TS), pos, at);
    }
    const us = decoded.localDays * US_PER_DAY + decoded.localUsOfDay - decoded.offsetMinutes * US_PER_MINUTE;
    if (us > MAX_SAFE_US || us < -MAX_SAFE_US) {
      throw recordError('TSARCHIVE_ERR_TIMESTAMP_RANGE', 'timestamp is beyond 2^53 us from 1970 (about years 1685-2255), which record batches hold as float64', pos, at);
    }
    batch.recordOffset[n] = at;
    batch.recordLength[n] = length;
    batch.fileOffset[n] = pos.bufferFileOffset + at;
    batch.timestampUs[n] = us;
    batch.offsetMinutes[n] = decoded.offsetMinutes;
    batch.deviceIndex[n] = devices.intern(buf, at + RECORD_LAYOUT.deviceOffset);
    n++;
    pos.nextRecord++;
    at += length;
  }
  batch.count = n;
  batch.data = buf;
  return at;
}

function recordError(code: Parameters<typeof tsArchiveError>[0], reason: string, pos: ScanPosition, at: number): MemocoError {
  const offset = pos.bufferFileOffset + at;
  return tsArchiveError(code, `record ${pos.nextRecord} at byte ${offset}: ${reason}`, { offset, record: pos.nextRecord });
}

/** The error for bytes left over at the end of the file that do not make a whole record. */
export function truncatedRecordError(buf: Uint8Array, at: number, end: number, pos: ScanPosition): MemocoError {
  const remaining = end - at;
  const reason = remaining < 2
    ? `${remaining} byte(s) left at the end of the file, too few for a Length field`
    : `Length ${readRecordLength(buf, at)} runs past the end of the file (${remaining} bytes left)`;
  return recordError('TSARCHIVE_ERR_TRUNCATED_RECORD', reason, pos, at);
}
