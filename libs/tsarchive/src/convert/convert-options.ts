/**
 * Options of `ts convert`. CSV-only options (--time-column, --columns, --device-column,
 * --separator, --tz) are refused for miniSEED and the solar formats, whose layout is fixed.
 */
import { tsArchiveError } from '../tsarchive-error.ts';
import { PAYLOAD_KINDS, type PayloadKind } from './common/payload-encoder.ts';

export const INPUT_FORMATS = ['auto', 'csv', 'mseed', 'midc', 'srml'] as const;
export type InputFormat = (typeof INPUT_FORMATS)[number];
export type DetectedFormat = Exclude<InputFormat, 'auto'>;

export interface TsConvertOptions {
  format: InputFormat;
  payload: PayloadKind;
  /** Zone of naive CSV times: UTC, +HH:MM, or an IANA name. */
  tz: string;
  timeColumn?: string;
  columns?: string[];
  deviceColumn?: string;
  separator?: string;
}

export const DEFAULT_TS_CONVERT_OPTIONS: TsConvertOptions = { format: 'auto', payload: 'f64', tz: 'UTC' };

export type TsConvertOptionsInput = Partial<Omit<TsConvertOptions, 'format' | 'payload'>> & { format?: string; payload?: string };

function bad(message: string): never {
  throw tsArchiveError('TSARCHIVE_ERR_BAD_OPTIONS', message);
}

const SEPARATOR_NAMES: Record<string, string> = { ',': ',', ';': ';', '\t': '\t', tab: '\t', comma: ',', semicolon: ';' };

export function parseTsConvertOptions(input: TsConvertOptionsInput = {}): TsConvertOptions {
  const format = input.format ?? DEFAULT_TS_CONVERT_OPTIONS.format;
  if (!(INPUT_FORMATS as readonly string[]).includes(format)) bad(`--format must be one of ${INPUT_FORMATS.join(', ')}, got '${format}'`);
  const payload = input.payload ?? DEFAULT_TS_CONVERT_OPTIONS.payload;
  if (!(PAYLOAD_KINDS as readonly string[]).includes(payload)) bad(`--payload must be one of ${PAYLOAD_KINDS.join(', ')}, got '${payload}'`);
  let separator: string | undefined;
  if (input.separator !== undefined) {
    separator = SEPARATOR_NAMES[input.separator];
    if (!separator) bad(`--separator must be ',', ';' or tab, got '${input.separator}'`);
  }
  const columns = input.columns?.map((c) => c.trim());
  if (columns && (columns.length === 0 || columns.some((c) => c === ''))) bad('--columns must list column names separated by commas');
  if (columns && new Set(columns).size !== columns.length) bad('--columns names a column twice');
  if (columns && input.timeColumn !== undefined && columns.includes(input.timeColumn)) bad(`--columns must not include the time column '${input.timeColumn}'`);
  if (columns && input.deviceColumn !== undefined && columns.includes(input.deviceColumn)) bad(`--columns must not include the device column '${input.deviceColumn}'`);
  if (input.deviceColumn !== undefined && input.deviceColumn === input.timeColumn) bad('--device-column and --time-column name the same column');
  return {
    format: format as InputFormat,
    payload: payload as PayloadKind,
    tz: input.tz ?? DEFAULT_TS_CONVERT_OPTIONS.tz,
    timeColumn: input.timeColumn,
    columns,
    deviceColumn: input.deviceColumn,
    separator,
  };
}

/** Refuses CSV-only options for a format whose layout is fixed. */
export function checkOptionsFitFormat(options: TsConvertOptions, format: DetectedFormat, input: string, userTz: boolean): void {
  if (format === 'csv') return;
  const given = [
    options.timeColumn !== undefined && '--time-column',
    options.columns !== undefined && '--columns',
    options.deviceColumn !== undefined && '--device-column',
    options.separator !== undefined && '--separator',
    userTz && '--tz',
  ].filter(Boolean);
  if (given.length) bad(`${given.join(', ')} apply to CSV input only; ${input} is ${format} (its layout and zone are fixed)`);
}
