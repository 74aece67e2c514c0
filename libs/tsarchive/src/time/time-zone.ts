/**
 * The zone that naive CSV times are read in (`--tz`, default UTC): a fixed offset
 * (`UTC`, `Z`, `+03:00`, `-0700`) or an IANA name (`Europe/Moscow`), whose offset at each
 * local time comes from the runtime's ICU data (Intl). For a local time that a DST change
 * skips or repeats, the larger (more eastern) of the two candidate offsets is used.
 */
import { tsArchiveError } from '../tsarchive-error.ts';
import { US_PER_DAY, US_PER_MINUTE } from '../format/civil-calendar.ts';

export interface TimeZoneResolver {
  /** The zone's name as given. */
  readonly name: string;
  /** Offset in minutes of the zone at the given LOCAL time. */
  offsetAtLocal(localDays: number, localUsOfDay: number): number;
}

const FIXED_RE = /^([+-])(\d{2}):?(\d{2})$/;

function fixedZone(name: string, offsetMinutes: number): TimeZoneResolver {
  return { name, offsetAtLocal: () => offsetMinutes };
}

function ianaOffsetAtUtc(format: Intl.DateTimeFormat, utcMs: number): number {
  const part = format.formatToParts(new Date(utcMs)).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  const m = /^GMT(?:([+-])(\d{2}):(\d{2}))?$/.exec(part);
  if (!m || !m[1]) return 0;
  return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
}

function ianaZone(name: string): TimeZoneResolver {
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-US', { timeZone: name, timeZoneName: 'longOffset' });
  } catch {
    throw tsArchiveError('TSARCHIVE_ERR_BAD_TIME_TEXT', `--tz '${name}' is neither UTC, an offset like +03:00, nor a known IANA zone`);
  }
  const cache = new Map<number, number>();
  return {
    name,
    offsetAtLocal(localDays, localUsOfDay) {
      // Zone rules change on whole quarter-hours at most: cache by local quarter-hour.
      const key = localDays * 96 + Math.floor(localUsOfDay / (15 * US_PER_MINUTE));
      const hit = cache.get(key);
      if (hit !== undefined) return hit;
      const localMs = (localDays * US_PER_DAY + localUsOfDay) / 1000;
      const first = ianaOffsetAtUtc(format, localMs);
      const second = ianaOffsetAtUtc(format, localMs - first * 60_000);
      const offset = first === second ? first : Math.max(first, second);
      if (cache.size > 100_000) cache.clear();
      cache.set(key, offset);
      return offset;
    },
  };
}

/** Parses a --tz value. */
export function parseTimeZone(text: string): TimeZoneResolver {
  if (text === 'UTC' || text === 'Z' || text === 'utc') return fixedZone(text, 0);
  const m = FIXED_RE.exec(text);
  if (m) {
    const minutes = Number(m[2]) * 60 + Number(m[3]);
    if (Number(m[2]) > 23 || Number(m[3]) > 59) throw tsArchiveError('TSARCHIVE_ERR_BAD_TIME_TEXT', `--tz '${text}' is impossible (at most 23:59)`);
    return fixedZone(text, m[1] === '-' ? -minutes : minutes);
  }
  return ianaZone(text);
}
