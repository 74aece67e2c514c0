/**
 * `ts inspect`: one streaming pass over an archive with the batch reader (memory does not
 * grow with the file, only with the number of devices), summing what a user or the replay
 * engine needs to know before a run.
 */
import { formatIsoTimestamp } from '../format/ts-time.ts';
import { TsArchiveReader } from '../read/archive-reader.ts';

export interface TsDeviceSummary {
  device: string;
  records: number;
  bytes: number;
  firstTimestamp: string;
  lastTimestamp: string;
}

export interface TsInspectSummary {
  records: number;
  devices: number;
  /** File size in bytes. */
  bytes: number;
  /** Timestamps of the first and last record in file order, UTC ISO 8601 (null when empty). */
  firstTimestamp: string | null;
  lastTimestamp: string | null;
  /** Last minus first record's timestamp, in seconds (microsecond-exact decimal). */
  durationSeconds: number;
  /** Records whose timestamp is earlier than the record before them (0 for a time-ordered archive). */
  outOfOrder: number;
  minRecordBytes: number;
  maxRecordBytes: number;
  perDevice?: TsDeviceSummary[];
}

export interface TsInspectHooks {
  perDevice?: boolean;
  onProgress?: (recordsDone: number, bytesTotal: number) => void;
}

class PerDeviceTotals {
  records = new Float64Array(16);
  bytes = new Float64Array(16);
  first = new Float64Array(16);
  last = new Float64Array(16);

  add(device: number, length: number, us: number): void {
    if (device >= this.records.length) this.grow(device);
    if (this.records[device] === 0) this.first[device] = us;
    this.records[device]! += 1;
    this.bytes[device]! += length;
    this.last[device] = us;
  }

  private grow(device: number): void {
    const size = Math.max(device + 1, this.records.length * 2);
    for (const key of ['records', 'bytes', 'first', 'last'] as const) {
      const grown = new Float64Array(size);
      grown.set(this[key]);
      this[key] = grown;
    }
  }
}

export async function inspectArchive(path: string, hooks: TsInspectHooks = {}): Promise<TsInspectSummary> {
  const reader = await TsArchiveReader.open(path);
  const totals = new PerDeviceTotals();
  let records = 0, outOfOrder = 0, minLen = Infinity, maxLen = 0;
  let first = NaN, prev = -Infinity;
  for await (const batch of reader) {
    for (let i = 0; i < batch.count; i++) {
      const us = batch.timestampUs[i]!;
      const length = batch.recordLength[i]!;
      if (us < prev) outOfOrder++;
      prev = us;
      if (length < minLen) minLen = length;
      if (length > maxLen) maxLen = length;
      if (hooks.perDevice) totals.add(batch.deviceIndex[i]!, length, us);
    }
    if (records === 0 && batch.count > 0) first = batch.timestampUs[0]!;
    records += batch.count;
    hooks.onProgress?.(records, reader.fileBytes);
  }
  const summary: TsInspectSummary = {
    records,
    devices: reader.devices.count,
    bytes: reader.fileBytes,
    firstTimestamp: records ? formatIsoTimestamp(first) : null,
    lastTimestamp: records ? formatIsoTimestamp(prev) : null,
    durationSeconds: records ? (prev - first) / 1e6 : 0,
    outOfOrder,
    minRecordBytes: records ? minLen : 0,
    maxRecordBytes: maxLen,
  };
  if (hooks.perDevice) {
    summary.perDevice = reader.devices.names().map((device, d) => ({
      device,
      records: totals.records[d]!,
      bytes: totals.bytes[d]!,
      firstTimestamp: formatIsoTimestamp(totals.first[d]!),
      lastTimestamp: formatIsoTimestamp(totals.last[d]!),
    }));
  }
  return summary;
}
