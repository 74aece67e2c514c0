import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { readArchiveRecords, type TsRecord } from '../../read/archive-records.ts';
import { formatIsoTimestamp } from '../../format/ts-time.ts';
import { convertToArchive } from '../archive-converter.ts';
import { parseTsConvertOptions, type TsConvertOptionsInput } from '../convert-options.ts';

const repo = join(dirname(fileURLToPath(import.meta.url)), '../../../../..');
const DATA = join(repo, '..', 'shared', 'data', 'timeseries');
const haveData = existsSync(DATA);
const dir = mkdtempSync(join(tmpdir(), 'tsarchive-csv-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
async function convertText(text: string, options: TsConvertOptionsInput = {}, name = 'in.csv') {
  const input = join(dir, `${n}-${name}`);
  const out = join(dir, `${n++}.tsa`);
  writeFileSync(input, text);
  const result = await convertToArchive(input, out, parseTsConvertOptions(options), { tzGiven: options.tz !== undefined });
  const records: TsRecord[] = [];
  for await (const r of readArchiveRecords(out)) records.push(r);
  return { result, records, input };
}

const f64 = (r: TsRecord) => new DataView(r.data.buffer, r.data.byteOffset).getFloat64(0, true);
const text = (r: TsRecord) => new TextDecoder().decode(r.data);
const iso = (r: TsRecord) => formatIsoTimestamp(r.epochUs, r.offsetMinutes);

describe('CSV -> archive', () => {
  it('makes one record per row and value column, device = column name, value as float64 LE', async () => {
    const { result, records } = await convertText('time,temp,hum\n2024-01-01T00:00:00Z,21.5,40\n2024-01-01T00:00:01.25Z,21.75,41\n');
    expect(result).toMatchObject({ format: 'csv', records: 4, outOfOrder: 0, source: { rows: 2, separator: ',' } });
    expect(records.map((r) => [iso(r), r.device, f64(r)])).toEqual([
      ['2024-01-01T00:00:00.000000Z', 'temp', 21.5], ['2024-01-01T00:00:00.000000Z', 'hum', 40],
      ['2024-01-01T00:00:01.250000Z', 'temp', 21.75], ['2024-01-01T00:00:01.250000Z', 'hum', 41],
    ]);
  });

  it.each([[';'], ['\t']])('detects the separator %j and reads quoted fields', async (sep) => {
    const { records } = await convertText(`"Date Time"${sep}"a${sep}b"\n"2024-01-01 10:00:00"${sep}"1.5"\n`, { timeColumn: 'Date Time' });
    expect(records.map((r) => [r.device, f64(r)])).toEqual([[`a${sep}b`, 1.5]]);
  });

  it('keeps local time and offset: naive times in --tz (fixed or IANA), explicit offsets as written, epoch seconds as UTC', async () => {
    const csv = 'ts,v\n2024-07-01 12:00:00,1\n2024-01-15T12:00:00,2\n2024-01-15T12:00:00.123456789+05:30,3\n1700000000.5,4\n';
    const berlin = (await convertText(csv, { tz: 'Europe/Berlin' })).records.map(iso);
    expect(berlin).toEqual(['2024-07-01T12:00:00.000000+02:00', '2024-01-15T12:00:00.000000+01:00', '2024-01-15T12:00:00.123456+05:30', '2023-11-14T22:13:20.500000Z']);
    const fixed = (await convertText(csv, { tz: '-03:00' })).records;
    expect(formatIsoTimestamp(fixed[0]!.epochUs)).toBe('2024-07-01T15:00:00.000000Z');
    expect(fixed[0]!.offsetMinutes).toBe(-180);
  });

  it('chooses columns, takes the device from a column, keeps text payloads, skips empty cells', async () => {
    const csv = 'time,sensor,temp,hum,note\n2024-01-01T00:00:00Z,s1,1,,x\n2024-01-01T00:00:01Z,s2,3,4,y\n';
    const one = await convertText(csv, { columns: ['temp'], deviceColumn: 'sensor', payload: 'text' });
    expect(one.records.map((r) => [r.device, text(r)])).toEqual([['s1', '1'], ['s2', '3']]);
    const two = await convertText(csv, { columns: ['temp', 'hum'], deviceColumn: 'sensor' });
    expect(two.records.map((r) => [r.device, f64(r)])).toEqual([['s1.temp', 1], ['s2.temp', 3], ['s2.hum', 4]]);
    expect(two.result.source).toMatchObject({ skippedCells: 1 });
  });

  it('counts records that go back in time', async () => {
    const { result } = await convertText('time,v\n2024-01-01T00:00:02Z,1\n2024-01-01T00:00:01Z,2\n');
    expect(result.outOfOrder).toBe(1);
  });

  it('names line, byte offset and data row of bad input, and leaves no archive behind', async () => {
    await expect(convertText('time,v\n2024-01-01T00:00:00Z,1\n2024-01-01T00:00:01Z,abc\n')).rejects.toMatchObject({
      code: 'TSARCHIVE_ERR_CSV_BAD_VALUE', details: { line: 3, offset: 30, record: 1 },
    });
    await expect(convertText('time,v\n2024-02-30T00:00:00Z,1\n')).rejects.toMatchObject({ code: 'TSARCHIVE_ERR_BAD_TIME_TEXT', details: { line: 2, record: 0 } });
    await expect(convertText('time,v\nyesterday,1\n')).rejects.toMatchObject({ code: 'TSARCHIVE_ERR_BAD_TIME_TEXT' });
    await expect(convertText('time,v,w\n2024-01-01T00:00:00Z,1\n')).rejects.toMatchObject({ code: 'TSARCHIVE_ERR_CSV_BAD_ROW', details: { line: 2 } });
    await expect(convertText('time,dev,v\n2024-01-01T00:00:00Z,,1\n', { deviceColumn: 'dev' })).rejects.toMatchObject({ code: 'TSARCHIVE_ERR_BAD_DEVICE_ID', details: { line: 2, record: 0 } });
    await expect(convertText('when,v\n2024-01-01T00:00:00Z,1\n')).rejects.toMatchObject({ code: 'TSARCHIVE_ERR_CSV_NO_TIME_COLUMN' });
    await expect(convertText('time,v\n2024-01-01T00:00:00Z,1\n', { columns: ['w'] })).rejects.toMatchObject({ code: 'TSARCHIVE_ERR_CSV_UNKNOWN_COLUMN' });
    expect(readdirSync(dir).filter((f) => f.includes('partial'))).toEqual([]);
  });

});

describe.skipIf(!haveData)('the real CSV and solar files (needs ../shared/data/timeseries)', () => {
  const skab = [
    ['skab/anomaly-free/anomaly-free.csv', 9_405, 8, '2020-02-08T13:30:47.000000Z', '2020-02-08T16:16:47.000000Z'],
    ...[
      [0, 1_147, '10:14:33', '10:34:32'], [1, 1_145, '10:34:33', '10:54:33'], [2, 1_075, '10:54:34', '11:14:33'], [3, 1_148, '11:14:34', '11:34:35'],
      [4, 1_095, '11:34:36', '11:54:35'], [5, 1_154, '11:54:36', '12:14:35'], [6, 1_154, '12:14:36', '12:34:35'], [7, 1_094, '12:34:37', '12:54:37'],
      [8, 1_144, '12:54:39', '13:14:37'], [9, 1_148, '13:14:38', '13:34:38'], [10, 1_146, '13:34:39', '13:54:38'], [11, 1_141, '13:54:39', '14:14:39'],
      [12, 1_140, '14:14:40', '14:34:40'], [13, 1_140, '14:34:41', '14:54:40'], [14, 1_139, '14:54:41', '15:14:40'], [15, 1_150, '15:14:41', '15:34:41'],
    ].map(([i, rows, a, b]) => [`skab/valve1/${i}.csv`, rows, 10, `2020-03-09T${a}.000000Z`, `2020-03-09T${b}.000000Z`]),
  ] as [string, number, number, string, string][];

  it.each(skab)('%s: %i rows x %i columns, MANIFEST times (naive, read as UTC)', async (file, rows, columns, first, last) => {
    const out = join(dir, `${file.replace(/\W/g, '_')}.tsa`);
    const result = await convertToArchive(join(DATA, file), out, parseTsConvertOptions());
    expect(result).toMatchObject({ format: 'csv', records: rows * columns, firstTimestamp: first, lastTimestamp: last, outOfOrder: 0, source: { rows, separator: ';', skippedCells: 0 } });
    expect(result.devices.map((d) => d.name)).toContain('Volume Flow RateRMS');
  });

  it('NREL MIDC: 1,440 minutes x 15 values, -7999 skipped, MST (-07:00)', async () => {
    const result = await convertToArchive(join(DATA, 'solar/midc_raw_20181018.txt'), join(dir, 'midc.tsa'), parseTsConvertOptions());
    expect(result).toMatchObject({ format: 'midc', records: 1440 * 15 - 3741, firstTimestamp: '2018-10-18T07:00:00.000000Z', lastTimestamp: '2018-10-19T06:59:00.000000Z', outOfOrder: 0, source: { rows: 1440, skippedCells: 3741 } });
    expect(result.devices).toHaveLength(15);
  });

  it('UO SRML: 1,440 minutes x 4 elements, flag 99 skipped, PST (-08:00), 2400 = next midnight', async () => {
    const result = await convertToArchive(join(DATA, 'solar/SRML-day-EUPO1801.txt'), join(dir, 'srml.tsa'), parseTsConvertOptions());
    expect(result).toMatchObject({ format: 'srml', records: 1440 * 4 - 1, firstTimestamp: '2018-01-01T08:01:00.000000Z', lastTimestamp: '2018-01-02T08:00:00.000000Z', source: { rows: 1440, skippedCells: 1 } });
    expect(result.devices.map((d) => d.id)).toEqual(['94255.1000', '94255.2010', '94255.2011', '94255.7008']);
  });

  it('refuses CSV-only options for fixed-layout formats', async () => {
    await expect(convertToArchive(join(DATA, 'solar/SRML-day-EUPO1801.txt'), join(dir, 'x.tsa'), parseTsConvertOptions({ columns: ['a'] }))).rejects.toThrow('--columns apply to CSV input only');
  });
});
