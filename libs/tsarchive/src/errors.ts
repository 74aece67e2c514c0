import type { ErrorRegistry } from '@memoco/protocol';

/**
 * Codes of @memoco/tsarchive: the time-series archive format (paper 2, section V.A), its
 * reader and writer, and the CSV / miniSEED / solar-station converters. Every error about
 * a file carries `offset` (byte offset in that file) and `record` (0-based record, row or
 * sample number) in its details.
 */
export const TSARCHIVE_ERRORS = {
  TSARCHIVE_ERR_BAD_LENGTH: { description: 'A record\'s Length field is below the 30-byte header size (Length counts the whole record, header included).', status: 400 },
  TSARCHIVE_ERR_TRUNCATED_RECORD: { description: 'The archive ends inside a record: its Length runs past the end of the file, or fewer than 2 bytes remain for the Length field.', status: 400 },
  TSARCHIVE_ERR_BAD_BCD: { description: 'A timestamp nibble is not a decimal digit (0-9), or a time-zone bit pattern is not one the format defines.', status: 400 },
  TSARCHIVE_ERR_BAD_DATE: { description: 'A timestamp names an impossible date or time: month 13, February 30, hour 24, minute or second 60, a time-zone offset above 23:59.', status: 400 },
  TSARCHIVE_ERR_TIMESTAMP_RANGE: { description: 'A timestamp is outside what the archive or the API holds exactly (years 0000-9999 in the file; about 1685-2255 as float64 microseconds in record batches).', status: 400 },
  TSARCHIVE_ERR_BAD_TIME_TEXT: { description: 'A time written as text (ISO 8601, "YYYY-MM-DD HH:MM:SS", epoch seconds, a --tz zone) could not be parsed.', status: 400 },
  TSARCHIVE_ERR_RECORD_TOO_LARGE: { description: 'A record would be longer than 65,535 bytes, the most its 2-byte Length field can say.', status: 400 },
  TSARCHIVE_ERR_BAD_DEVICE_ID: { description: 'A device name is empty or contains a NUL byte (the 16-byte Device ID field is NUL-padded).', status: 400 },
  TSARCHIVE_ERR_DEVICE_ID_COLLISION: { description: 'Two different source names map to the same 16-byte Device ID (names longer than 16 bytes are shortened with a hash); rename one.', status: 400 },
  TSARCHIVE_ERR_BAD_OPTIONS: { description: 'Options given to a time-series archive function contradict each other or are out of range.', status: 400 },
  TSARCHIVE_ERR_ABORTED: { description: 'The conversion or synthesis was interrupted (SIGINT/SIGTERM); the partial archive was deleted.', status: 499 },
  TSARCHIVE_ERR_UNKNOWN_FORMAT: { description: 'The input file\'s format (CSV, miniSEED 2, NREL MIDC, UO SRML) could not be recognised; name it with --format.', status: 400 },
  TSARCHIVE_ERR_CSV_NO_TIME_COLUMN: { description: 'No timestamp column was found in the CSV header (looked for time/timestamp/datetime/date); name it with --time-column.', status: 400 },
  TSARCHIVE_ERR_CSV_UNKNOWN_COLUMN: { description: 'A column named by --columns, --time-column or --device-column is not in the CSV header.', status: 400 },
  TSARCHIVE_ERR_CSV_BAD_ROW: { description: 'A CSV row has a different number of fields than the header, or an unterminated quote.', status: 400 },
  TSARCHIVE_ERR_CSV_BAD_VALUE: { description: 'A CSV cell is not a number although the payload is f64 (use --payload text to keep the raw text).', status: 400 },
  TSARCHIVE_ERR_MSEED_BAD_HEADER: { description: 'A miniSEED record\'s fixed header or blockettes are malformed (no blockette 1000, bad record length, impossible start time, data offset out of the record).', status: 400 },
  TSARCHIVE_ERR_MSEED_TRUNCATED: { description: 'The miniSEED file ends inside a record.', status: 400 },
  TSARCHIVE_ERR_MSEED_UNSUPPORTED_ENCODING: { description: 'A miniSEED record uses a data encoding other than INT16, INT32, FLOAT32, FLOAT64, STEIM1 or STEIM2.', status: 400 },
  TSARCHIVE_ERR_MSEED_BAD_DATA: { description: 'A miniSEED record\'s data does not decode: Steim frames hold fewer samples than the header says, or the last sample differs from the reverse integration constant.', status: 400 },
  TSARCHIVE_ERR_BAD_FLOW_MAP: { description: 'A time-series replay flow map (--flows map.json) is not valid: not JSON, a flow without "src"/"dst" as "IPv4:PORT", a bad MAC, a device mapped twice, a protocol other than UDP. The message names the JSON path.', status: 400 },
} as const satisfies ErrorRegistry;

export type TsArchiveErrorCode = keyof typeof TSARCHIVE_ERRORS;
