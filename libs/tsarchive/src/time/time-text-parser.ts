/**
 * Parses the time texts the converters and `ts synth --start` accept, exactly to the
 * microsecond (never through a float):
 *   - ISO 8601 extended: `2015-07-01T19:20:30.45+01:00`, `...Z`, `...` (naive)
 *   - the same with a space instead of `T` (`2020-02-08 13:30:47`, SKAB's form)
 *   - epoch seconds: `1583748873`, `1583748873.123456` (always UTC)
 * Fraction digits past the sixth are truncated (the archive's resolution is 1 us).
 */
import { tsArchiveError } from '../tsarchive-error.ts';
import { daysFromCivil, daysInMonth, US_PER_DAY, US_PER_MINUTE } from '../format/civil-calendar.ts';

/** A parsed time: local clock reading, and its offset when the text carried one. */
export interface ParsedTimeText {
  /** Local date as days since 1970-01-01 and local microseconds of that day. */
  localDays: number;
  localUsOfDay: number;
  /** Offset in minutes written in the text (`Z` = 0); undefined for a naive time. */
  offsetMinutes: number | undefined;
}

const ISO_RE = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;
const EPOCH_RE = /^(-?\d{1,12})(?:\.(\d+))?$/;

function fractionToUs(digits: string | undefined): number {
  if (!digits) return 0;
  return Number(digits.slice(0, 6).padEnd(6, '0'));
}

function parseOffset(text: string): number {
  if (text === 'Z' || text === 'z') return 0;
  const sign = text[0] === '-' ? -1 : 1;
  const digits = text.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
  if (hours > 23 || minutes > 59) throw tsArchiveError('TSARCHIVE_ERR_BAD_TIME_TEXT', `time-zone offset '${text}' is impossible (at most 23:59)`);
  return sign * (hours * 60 + minutes);
}

/** Parses ISO 8601 (or the space-separated form); returns undefined when the shape does not match. */
export function parseIsoTimeText(text: string): ParsedTimeText | undefined {
  const m = ISO_RE.exec(text.trim());
  if (!m) return undefined;
  const [year, month, day, hour, minute] = [m[1], m[2], m[3], m[4], m[5]].map(Number) as [number, number, number, number, number];
  const second = m[6] ? Number(m[6]) : 0;
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59 || second > 59) {
    throw tsArchiveError('TSARCHIVE_ERR_BAD_TIME_TEXT', `'${text}' is not a real date and time`);
  }
  return {
    localDays: daysFromCivil(year, month, day),
    localUsOfDay: ((hour * 60 + minute) * 60 + second) * 1e6 + fractionToUs(m[7]),
    offsetMinutes: m[8] === undefined ? undefined : parseOffset(m[8]),
  };
}

/** Parses epoch seconds with an optional fraction; returns undefined when the shape does not match. */
export function parseEpochSecondsText(text: string): bigint | undefined {
  const m = EPOCH_RE.exec(text.trim());
  if (!m) return undefined;
  const seconds = BigInt(m[1]!);
  const frac = BigInt(fractionToUs(m[2]));
  return m[1]!.startsWith('-') ? seconds * 1_000_000n - frac : seconds * 1_000_000n + frac;
}

/** UTC microseconds of a parsed time whose offset is known. */
export function parsedToEpochUs(parsed: ParsedTimeText, offsetMinutes: number): bigint {
  return BigInt(parsed.localDays) * BigInt(US_PER_DAY) + BigInt(parsed.localUsOfDay) - BigInt(offsetMinutes * US_PER_MINUTE);
}

/** Parses an ISO 8601 time that must carry its offset (`--start`); `Z` = UTC. */
export function parseIsoInstant(text: string): { epochUs: bigint; offsetMinutes: number } {
  const parsed = parseIsoTimeText(text);
  if (!parsed) throw tsArchiveError('TSARCHIVE_ERR_BAD_TIME_TEXT', `'${text}' is not an ISO 8601 time such as 2024-01-01T00:00:00Z`);
  const offsetMinutes = parsed.offsetMinutes ?? 0;
  return { epochUs: parsedToEpochUs(parsed, offsetMinutes), offsetMinutes };
}
