import { describe, expect, it } from 'vitest';
import { formatIsoTimestamp } from '../../format/ts-time.ts';
import { MSEED_ENCODING, parseMseedRecordHeader } from './mseed-record-header.ts';
import { MseedSampleDecoder } from './mseed-sample-decoder.ts';

interface RecordSpec {
  littleEndian: boolean;
  encoding: number;
  samples: number[];
  factor?: number;
  multiplier?: number;
  activity?: number;
  timeCorrection?: number;
  b1001Us?: number;
}

/** A 512-byte miniSEED 2 record: fixed header, blockette 1000 (and 1001), data at byte 64. */
function buildRecord(spec: RecordSpec): Uint8Array {
  const bytes = new Uint8Array(512);
  const v = new DataView(bytes.buffer);
  const le = spec.littleEndian;
  bytes.set(new TextEncoder().encode('000001D XSTA 00BHZXX'), 0);
  v.setUint16(20, 2024, le); v.setUint16(22, 60, le); // 2024, day 60 = Feb 29
  bytes[24] = 23; bytes[25] = 59; bytes[26] = 58; v.setUint16(28, 1234, le);
  v.setUint16(30, spec.samples.length, le);
  v.setInt16(32, spec.factor ?? 100, le); v.setInt16(34, spec.multiplier ?? 1, le);
  bytes[36] = spec.activity ?? 0;
  bytes[39] = spec.b1001Us === undefined ? 1 : 2;
  v.setInt32(40, spec.timeCorrection ?? 0, le);
  v.setUint16(44, 64, le); v.setUint16(46, 48, le);
  v.setUint16(48, 1000, le); v.setUint16(50, spec.b1001Us === undefined ? 0 : 56, le);
  bytes[52] = spec.encoding; bytes[53] = le ? 0 : 1; bytes[54] = 9;
  if (spec.b1001Us !== undefined) { v.setUint16(56, 1001, le); v.setUint16(58, 0, le); v.setInt8(61, spec.b1001Us); }
  spec.samples.forEach((x, i) => {
    if (spec.encoding === MSEED_ENCODING.int16) v.setInt16(64 + 2 * i, x, le);
    else if (spec.encoding === MSEED_ENCODING.int32) v.setInt32(64 + 4 * i, x, le);
    else if (spec.encoding === MSEED_ENCODING.float32) v.setFloat32(64 + 4 * i, x, le);
    else v.setFloat64(64 + 8 * i, x, le);
  });
  return bytes;
}

const decode = (spec: RecordSpec) => {
  const record = buildRecord(spec);
  const header = parseMseedRecordHeader(record, 0, record.length);
  return { header, samples: Array.from(new MseedSampleDecoder().decode(record, header)) };
};

describe('miniSEED 2 uncompressed encodings and header fields', () => {
  const SAMPLES = [0, 1, -1, 32767, -32768, 12345];
  it.each([
    ['INT16', MSEED_ENCODING.int16, SAMPLES],
    ['INT32', MSEED_ENCODING.int32, [...SAMPLES, 2_147_483_647, -2_147_483_648]],
    ['FLOAT32', MSEED_ENCODING.float32, [0.5, -1.25, 1048576.125]],
    ['FLOAT64', MSEED_ENCODING.float64, [0.1, -1e-300, 123456.789]],
  ])('decodes %s in both byte orders', (_name, encoding, samples) => {
    for (const littleEndian of [false, true]) {
      const got = decode({ littleEndian, encoding, samples });
      expect(got.samples).toEqual(samples);
      expect(got.header).toMatchObject({ sourceId: 'XX.XSTA.00.BHZ', recordLength: 512, dataLittleEndian: littleEndian, sampleCount: samples.length });
    }
  });

  it('applies an unapplied time correction and blockette 1001 microseconds, exactly', () => {
    const base = decode({ littleEndian: false, encoding: 3, samples: [1] }).header.startUs;
    expect(formatIsoTimestamp(base)).toBe('2024-02-29T23:59:58.123400Z');
    expect(decode({ littleEndian: false, encoding: 3, samples: [1], timeCorrection: 20_000 }).header.startUs - base).toBe(2_000_000);
    expect(decode({ littleEndian: false, encoding: 3, samples: [1], timeCorrection: 20_000, activity: 0x02 }).header.startUs).toBe(base);
    expect(decode({ littleEndian: true, encoding: 3, samples: [1], b1001Us: -17 }).header.startUs - base).toBe(-17);
  });

  it.each([
    [100, 1, 100, 1],
    [10, -10, 10, 10], // 1 Hz
    [-10, 1, 1, 10], // 0.1 Hz
    [-60, -1, 1, 60], // one sample a minute
  ])('reads factor %i multiplier %i as the exact rate %i/%i', (factor, multiplier, num, den) => {
    expect(decode({ littleEndian: false, encoding: 3, samples: [1], factor, multiplier }).header).toMatchObject({ rateNum: num, rateDen: den });
  });

  it('refuses an unsupported encoding with its code', () => {
    const record = buildRecord({ littleEndian: false, encoding: 3, samples: [1] });
    record[52] = 30; // SRO
    expect(() => new MseedSampleDecoder().decode(record, parseMseedRecordHeader(record, 0, 512))).toThrow(expect.objectContaining({ code: 'TSARCHIVE_ERR_MSEED_UNSUPPORTED_ENCODING' }));
  });
});
