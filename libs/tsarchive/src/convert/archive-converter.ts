/**
 * `ts convert`: any supported input -> archive, streaming, written aside and renamed only
 * when complete. Records keep the input's order within a row and file; miniSEED channels
 * are merged into time order (see mseed-sample-merger.ts); `outOfOrder` reports records
 * that go back in time (e.g. an unsorted CSV), which replay would send late.
 */
import { TsArchiveWriter } from '../write/archive-writer.ts';
import { parseTimeZone } from '../time/time-zone.ts';
import { ArchiveRecordSink, type ConvertFigures } from './common/archive-record-sink.ts';
import { DeviceRegistry, type DeviceMapping } from './common/device-registry.ts';
import { PayloadEncoder } from './common/payload-encoder.ts';
import { checkOptionsFitFormat, type DetectedFormat, type TsConvertOptions } from './convert-options.ts';
import { CellTimeParser } from './csv/cell-time-parser.ts';
import { convertCsv } from './csv/csv-converter.ts';
import { detectInputFormat } from './input-format-detector.ts';
import { convertMseed } from './mseed/mseed-converter.ts';
import { midcCsvOptions } from './solar/midc-adapter.ts';
import { convertSrml } from './solar/srml-converter.ts';

export interface TsConvertResult extends ConvertFigures {
  input: string;
  output: string;
  format: DetectedFormat;
  payload: TsConvertOptions['payload'];
  /** Archive size in bytes. */
  bytes: number;
  /** Source name -> Device ID, in first-seen order. */
  devices: DeviceMapping[];
  /** Format-specific counts (rows, skipped cells, miniSEED records, samples...). */
  source: Record<string, unknown>;
}

export interface TsConvertHooks {
  signal?: AbortSignal;
  /** True when the caller set --tz (refused for non-CSV input). */
  tzGiven?: boolean;
}

async function runFormat(format: DetectedFormat, input: string, sink: ArchiveRecordSink, devices: DeviceRegistry, payload: PayloadEncoder, options: TsConvertOptions, signal?: AbortSignal): Promise<Record<string, unknown>> {
  switch (format) {
    case 'mseed':
      return { ...(await convertMseed(input, sink, devices, payload, signal)) };
    case 'srml':
      return { ...(await convertSrml(input, sink, devices, payload, signal)) };
    case 'midc':
      return { ...(await convertCsv(input, sink, devices, payload, midcCsvOptions(), signal)) };
    case 'csv': {
      const times = new CellTimeParser(parseTimeZone(options.tz));
      return { ...(await convertCsv(input, sink, devices, payload, { ...options, rowTime: ([cell]) => times.parse(cell!) }, signal)) };
    }
  }
}

export async function convertToArchive(input: string, output: string, options: TsConvertOptions, hooks: TsConvertHooks = {}): Promise<TsConvertResult> {
  const format = options.format === 'auto' ? await detectInputFormat(input) : options.format;
  checkOptionsFitFormat(options, format, input, hooks.tzGiven ?? false);
  if (format === 'csv') parseTimeZone(options.tz);
  const writer = await TsArchiveWriter.create(output);
  try {
    const sink = new ArchiveRecordSink(writer);
    const devices = new DeviceRegistry();
    const source = await runFormat(format, input, sink, devices, new PayloadEncoder(options.payload), options, hooks.signal);
    const { bytes } = await writer.finish();
    return { input, output, format, payload: options.payload, ...sink.figures(), bytes, devices: devices.mappings(), source };
  } catch (error) {
    await writer.abort();
    throw error;
  }
}
