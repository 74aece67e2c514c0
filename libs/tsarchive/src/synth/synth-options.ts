/**
 * Options of `ts synth`: the synthetic files of paper 2's Table II (section VI.F.1), e.g.
 * 1M records at one per microsecond from one device, or 5M records from 100 devices.
 *
 * Record size: the paper's "record size" is the Data field (Fig. 8 goes down to 4-byte
 * records, and seismic records are 28 bytes: neither can be a total length that includes
 * the 30-byte header), so "each record is 70 bytes" (Table II) means 70 data bytes, a
 * 100-byte record. Give the size in exactly one unit: `recordBytes` (--size, the whole
 * record, Length's value) or `dataBytes` (--data-size). Default: dataBytes 70.
 */
import { MAX_RECORD_BYTES, RECORD_HEADER_BYTES } from '../format/record-layout.ts';
import { parseIsoInstant } from '../time/time-text-parser.ts';
import { tsArchiveError } from '../tsarchive-error.ts';

export interface TsSynthOptions {
  /** Number of records. */
  records: number;
  /** Number of devices; record i belongs to device i mod devices (`synth-<n>`). */
  devices: number;
  /** Time between consecutive records in nanoseconds; rounded down to whole microseconds per record (see docs). */
  intervalNs: number;
  /** Total length of each record (header + data), the Length field's value. */
  recordBytes: number;
  /** Timestamp of record 0: UTC microseconds and the offset it is written with. */
  startUs: bigint;
  startOffsetMinutes: number;
  /** Seed of the pseudo-random payload bytes. */
  seed: number;
}

/** What a caller may give: the size in one unit, the start as ISO text. */
export interface TsSynthOptionsInput {
  records?: number;
  devices?: number;
  intervalNs?: number;
  recordBytes?: number;
  dataBytes?: number;
  start?: string;
  seed?: number;
}

export const DEFAULT_TS_SYNTH_OPTIONS = {
  records: 1_000_000,
  devices: 1,
  intervalNs: 1000,
  dataBytes: 70,
  start: '2024-01-01T00:00:00Z',
  seed: 1,
} as const;

function bad(message: string): never {
  throw tsArchiveError('TSARCHIVE_ERR_BAD_OPTIONS', message);
}

function integerAtLeast(name: string, value: number, min: number): number {
  if (!Number.isSafeInteger(value) || value < min) bad(`${name} must be an integer >= ${min}, got ${value}`);
  return value;
}

export function parseTsSynthOptions(input: TsSynthOptionsInput = {}): TsSynthOptions {
  if (input.recordBytes !== undefined && input.dataBytes !== undefined) {
    bad('give the record size in one unit: --size (whole record, header included) or --data-size (Data field only), not both');
  }
  const recordBytes = input.recordBytes !== undefined
    ? integerAtLeast('--size', input.recordBytes, RECORD_HEADER_BYTES)
    : RECORD_HEADER_BYTES + integerAtLeast('--data-size', input.dataBytes ?? DEFAULT_TS_SYNTH_OPTIONS.dataBytes, 0);
  if (recordBytes > MAX_RECORD_BYTES) bad(`record size ${recordBytes} is above ${MAX_RECORD_BYTES}, the most a 2-byte Length can say`);
  const records = integerAtLeast('--records', input.records ?? DEFAULT_TS_SYNTH_OPTIONS.records, 0);
  const devices = integerAtLeast('--devices', input.devices ?? DEFAULT_TS_SYNTH_OPTIONS.devices, 1);
  const intervalNs = integerAtLeast('--interval-ns', input.intervalNs ?? DEFAULT_TS_SYNTH_OPTIONS.intervalNs, 0);
  const seed = integerAtLeast('--seed', input.seed ?? DEFAULT_TS_SYNTH_OPTIONS.seed, 0);
  const start = parseIsoInstant(input.start ?? DEFAULT_TS_SYNTH_OPTIONS.start);
  const lastUs = start.epochUs + (BigInt(Math.max(records - 1, 0)) * BigInt(intervalNs)) / 1000n;
  if (start.epochUs < -(2n ** 53n)) bad(`--start ${input.start} is before 2^53 us before 1970 (about year 1685)`);
  if (lastUs > 2n ** 53n) bad(`the last record would be at ${lastUs} us, beyond 2^53 us (about year 2255)`);
  return { records, devices, intervalNs, recordBytes, startUs: start.epochUs, startOffsetMinutes: start.offsetMinutes, seed };
}
