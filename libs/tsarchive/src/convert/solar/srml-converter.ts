/**
 * University of Oregon SRML archival files (tab-separated; as pvlib's read_srml reads
 * them). Line 1: station number, year, then for each value its element number followed
 * by a flag column labelled 0. Data lines: day of year, time HHMM from 1 to 2400 (end of
 * the interval, Pacific Standard Time, UTC-08:00 all year), then value/flag pairs.
 * One record per value: device `<station>.<element>` (e.g. `94255.1000`), time as written
 * (2400 is 00:00 of the next day; pvlib instead labels rows by the interval's start),
 * offset -08:00. A value whose flag is 99 (missing or bad) makes no record.
 */
import { MemocoError } from '@memoco/protocol';
import { daysFromYearDay } from '../../format/civil-calendar.ts';
import { tsArchiveError } from '../../tsarchive-error.ts';
import type { ArchiveRecordSink } from '../common/archive-record-sink.ts';
import type { DeviceRegistry } from '../common/device-registry.ts';
import type { PayloadEncoder } from '../common/payload-encoder.ts';
import { readTextLines, type TextLine } from '../csv/text-line-reader.ts';
import { solarClockToEpochUs } from './midc-adapter.ts';

export const SRML_OFFSET_MINUTES = -8 * 60;
const MISSING_FLAG = '99';

export interface SrmlConvertFigures {
  rows: number;
  skippedCells: number;
  elements: string[];
}

/** True when a first line looks like an SRML header: tab-separated integers, station then a year. */
export function looksLikeSrmlHeader(header: string): boolean {
  const f = header.trim().split('\t');
  return f.length >= 4 && f.length % 2 === 0 && f.every((x) => /^\d+$/.test(x.trim())) && Number(f[1]) >= 1900 && Number(f[1]) <= 2100;
}

function fail(code: 'TSARCHIVE_ERR_CSV_BAD_ROW' | 'TSARCHIVE_ERR_CSV_BAD_VALUE' | 'TSARCHIVE_ERR_BAD_TIME_TEXT', reason: string, line: TextLine, row: number): MemocoError {
  return tsArchiveError(code, `line ${line.lineNo} (data row ${row}, byte ${line.offset}): ${reason}`, { offset: line.offset, record: row, line: line.lineNo });
}

export async function convertSrml(input: string, sink: ArchiveRecordSink, devices: DeviceRegistry, payload: PayloadEncoder, signal?: AbortSignal): Promise<SrmlConvertFigures> {
  let header: { year: number; elements: string[]; ids: Uint8Array[] } | undefined;
  const figures: SrmlConvertFigures = { rows: 0, skippedCells: 0, elements: [] };
  try {
    for await (const lines of readTextLines(input)) {
      if (signal?.aborted) throw tsArchiveError('TSARCHIVE_ERR_ABORTED', 'interrupted; the partial archive was deleted');
      for (const line of lines) {
        const fields = line.text.trim().split('\t').map((f) => f.trim());
        if (!header) {
          if (!looksLikeSrmlHeader(line.text)) throw fail('TSARCHIVE_ERR_CSV_BAD_ROW', 'not an SRML header (station, year, element/flag pairs)', line, 0);
          const elements = fields.slice(2).filter((_, i) => i % 2 === 0);
          header = { year: Number(fields[1]), elements, ids: elements.map((e) => devices.idFor(`${fields[0]}.${e}`)) };
          figures.elements = elements;
          continue;
        }
        if (line.text.trim() === '') continue;
        if (convertSrmlRow(fields, line, figures, header, sink, payload)) await sink.flush();
      }
    }
  } catch (error) {
    if (error instanceof MemocoError) error.details.file = input;
    throw error;
  }
  return figures;
}

function convertSrmlRow(fields: string[], line: TextLine, figures: SrmlConvertFigures, header: { year: number; elements: string[]; ids: Uint8Array[] }, sink: ArchiveRecordSink, payload: PayloadEncoder): boolean {
  const row = figures.rows++;
  if (fields.length !== 2 + header.elements.length * 2) throw fail('TSARCHIVE_ERR_CSV_BAD_ROW', `${fields.length} fields, the header has ${2 + header.elements.length * 2}`, line, row);
  const doy = Number(fields[0]), hhmm = Number(fields[1]);
  if (!Number.isInteger(doy) || doy < 1 || doy > 366 || !Number.isInteger(hhmm) || hhmm < 0 || hhmm > 2400 || hhmm % 100 > 59) {
    throw fail('TSARCHIVE_ERR_BAD_TIME_TEXT', `day ${fields[0]} time ${fields[1]} is not a real time`, line, row);
  }
  const epochUs = solarClockToEpochUs(daysFromYearDay(header.year, doy), hhmm, SRML_OFFSET_MINUTES);
  let flush = false;
  for (let e = 0; e < header.elements.length; e++) {
    const text = fields[2 + 2 * e]!;
    if (fields[3 + 2 * e] === MISSING_FLAG || text === '') { figures.skippedCells++; continue; }
    const value = Number(text);
    if (Number.isNaN(value)) throw fail('TSARCHIVE_ERR_CSV_BAD_VALUE', `element ${header.elements[e]} holds '${text}', not a number`, line, row);
    flush = sink.add(header.ids[e]!, epochUs, SRML_OFFSET_MINUTES, payload.cell(text, value)) || flush;
  }
  return flush;
}
