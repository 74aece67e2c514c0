/**
 * NREL MIDC raw-data files (as pvlib's read_midc_raw_data_from_nrel reads them): a comma
 * CSV whose time is spread over `Year`, `DOY` (day of year) and `MST` (HHMM as an integer,
 * Mountain Standard Time, UTC-07:00 all year). Every other column is a value column (the
 * pandas index column `Unnamed: 0`, when present, is dropped); -7999 marks a missing value
 * and makes no record. Records keep local time with offset -07:00.
 */
import { daysFromYearDay } from '../../format/civil-calendar.ts';
import { tsArchiveError } from '../../tsarchive-error.ts';
import type { CellTime } from '../csv/cell-time-parser.ts';
import type { CsvReadOptions } from '../csv/csv-converter.ts';

export const MIDC_OFFSET_MINUTES = -7 * 60;
const US_PER_DAY = 86_400_000_000n;

/** True when a header line looks like a MIDC raw-data file. */
export function looksLikeMidcHeader(header: string): boolean {
  const names = header.split(',').map((n) => n.trim());
  return names.includes('Year') && names.includes('DOY') && names.includes('MST');
}

/** HHMM (e.g. 0, 59, 1230, 2400) and a day count -> UTC microseconds at -07:00. */
export function solarClockToEpochUs(days: number, hhmm: number, offsetMinutes: number): bigint {
  const minutes = Math.floor(hhmm / 100) * 60 + (hhmm % 100);
  return BigInt(days) * US_PER_DAY + BigInt(minutes - offsetMinutes) * 60_000_000n;
}

function midcRowTime([year, doy, mst]: string[]): CellTime | undefined {
  const y = Number(year), d = Number(doy), t = Number(mst);
  if (!Number.isInteger(y) || !Number.isInteger(d) || !Number.isInteger(t)) return undefined;
  if (d < 1 || d > 366 || t < 0 || t > 2400 || t % 100 > 59) {
    throw tsArchiveError('TSARCHIVE_ERR_BAD_TIME_TEXT', `Year ${year} DOY ${doy} MST ${mst} is not a real time`);
  }
  return { epochUs: solarClockToEpochUs(daysFromYearDay(y, d), t, MIDC_OFFSET_MINUTES), offsetMinutes: MIDC_OFFSET_MINUTES };
}

export function midcCsvOptions(): CsvReadOptions {
  return {
    separator: ',',
    timeColumns: ['Year', 'DOY', 'MST'],
    excludeColumns: ['Unnamed: 0', ''],
    missing: new Set(['-7999', '-7999.0']),
    rowTime: midcRowTime,
  };
}
