import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { isMemocoError } from '@memoco/protocol';
import { parseIsoInstant } from '../time/time-text-parser.ts';
import { decodeTimestamp, encodeTimestamp, formatIsoTimestamp } from './ts-time.ts';

// Paper 2, Table I: the three published encodings, byte for byte.
const TABLE_I = [
  ['2015-07-01T19:20:30.45+01:00', '20 15 07 01 19 20 30 45 00 00 01 00'],
  ['2015-07-01T19:20:30.456789-01:00', '20 15 07 01 19 20 30 45 67 89 81 00'],
  ['2015-07-01T19:20:30.4567Z', '20 15 07 01 19 20 30 45 67 00 00 00'],
] as const;

const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
const fromHex = (text: string) => Uint8Array.from(text.split(' '), (h) => parseInt(h, 16));

function encodeText(text: string): Uint8Array {
  const { epochUs, offsetMinutes } = parseIsoInstant(text);
  const out = new Uint8Array(12);
  encodeTimestamp(out, 0, epochUs, offsetMinutes);
  return out;
}

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (isMemocoError(error)) return error.code;
    throw error;
  }
  return 'no error';
}

describe('BCD timestamp (paper 2, Table I)', () => {
  it.each(TABLE_I)('encodes %s as %s', (text, bytes) => {
    expect(hex(encodeText(text))).toBe(bytes);
  });

  it.each(TABLE_I)('decodes %s back from %s', (text, bytes) => {
    const decoded = decodeTimestamp(fromHex(bytes), 0);
    expect(decoded).toEqual(parseIsoInstant(text));
  });

  it('gives the UTC instant of a local time with an offset', () => {
    const { epochUs, offsetMinutes } = decodeTimestamp(fromHex('20 15 07 01 19 20 30 45 00 00 01 00'), 0);
    expect(offsetMinutes).toBe(60);
    expect(formatIsoTimestamp(epochUs)).toBe('2015-07-01T18:20:30.450000Z');
    expect(formatIsoTimestamp(epochUs, offsetMinutes)).toBe('2015-07-01T19:20:30.450000+01:00');
  });

  it('reads -00:00 as offset 0', () => {
    expect(decodeTimestamp(fromHex('20 15 07 01 19 20 30 00 00 00 80 00'), 0).offsetMinutes).toBe(0);
  });

  it.each([
    ['month 13', '20 15 13 01 00 00 00 00 00 00 00 00', 'TSARCHIVE_ERR_BAD_DATE'],
    ['February 30', '20 15 02 30 00 00 00 00 00 00 00 00', 'TSARCHIVE_ERR_BAD_DATE'],
    ['February 29 in a common year', '19 00 02 29 00 00 00 00 00 00 00 00', 'TSARCHIVE_ERR_BAD_DATE'],
    ['day 0', '20 15 07 00 00 00 00 00 00 00 00 00', 'TSARCHIVE_ERR_BAD_DATE'],
    ['hour 24', '20 15 07 01 24 00 00 00 00 00 00 00', 'TSARCHIVE_ERR_BAD_DATE'],
    ['second 60', '20 15 07 01 23 59 60 00 00 00 00 00', 'TSARCHIVE_ERR_BAD_DATE'],
    ['zone 24:00', '20 15 07 01 00 00 00 00 00 00 24 00', 'TSARCHIVE_ERR_BAD_DATE'],
    ['a hex nibble in the minutes', '20 15 07 01 00 5a 00 00 00 00 00 00', 'TSARCHIVE_ERR_BAD_BCD'],
    ['a hex nibble in the microseconds', '20 15 07 01 00 00 00 00 0f 00 00 00', 'TSARCHIVE_ERR_BAD_BCD'],
    ['a hex nibble in the zone minutes', '20 15 07 01 00 00 00 00 00 00 00 a0', 'TSARCHIVE_ERR_BAD_BCD'],
  ])('rejects %s', (_name, bytes, code) => {
    expect(codeOf(() => decodeTimestamp(fromHex(bytes), 0))).toBe(code);
  });

  it('accepts February 29 in a leap year (2000, 2024)', () => {
    expect(formatIsoTimestamp(decodeTimestamp(fromHex('20 00 02 29 00 00 00 00 00 00 00 00'), 0).epochUs)).toBe('2000-02-29T00:00:00.000000Z');
    expect(formatIsoTimestamp(decodeTimestamp(fromHex('20 24 02 29 23 59 59 99 99 99 00 00'), 0).epochUs)).toBe('2024-02-29T23:59:59.999999Z');
  });

  it('round-trips any instant of years 0000-9999 at any offset within +-23:59 exactly', () => {
    const minUs = -62_167_219_200_000_000n + 24n * 3_600_000_000n; // 0000-01-02, leaving room for any offset
    const maxUs = 253_402_300_799_999_999n - 24n * 3_600_000_000n; // 9999-12-30
    fc.assert(
      fc.property(fc.bigInt({ min: minUs, max: maxUs }), fc.integer({ min: -1439, max: 1439 }), (epochUs, offsetMinutes) => {
        const bytes = new Uint8Array(14);
        encodeTimestamp(bytes, 1, epochUs, offsetMinutes);
        expect(decodeTimestamp(bytes, 1)).toEqual({ epochUs, offsetMinutes });
        expect(parseIsoInstant(formatIsoTimestamp(epochUs, offsetMinutes))).toEqual({ epochUs, offsetMinutes });
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses to encode outside years 0000-9999 and offsets beyond 23:59', () => {
    expect(codeOf(() => encodeTimestamp(new Uint8Array(12), 0, 253_402_300_800_000_000n, 0))).toBe('TSARCHIVE_ERR_TIMESTAMP_RANGE');
    expect(codeOf(() => encodeTimestamp(new Uint8Array(12), 0, 0, 24 * 60))).toBe('TSARCHIVE_ERR_BAD_DATE');
  });
});
