/**
 * Exact timestamps of archive records: UTC microseconds since 1970-01-01 as a bigint plus
 * the local offset the record was written with (the archive keeps local time + offset, as
 * the paper does; readers get UTC instants). Encoding and decoding round-trip exactly.
 */
import { tsArchiveError } from '../tsarchive-error.ts';
import { BCD_STATUS, decodeBcdTimestampInto, decodedToEpochUsBig, describeBcdProblem, MAX_OFFSET_MINUTES, writeBcdTimestamp, type DecodedTimestamp } from './bcd-timestamp-codec.ts';
import { civilFromDays, daysFromCivil, US_PER_DAY, US_PER_MINUTE } from './civil-calendar.ts';

/** One instant as the archive stores it. */
export interface TsTime {
  /** UTC microseconds since 1970-01-01T00:00:00Z. */
  epochUs: bigint;
  /** Local offset from UTC in minutes (+60 for +01:00); 0 for Z. */
  offsetMinutes: number;
}

const MIN_LOCAL_DAYS = daysFromCivil(0, 1, 1);
const MAX_LOCAL_DAYS = daysFromCivil(9999, 12, 31);
const US_PER_DAY_BIG = BigInt(US_PER_DAY);

/** Throws unless `offsetMinutes` is an integer within +-23:59. */
export function checkOffsetMinutes(offsetMinutes: number): void {
  if (!Number.isInteger(offsetMinutes) || Math.abs(offsetMinutes) > MAX_OFFSET_MINUTES) {
    throw tsArchiveError('TSARCHIVE_ERR_BAD_DATE', `time-zone offset ${offsetMinutes} min is outside -23:59..+23:59`);
  }
}

/** Writes the 12-byte Timestamp field for `epochUs` (UTC) shown at `offsetMinutes`. */
export function encodeTimestamp(dst: Uint8Array, at: number, epochUs: bigint | number, offsetMinutes: number): void {
  checkOffsetMinutes(offsetMinutes);
  let localDays: number;
  let usOfDay: number;
  if (typeof epochUs === 'number' && Number.isSafeInteger(epochUs)) {
    const local = epochUs + offsetMinutes * US_PER_MINUTE;
    localDays = Math.floor(local / US_PER_DAY);
    usOfDay = local - localDays * US_PER_DAY;
  } else {
    if (typeof epochUs === 'number') throw tsArchiveError('TSARCHIVE_ERR_TIMESTAMP_RANGE', `timestamp ${epochUs} us is not a safe integer; pass a bigint`);
    const local = epochUs + BigInt(offsetMinutes * US_PER_MINUTE);
    let days = local / US_PER_DAY_BIG;
    if (local < 0n && days * US_PER_DAY_BIG !== local) days -= 1n;
    localDays = Number(days);
    usOfDay = Number(local - days * US_PER_DAY_BIG);
  }
  if (localDays < MIN_LOCAL_DAYS || localDays > MAX_LOCAL_DAYS) {
    throw tsArchiveError('TSARCHIVE_ERR_TIMESTAMP_RANGE', `timestamp ${epochUs} us is outside years 0000-9999`);
  }
  writeBcdTimestamp(dst, at, localDays, usOfDay, offsetMinutes);
}

/** Reads the 12-byte Timestamp field at `at`; errors carry `offset` = at. */
export function decodeTimestamp(src: Uint8Array, at: number): TsTime {
  const out: DecodedTimestamp = { localDays: 0, localUsOfDay: 0, offsetMinutes: 0 };
  const status = decodeBcdTimestampInto(src, at, out);
  if (status !== BCD_STATUS.ok) {
    const code = status === BCD_STATUS.badBcd ? 'TSARCHIVE_ERR_BAD_BCD' : 'TSARCHIVE_ERR_BAD_DATE';
    throw tsArchiveError(code, describeBcdProblem(src, at), { offset: at });
  }
  return { epochUs: decodedToEpochUsBig(out), offsetMinutes: out.offsetMinutes };
}

const two = (n: number) => String(n).padStart(2, '0');

/** `+01:00`, `-01:30`, or `Z` for 0. */
export function formatOffset(offsetMinutes: number): string {
  if (offsetMinutes === 0) return 'Z';
  const abs = Math.abs(offsetMinutes);
  return `${offsetMinutes < 0 ? '-' : '+'}${two(Math.floor(abs / 60))}:${two(abs % 60)}`;
}

/**
 * ISO 8601 text of an instant in its local time, always with 6 fraction digits so the text
 * is exact and sorts: `2015-07-01T19:20:30.450000+01:00`, `2024-01-01T00:00:00.000000Z`.
 */
export function formatIsoTimestamp(epochUs: bigint | number, offsetMinutes = 0): string {
  const local = BigInt(epochUs) + BigInt(offsetMinutes * US_PER_MINUTE);
  let days = local / US_PER_DAY_BIG;
  if (local < 0n && days * US_PER_DAY_BIG !== local) days -= 1n;
  const usOfDay = Number(local - days * US_PER_DAY_BIG);
  const civil = { year: 0, month: 0, day: 0 };
  civilFromDays(Number(days), civil);
  const sec = Math.floor(usOfDay / 1e6);
  const date = `${String(civil.year).padStart(4, '0')}-${two(civil.month)}-${two(civil.day)}`;
  const time = `${two(Math.floor(sec / 3600))}:${two(Math.floor(sec / 60) % 60)}:${two(sec % 60)}.${String(usOfDay % 1e6).padStart(6, '0')}`;
  return `${date}T${time}${formatOffset(offsetMinutes)}`;
}
