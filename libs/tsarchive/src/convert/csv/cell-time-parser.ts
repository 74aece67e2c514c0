/**
 * Reads a CSV time cell: ISO 8601 (`T` or space, optional fraction and offset) or epoch
 * seconds (digits, optional fraction; UTC). A naive ISO time is read in the --tz zone and
 * stored with that zone's offset, so the archive keeps the local clock reading the file
 * had (paper 2 stores local time + offset).
 */
import { parsedToEpochUs, parseEpochSecondsText, parseIsoTimeText } from '../../time/time-text-parser.ts';
import type { TimeZoneResolver } from '../../time/time-zone.ts';

export interface CellTime {
  epochUs: bigint;
  offsetMinutes: number;
}

export class CellTimeParser {
  private lastText = '';
  private last: CellTime | undefined;

  constructor(private readonly zone: TimeZoneResolver) {}

  /** The instant of `text`, or undefined when it is no time this parser knows. Throws on impossible dates. */
  parse(text: string): CellTime | undefined {
    if (text === this.lastText && this.last) return this.last;
    this.lastText = text;
    this.last = this.parseFresh(text.trim());
    return this.last;
  }

  private parseFresh(text: string): CellTime | undefined {
    const iso = parseIsoTimeText(text);
    if (iso) {
      const offsetMinutes = iso.offsetMinutes ?? this.zone.offsetAtLocal(iso.localDays, iso.localUsOfDay);
      return { epochUs: parsedToEpochUs(iso, offsetMinutes), offsetMinutes };
    }
    const epochUs = parseEpochSecondsText(text);
    return epochUs === undefined ? undefined : { epochUs, offsetMinutes: 0 };
  }
}
