/**
 * CSV -> archive, streaming: one record per row and value column (device = the column's
 * name, or the --device-column cell), stamped with the row's time. Empty cells make no
 * record (counted in skippedCells), nor do cells the caller marks missing (solar loggers'
 * -7999). Every error names the line, its byte offset and the data row number.
 */
import { MemocoError } from '@memoco/protocol';
import { tsArchiveError } from '../../tsarchive-error.ts';
import type { ArchiveRecordSink } from '../common/archive-record-sink.ts';
import type { DeviceRegistry } from '../common/device-registry.ts';
import type { PayloadEncoder } from '../common/payload-encoder.ts';
import type { CellTime } from './cell-time-parser.ts';
import { detectSeparator, splitCsvLine } from './csv-field-splitter.ts';
import { resolveCsvLayout, type CsvHeaderLayout, type CsvLayoutOptions } from './csv-header-layout.ts';
import { readTextLines, type TextLine } from './text-line-reader.ts';

export interface CsvReadOptions extends CsvLayoutOptions {
  /** `,` `;` or tab; detected from the header when absent. */
  separator?: string;
  /** Reads the time of a row from its time cells (one cell for plain CSV). */
  rowTime(cells: string[]): CellTime | undefined;
  /** Cells (trimmed) that mean "no value". */
  missing?: ReadonlySet<string>;
  /** Lines before the header to skip. */
  skipLines?: number;
}

export interface CsvConvertFigures {
  rows: number;
  skippedCells: number;
  separator: string;
  valueColumns: string[];
}

interface RowContext {
  layout: CsvHeaderLayout;
  separator: string;
  columnIds: Uint8Array[];
  figures: CsvConvertFigures;
}

function rowError(code: 'TSARCHIVE_ERR_CSV_BAD_ROW' | 'TSARCHIVE_ERR_CSV_BAD_VALUE' | 'TSARCHIVE_ERR_BAD_TIME_TEXT', reason: string, line: TextLine, row: number): MemocoError {
  return tsArchiveError(code, `line ${line.lineNo} (data row ${row}, byte ${line.offset}): ${reason}`, { offset: line.offset, record: row, line: line.lineNo });
}

export async function convertCsv(input: string, sink: ArchiveRecordSink, devices: DeviceRegistry, payload: PayloadEncoder, options: CsvReadOptions, signal?: AbortSignal): Promise<CsvConvertFigures> {
  let ctx: RowContext | undefined;
  let skip = options.skipLines ?? 0;
  try {
    for await (const lines of readTextLines(input)) {
      if (signal?.aborted) throw tsArchiveError('TSARCHIVE_ERR_ABORTED', 'interrupted; the partial archive was deleted');
      for (const line of lines) {
        if (skip > 0) { skip--; continue; }
        if (!ctx) { ctx = headerContext(line, options, devices); continue; }
        if (line.text.trim() === '') continue;
        if (convertRow(line, ctx, sink, devices, payload, options)) await sink.flush();
      }
    }
  } catch (error) {
    if (error instanceof MemocoError) error.details.file = input;
    throw error;
  }
  if (!ctx) throw tsArchiveError('TSARCHIVE_ERR_CSV_NO_TIME_COLUMN', `${input} has no header line`, { offset: 0, record: 0, file: input });
  return ctx.figures;
}

function headerContext(line: TextLine, options: CsvReadOptions, devices: DeviceRegistry): RowContext {
  const separator = options.separator ?? detectSeparator(line.text);
  const header = splitCsvLine(line.text, separator);
  if (!header) throw rowError('TSARCHIVE_ERR_CSV_BAD_ROW', 'the header has an unterminated quote', line, 0);
  const layout = resolveCsvLayout(header, options);
  const columnIds = layout.deviceIndex === undefined ? layout.valueNames.map((name) => devices.idFor(name)) : [];
  return { layout, separator, columnIds, figures: { rows: 0, skippedCells: 0, separator, valueColumns: layout.valueNames } };
}

/** Writes the records of one data row; returns true when the sink wants a flush. */
function convertRow(line: TextLine, ctx: RowContext, sink: ArchiveRecordSink, devices: DeviceRegistry, payload: PayloadEncoder, options: CsvReadOptions): boolean {
  const row = ctx.figures.rows++;
  const { layout } = ctx;
  const fields = splitCsvLine(line.text, ctx.separator);
  if (!fields) throw rowError('TSARCHIVE_ERR_CSV_BAD_ROW', 'unterminated quote', line, row);
  const needed = Math.max(...layout.timeIndexes, ...layout.valueIndexes, layout.deviceIndex ?? 0) + 1;
  if (fields.length < needed) throw rowError('TSARCHIVE_ERR_CSV_BAD_ROW', `${fields.length} fields, the header needs at least ${needed}`, line, row);
  const timeCells = layout.timeIndexes.map((i) => fields[i]!);
  let time: CellTime | undefined;
  try {
    time = options.rowTime(timeCells);
  } catch (error) {
    if (error instanceof MemocoError) throw rowError('TSARCHIVE_ERR_BAD_TIME_TEXT', error.message, line, row);
    throw error;
  }
  if (!time) throw rowError('TSARCHIVE_ERR_BAD_TIME_TEXT', `'${timeCells.join(' ')}' is not an ISO 8601 time, "YYYY-MM-DD HH:MM:SS" or epoch seconds (use --time-column?)`, line, row);
  const deviceCell = layout.deviceIndex === undefined ? undefined : fields[layout.deviceIndex]!.trim();
  let flush = false;
  for (let v = 0; v < layout.valueIndexes.length; v++) {
    const text = fields[layout.valueIndexes[v]!]!.trim();
    if (text === '' || options.missing?.has(text)) { ctx.figures.skippedCells++; continue; }
    const value = Number(text);
    if (payload.kind === 'f64' && Number.isNaN(value) && text.toLowerCase() !== 'nan') {
      throw rowError('TSARCHIVE_ERR_CSV_BAD_VALUE', `column '${layout.valueNames[v]}' holds '${text}', not a number (use --payload text to keep text)`, line, row);
    }
    const device = deviceCell === undefined ? ctx.columnIds[v]! : deviceFromCell(devices, deviceCell, layout, v, line, row);
    flush = sink.add(device, time.epochUs, time.offsetMinutes, payload.cell(text, value)) || flush;
  }
  return flush;
}

function deviceFromCell(devices: DeviceRegistry, cell: string, layout: CsvHeaderLayout, v: number, line: TextLine, row: number): Uint8Array {
  try {
    return devices.idFor(layout.valueIndexes.length === 1 ? cell : `${cell}.${layout.valueNames[v]}`);
  } catch (error) {
    if (error instanceof MemocoError) Object.assign(error.details, { offset: line.offset, record: row, line: line.lineNo });
    throw error;
  }
}
