// @memoco/tsarchive: the time-series archive of paper 2 (section V.A), its streaming reader
// and writer, the synthetic-file generator, inspection, and converters from CSV, miniSEED 2
// and solar-station logs. See docs/timeseries.md.
export { TSARCHIVE_ERRORS } from './errors.ts';
export type { TsArchiveErrorCode } from './errors.ts';

export { RECORD_LAYOUT, RECORD_HEADER_BYTES, MAX_RECORD_BYTES, MAX_DATA_BYTES, readRecordLength, writeRecordLength } from './format/record-layout.ts';
export { decodeBcdTimestampInto, decodedToEpochUs, BCD_STATUS, MAX_OFFSET_MINUTES } from './format/bcd-timestamp-codec.ts';
export type { DecodedTimestamp } from './format/bcd-timestamp-codec.ts';
export { encodeTimestamp, decodeTimestamp, formatIsoTimestamp, formatOffset } from './format/ts-time.ts';
export type { TsTime } from './format/ts-time.ts';
export { encodeDeviceId, decodeDeviceId, DEVICE_ID_BYTES } from './format/device-id.ts';
export { parseIsoInstant, parseIsoTimeText, parseEpochSecondsText } from './time/time-text-parser.ts';
export { parseTimeZone } from './time/time-zone.ts';
export type { TimeZoneResolver } from './time/time-zone.ts';

export { TsArchiveReader, DEFAULT_TS_ARCHIVE_READER_OPTIONS, parseTsArchiveReaderOptions } from './read/archive-reader.ts';
export type { TsArchiveReaderOptions } from './read/archive-reader.ts';
export type { TsRecordBatch } from './read/record-batch.ts';
export { DeviceIdTable } from './read/device-id-table.ts';
export { decodeArchiveBytes, decodeRecordAt, readArchiveRecords } from './read/archive-records.ts';
export type { TsRecord } from './read/archive-records.ts';

export { TsArchiveWriter, DEFAULT_TS_ARCHIVE_WRITER_OPTIONS, parseTsArchiveWriterOptions } from './write/archive-writer.ts';
export type { TsArchiveWriterOptions, TsRecordInput } from './write/archive-writer.ts';
export { encodeArchiveBytes, encodeRecordInto } from './write/record-encoder.ts';

export { parseTsSynthOptions, DEFAULT_TS_SYNTH_OPTIONS } from './synth/synth-options.ts';
export type { TsSynthOptions, TsSynthOptionsInput } from './synth/synth-options.ts';
export { synthesizeArchive } from './synth/archive-synthesizer.ts';
export type { TsSynthResult, TsSynthHooks } from './synth/archive-synthesizer.ts';
export { inspectArchive } from './inspect/archive-inspector.ts';
export type { TsInspectSummary, TsDeviceSummary, TsInspectHooks } from './inspect/archive-inspector.ts';

export { convertToArchive } from './convert/archive-converter.ts';
export type { TsConvertResult, TsConvertHooks } from './convert/archive-converter.ts';
export { parseTsConvertOptions, DEFAULT_TS_CONVERT_OPTIONS, INPUT_FORMATS } from './convert/convert-options.ts';
export type { TsConvertOptions, TsConvertOptionsInput, InputFormat } from './convert/convert-options.ts';
export { PAYLOAD_KINDS } from './convert/common/payload-encoder.ts';
export type { PayloadKind } from './convert/common/payload-encoder.ts';
export type { DeviceMapping } from './convert/common/device-registry.ts';

export { parseFlowMap } from './flows/flow-map-parser.ts';
export type { FlowMap, FlowMapTuple, FlowMapDefaults } from './flows/flow-map-parser.ts';
