/**
 * The 12-byte Timestamp field (paper 2, section V.A, Table I): ISO 8601 local time as BCD
 * digits, most significant first, then the time-zone designator:
 *
 *   byte 0-1  YYYY     byte 4  hh     byte 7-9  ffffff (microseconds, 6 digits)
 *   byte 2    MM       byte 5  mm     byte 10   sign(1 bit) | first offset-hour digit (3 bits) | second (4 bits)
 *   byte 3    DD       byte 6  ss     byte 11   offset minutes, 2 BCD digits
 *
 * `Z` is stored as +00:00 (Table I: ...Z -> 00 00). The digits are the LOCAL time; the UTC
 * instant is local minus offset. "-00:00" (0x80 0x00) decodes as offset 0.
 * Nothing here allocates on the success path: the reader calls it per record.
 */
import { civilFromDays, daysFromCivil, daysInMonth, US_PER_DAY, US_PER_MINUTE } from './civil-calendar.ts';

/** Result of decoding: local date as days since 1970-01-01, local time of day, offset. */
export interface DecodedTimestamp {
  localDays: number;
  localUsOfDay: number;
  offsetMinutes: number;
}

export const BCD_STATUS = { ok: 0, badBcd: 1, badDate: 2 } as const;
export type BcdStatus = (typeof BCD_STATUS)[keyof typeof BCD_STATUS];

/** Largest offset the field can hold with valid clock digits: 23:59. */
export const MAX_OFFSET_MINUTES = 23 * 60 + 59;

/** BCD byte -> 0..99, or -1 when a nibble is above 9. */
const BCD_VALUE = new Int8Array(256).map((_, b) => ((b >> 4) <= 9 && (b & 15) <= 9 ? (b >> 4) * 10 + (b & 15) : -1));
/** 0..99 -> BCD byte. */
export const BCD_BYTE = Uint8Array.from({ length: 100 }, (_, v) => ((v / 10) << 4) | v % 10);

const civil = { year: 0, month: 0, day: 0 };

/** Decodes the field at `at` into `out`; returns a BcdStatus (0 = ok). */
export function decodeBcdTimestampInto(src: Uint8Array, at: number, out: DecodedTimestamp): BcdStatus {
  const yHi = BCD_VALUE[src[at]!]!, yLo = BCD_VALUE[src[at + 1]!]!, month = BCD_VALUE[src[at + 2]!]!, day = BCD_VALUE[src[at + 3]!]!;
  const hour = BCD_VALUE[src[at + 4]!]!, minute = BCD_VALUE[src[at + 5]!]!, second = BCD_VALUE[src[at + 6]!]!;
  const f0 = BCD_VALUE[src[at + 7]!]!, f1 = BCD_VALUE[src[at + 8]!]!, f2 = BCD_VALUE[src[at + 9]!]!;
  const tz = src[at + 10]!, tzMin = BCD_VALUE[src[at + 11]!]!;
  const tzHour = BCD_VALUE[tz & 0x7f]!;
  if ((yHi | yLo | month | day | hour | minute | second | f0 | f1 | f2 | tzMin | tzHour) < 0) return BCD_STATUS.badBcd;
  const year = yHi * 100 + yLo;
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return BCD_STATUS.badDate;
  if (hour > 23 || minute > 59 || second > 59 || tzHour > 23 || tzMin > 59) return BCD_STATUS.badDate;
  out.localDays = daysFromCivil(year, month, day);
  out.localUsOfDay = ((hour * 60 + minute) * 60 + second) * 1_000_000 + (f0 * 100 + f1) * 100 + f2;
  const offset = tzHour * 60 + tzMin;
  out.offsetMinutes = tz & 0x80 && offset !== 0 ? -offset : offset;
  return BCD_STATUS.ok;
}

/** UTC microseconds since the epoch as a float64 (exact while |value| <= 2^53). */
export function decodedToEpochUs(d: DecodedTimestamp): number {
  return d.localDays * US_PER_DAY + d.localUsOfDay - d.offsetMinutes * US_PER_MINUTE;
}

/** UTC microseconds since the epoch as an exact bigint (any year 0000-9999). */
export function decodedToEpochUsBig(d: DecodedTimestamp): bigint {
  return BigInt(d.localDays) * BigInt(US_PER_DAY) + BigInt(d.localUsOfDay) - BigInt(d.offsetMinutes * US_PER_MINUTE);
}

/** A one-line reason for a non-ok status (slow path, errors only). */
export function describeBcdProblem(src: Uint8Array, at: number): string {
  const hex = Array.from(src.subarray(at, at + 12), (b) => b.toString(16).padStart(2, '0')).join(' ');
  const names = ['year', 'year', 'month', 'day', 'hour', 'minute', 'second', 'microsecond', 'microsecond', 'microsecond', 'zone hour', 'zone minute'];
  for (let i = 0; i < 12; i++) {
    const b = i === 10 ? src[at + i]! & 0x7f : src[at + i]!;
    if (BCD_VALUE[b]! < 0) return `timestamp byte ${i} (${names[i]}) 0x${src[at + i]!.toString(16).padStart(2, '0')} is not two decimal digits [${hex}]`;
  }
  const v = (i: number) => BCD_VALUE[src[at + i]!]!;
  const year = v(0) * 100 + v(1), month = v(2), day = v(3);
  if (month < 1 || month > 12) return `month ${month} is impossible [${hex}]`;
  if (day < 1 || day > daysInMonth(year, month)) return `day ${day} does not exist in ${year}-${String(month).padStart(2, '0')} [${hex}]`;
  if (v(4) > 23 || v(5) > 59 || v(6) > 59) return `time ${v(4)}:${v(5)}:${v(6)} is impossible (hour 0-23, minute and second 0-59) [${hex}]`;
  return `time-zone offset ${BCD_VALUE[src[at + 10]! & 0x7f]}:${v(11)} is impossible (at most 23:59) [${hex}]`;
}

/**
 * Writes the field for local date `localDays` (days since 1970-01-01), local time of day
 * `localUsOfDay` and `offsetMinutes`. The caller checks the year is 0000-9999 and the
 * offset within +-23:59 (see encodeBcdTimestamp in timestamp-encoder.ts).
 */
export function writeBcdTimestamp(dst: Uint8Array, at: number, localDays: number, localUsOfDay: number, offsetMinutes: number): void {
  civilFromDays(localDays, civil);
  const secOfDay = Math.floor(localUsOfDay / 1_000_000);
  const us = localUsOfDay - secOfDay * 1_000_000;
  dst[at] = BCD_BYTE[Math.floor(civil.year / 100)]!;
  dst[at + 1] = BCD_BYTE[civil.year % 100]!;
  dst[at + 2] = BCD_BYTE[civil.month]!;
  dst[at + 3] = BCD_BYTE[civil.day]!;
  dst[at + 4] = BCD_BYTE[Math.floor(secOfDay / 3600)]!;
  dst[at + 5] = BCD_BYTE[Math.floor(secOfDay / 60) % 60]!;
  dst[at + 6] = BCD_BYTE[secOfDay % 60]!;
  dst[at + 7] = BCD_BYTE[Math.floor(us / 10_000)]!;
  dst[at + 8] = BCD_BYTE[Math.floor(us / 100) % 100]!;
  dst[at + 9] = BCD_BYTE[us % 100]!;
  const abs = Math.abs(offsetMinutes);
  dst[at + 10] = BCD_BYTE[Math.floor(abs / 60)]! | (offsetMinutes < 0 ? 0x80 : 0);
  dst[at + 11] = BCD_BYTE[abs % 60]!;
}
