/**
 * miniSEED 2 -> archive: one record per sample, Device ID = NET.STA.LOC.CHA, timestamps
 * in UTC (offset Z), all channels merged into time order (see mseed-sample-merger.ts).
 */
import type { ArchiveRecordSink } from '../common/archive-record-sink.ts';
import type { DeviceRegistry } from '../common/device-registry.ts';
import { FileWindow } from '../common/file-window.ts';
import type { PayloadEncoder } from '../common/payload-encoder.ts';
import { indexMseedRecords } from './mseed-record-index.ts';
import { mergeMseedSamples } from './mseed-sample-merger.ts';

export interface MseedConvertFigures {
  mseedRecords: number;
  skippedMseedRecords: number;
  samples: number;
}

export async function convertMseed(input: string, sink: ArchiveRecordSink, devices: DeviceRegistry, payload: PayloadEncoder, signal?: AbortSignal): Promise<MseedConvertFigures> {
  const file = await FileWindow.open(input);
  try {
    const idx = await indexMseedRecords(file);
    const ids = idx.sources.map((name) => devices.idFor(name));
    await mergeMseedSamples(file, idx, {
      add: (source, epochUs, value) => sink.add(ids[source]!, epochUs, 0, payload.number(value)),
      flush: () => sink.flush(),
    }, signal);
    return { mseedRecords: idx.count + idx.skippedRecords, skippedMseedRecords: idx.skippedRecords, samples: idx.totalSamples };
  } finally {
    await file.close();
  }
}
