/**
 * One record as an object, for tests, tools and small archives (allocates per record; the
 * hot paths use TsRecordBatch). Timestamps are exact bigints here.
 */
import { decodeDeviceId } from '../format/device-id.ts';
import { readRecordLength, RECORD_LAYOUT } from '../format/record-layout.ts';
import { decodeTimestamp } from '../format/ts-time.ts';
import { DeviceIdTable } from './device-id-table.ts';
import { createRecordBatch } from './record-batch.ts';
import { scanRecords, truncatedRecordError } from './record-scanner.ts';
import { TsArchiveReader, type TsArchiveReaderOptions } from './archive-reader.ts';

export interface TsRecord {
  /** UTC microseconds since 1970-01-01. */
  epochUs: bigint;
  /** Local offset in minutes the record was stored with. */
  offsetMinutes: number;
  /** Device name (padding removed). */
  device: string;
  /** The Data field (a copy). */
  data: Uint8Array;
}

/** Decodes the record whose Length field is at `at` (the caller has checked it is whole). */
export function decodeRecordAt(bytes: Uint8Array, at: number): TsRecord {
  const length = readRecordLength(bytes, at);
  const time = decodeTimestamp(bytes, at + RECORD_LAYOUT.timestampOffset);
  return {
    epochUs: time.epochUs,
    offsetMinutes: time.offsetMinutes,
    device: decodeDeviceId(bytes, at + RECORD_LAYOUT.deviceOffset),
    data: bytes.slice(at + RECORD_LAYOUT.dataOffset, at + length),
  };
}

/** All records of an in-memory archive; bad input throws like the file reader. */
export function decodeArchiveBytes(bytes: Uint8Array): TsRecord[] {
  const records: TsRecord[] = [];
  const batch = createRecordBatch(4096);
  const devices = new DeviceIdTable();
  const pos = { bufferFileOffset: 0, nextRecord: 0 };
  let at = 0;
  for (;;) {
    batch.count = 0;
    at = scanRecords(bytes, at, bytes.length, pos, batch, devices);
    for (let i = 0; i < batch.count; i++) records.push(decodeRecordAt(bytes, batch.recordOffset[i]!));
    if (batch.count === 0) break;
  }
  if (at < bytes.length) throw truncatedRecordError(bytes, at, bytes.length, pos);
  return records;
}

/** Every record of an archive file, streamed. */
export async function* readArchiveRecords(path: string, options: Partial<TsArchiveReaderOptions> = {}): AsyncGenerator<TsRecord> {
  const reader = await TsArchiveReader.open(path, options);
  for await (const batch of reader) {
    for (let i = 0; i < batch.count; i++) yield decodeRecordAt(batch.data, batch.recordOffset[i]!);
  }
}
