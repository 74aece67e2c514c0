/**
 * Pass 1 over a miniSEED file: the header of every data record (offset, length, source,
 * start, sample count, rate), in compact typed columns (about 40 bytes per record, so the
 * index of a 10 GB file of 4 KiB records is ~100 MB). Records that are not data records
 * (SEED volume control headers, blank padding) are skipped by looking for the next data
 * header at 64-byte steps.
 */
import { MemocoError } from '@memoco/protocol';
import { tsArchiveError } from '../../tsarchive-error.ts';
import type { FileWindow } from '../common/file-window.ts';
import { looksLikeMseedRecord, MSEED_ENCODING, MSEED_FIXED_HEADER_BYTES, parseMseedRecordHeader } from './mseed-record-header.ts';

export interface MseedRecordIndex {
  count: number;
  fileOffset: Float64Array;
  recordLength: Uint32Array;
  startUs: Float64Array;
  sampleCount: Uint32Array;
  rateNum: Float64Array;
  rateDen: Float64Array;
  /** Index into `sources`. */
  source: Uint32Array;
  sources: string[];
  /** Total samples of all indexed records. */
  totalSamples: number;
  /** Records skipped: ASCII (log) records, records with 0 samples or rate 0. */
  skippedRecords: number;
}

const HEADER_PEEK = 4096;
const SKIP_STEP = 64;

function grow<T extends Float64Array | Uint32Array>(a: T): T {
  const bigger = new (a.constructor as new (n: number) => T)(a.length * 2);
  bigger.set(a);
  return bigger;
}

export async function indexMseedRecords(file: FileWindow): Promise<MseedRecordIndex> {
  const idx: MseedRecordIndex = {
    count: 0, fileOffset: new Float64Array(256), recordLength: new Uint32Array(256), startUs: new Float64Array(256),
    sampleCount: new Uint32Array(256), rateNum: new Float64Array(256), rateDen: new Float64Array(256), source: new Uint32Array(256),
    sources: [], totalSamples: 0, skippedRecords: 0,
  };
  const sourceIds = new Map<string, number>();
  let position = 0;
  let record = 0;
  while (position + MSEED_FIXED_HEADER_BYTES <= file.size) {
    const bytes = await file.view(position, HEADER_PEEK);
    if (!looksLikeMseedRecord(bytes, 0)) {
      position += SKIP_STEP;
      continue;
    }
    let header;
    try {
      header = parseMseedRecordHeader(bytes, 0, bytes.length);
    } catch (error) {
      if (error instanceof MemocoError) Object.assign(error.details, { offset: position + (error.details.offset ?? 0), record, file: file.path });
      throw error;
    }
    if (position + header.recordLength > file.size) {
      throw tsArchiveError('TSARCHIVE_ERR_MSEED_TRUNCATED', `record ${record} at byte ${position} needs ${header.recordLength} bytes, the file has ${file.size - position} left`, { offset: position, record, file: file.path });
    }
    if (header.encoding === MSEED_ENCODING.ascii || header.sampleCount === 0 || header.rateNum === 0) {
      idx.skippedRecords++;
    } else {
      add(idx, sourceIds, position, header);
    }
    position += header.recordLength;
    record++;
  }
  if (record === 0) throw tsArchiveError('TSARCHIVE_ERR_MSEED_BAD_HEADER', 'no miniSEED 2 data record found in the file', { offset: 0, record: 0, file: file.path });
  return idx;
}

function add(idx: MseedRecordIndex, sourceIds: Map<string, number>, position: number, h: ReturnType<typeof parseMseedRecordHeader>): void {
  if (idx.count === idx.fileOffset.length) {
    for (const key of ['fileOffset', 'recordLength', 'startUs', 'sampleCount', 'rateNum', 'rateDen', 'source'] as const) {
      (idx as unknown as Record<string, Float64Array | Uint32Array>)[key] = grow(idx[key]);
    }
  }
  let source = sourceIds.get(h.sourceId);
  if (source === undefined) {
    source = idx.sources.length;
    idx.sources.push(h.sourceId);
    sourceIds.set(h.sourceId, source);
  }
  const i = idx.count++;
  idx.fileOffset[i] = position;
  idx.recordLength[i] = h.recordLength;
  idx.startUs[i] = h.startUs;
  idx.sampleCount[i] = h.sampleCount;
  idx.rateNum[i] = h.rateNum;
  idx.rateDen[i] = h.rateDen;
  idx.source[i] = source;
  idx.totalSamples += h.sampleCount;
}
