/**
 * Which columns of a CSV hold the time, the device and the values, from its header and
 * the options. Default: the time column is the first whose name is one of TIME_COLUMN_NAMES
 * (case-insensitive); every other column is a value column whose name is the device.
 * With --device-column, the device is that column's cell; with several value columns the
 * device is `<cell>.<column>`.
 */
import { tsArchiveError } from '../../tsarchive-error.ts';

export const TIME_COLUMN_NAMES = ['timestamp', 'time', 'datetime', 'date_time', 'date', 'ts', 'utc'] as const;

export interface CsvLayoutOptions {
  timeColumn?: string;
  columns?: string[];
  deviceColumn?: string;
  /** Adapters (NREL MIDC): the time is spread over these columns, read by the adapter. */
  timeColumns?: string[];
  /** Adapters: columns that are neither time nor values (a row index). */
  excludeColumns?: string[];
}

export interface CsvHeaderLayout {
  /** Columns holding the time (one, except for adapters). */
  timeIndexes: number[];
  deviceIndex: number | undefined;
  valueIndexes: number[];
  valueNames: string[];
}

function indexOf(header: string[], name: string, option: string): number {
  const i = header.findIndex((h) => h.trim() === name);
  if (i < 0) throw tsArchiveError('TSARCHIVE_ERR_CSV_UNKNOWN_COLUMN', `${option} '${name}' is not a column of the header (${header.map((h) => h.trim()).join(', ')})`, { offset: 0, record: 0 });
  return i;
}

export function resolveCsvLayout(header: string[], options: CsvLayoutOptions): CsvHeaderLayout {
  const names = header.map((h) => h.trim());
  const timeIndexes = options.timeColumns?.map((c) => indexOf(header, c, 'time column'));
  const timeIndex = timeIndexes ? timeIndexes[0]! : options.timeColumn !== undefined
    ? indexOf(header, options.timeColumn, '--time-column')
    : names.findIndex((n) => (TIME_COLUMN_NAMES as readonly string[]).includes(n.toLowerCase()));
  if (timeIndex < 0) {
    throw tsArchiveError('TSARCHIVE_ERR_CSV_NO_TIME_COLUMN', `no time column among ${names.join(', ')} (looked for ${TIME_COLUMN_NAMES.join('/')}); name it with --time-column`, { offset: 0, record: 0 });
  }
  const deviceIndex = options.deviceColumn !== undefined ? indexOf(header, options.deviceColumn, '--device-column') : undefined;
  const times = timeIndexes ?? [timeIndex];
  const excluded = new Set((options.excludeColumns ?? []).map((c) => names.indexOf(c)));
  const valueIndexes = options.columns
    ? options.columns.map((c) => indexOf(header, c, '--columns'))
    : names.map((_, i) => i).filter((i) => !times.includes(i) && i !== deviceIndex && !excluded.has(i));
  if (valueIndexes.some((i) => times.includes(i)) || (deviceIndex !== undefined && valueIndexes.includes(deviceIndex))) {
    throw tsArchiveError('TSARCHIVE_ERR_BAD_OPTIONS', '--columns must not name the time column or the device column');
  }
  if (valueIndexes.length === 0) throw tsArchiveError('TSARCHIVE_ERR_BAD_OPTIONS', 'the CSV has no value column besides the time (and device) column');
  return { timeIndexes: times, deviceIndex, valueIndexes, valueNames: valueIndexes.map((i) => names[i]!) };
}
