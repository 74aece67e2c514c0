/**
 * The fixed section of a miniSEED 2 data record (SEED 2.4 manual, chapter 8) and the
 * blockettes the converter needs: 1000 (encoding, word order, record length), 1001
 * (microsecond offset of the start time). The header's byte order is detected from the
 * start time (year 1900-2100, day 1-366), as libmseed does; the data's byte order is
 * blockette 1000's word order.
 *
 *   0  sequence(6) quality(1) reserved(1) station(5) location(2) channel(3) network(2)
 *   20 start BTIME: year u16, day u16, hour, minute, second, unused, 0.0001 s u16
 *   30 samples u16, rate factor i16, rate multiplier i16, activity, io, quality flags,
 *   39 blockette count, 40 time correction i32 (0.0001 s), 44 data offset u16, 46 first blockette u16
 */
import { daysFromYearDay, US_PER_DAY } from '../../format/civil-calendar.ts';
import { tsArchiveError } from '../../tsarchive-error.ts';

export const MSEED_FIXED_HEADER_BYTES = 48;

export const MSEED_ENCODING = { ascii: 0, int16: 1, int32: 3, float32: 4, float64: 5, steim1: 10, steim2: 11 } as const;

export interface MseedRecordHeader {
  /** NET.STA.LOC.CHA with blanks removed, e.g. `IU.ANMO.00.LHZ`, `CH.BALST..LHE`. */
  sourceId: string;
  /** Start time of the first sample, UTC microseconds (time correction and blockette 1001 applied). */
  startUs: number;
  sampleCount: number;
  /** Sample rate as the fraction rateNum / rateDen samples per second (0 when the rate is 0). */
  rateNum: number;
  rateDen: number;
  encoding: number;
  /** True when the data words are little-endian (blockette 1000 word order 0). */
  dataLittleEndian: boolean;
  recordLength: number;
  dataOffset: number;
}

const QUALITY_CODES = new Set(['D', 'R', 'Q', 'M']);
const ascii = (b: Uint8Array, from: number, len: number) => String.fromCharCode(...b.subarray(from, from + len)).trim();

/** True when `b[at..]` starts like a miniSEED 2 data record (6 digits or blanks, then D/R/Q/M). */
export function looksLikeMseedRecord(b: Uint8Array, at: number): boolean {
  if (b.length - at < MSEED_FIXED_HEADER_BYTES) return false;
  for (let i = 0; i < 6; i++) {
    const c = b[at + i]!;
    if (!((c >= 0x30 && c <= 0x39) || c === 0x20 || c === 0)) return false;
  }
  return QUALITY_CODES.has(String.fromCharCode(b[at + 6]!)) && (b[at + 7] === 0x20 || b[at + 7] === 0);
}

function headerIsLittleEndian(view: DataView, at: number): boolean | undefined {
  const plausible = (le: boolean) => {
    const year = view.getUint16(at + 20, le), day = view.getUint16(at + 22, le);
    return year >= 1900 && year <= 2100 && day >= 1 && day <= 366;
  };
  if (plausible(false)) return false;
  if (plausible(true)) return true;
  return undefined;
}

function rateFraction(factor: number, multiplier: number): [number, number] {
  if (factor === 0 || multiplier === 0) return [0, 1];
  if (factor > 0 && multiplier > 0) return [factor * multiplier, 1];
  if (factor > 0) return [factor, -multiplier];
  if (multiplier > 0) return [multiplier, -factor];
  return [1, factor * multiplier];
}

/** Parses the record header at `at`; `available` bytes are readable from `at`. Errors carry `offset` (caller adds the file base). */
export function parseMseedRecordHeader(b: Uint8Array, at: number, available: number): MseedRecordHeader {
  const fail = (reason: string) => tsArchiveError('TSARCHIVE_ERR_MSEED_BAD_HEADER', reason, { offset: at });
  if (available < MSEED_FIXED_HEADER_BYTES) throw fail(`only ${available} bytes left for a 48-byte miniSEED header`);
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const le = headerIsLittleEndian(view, at);
  if (le === undefined) throw fail('start time is not plausible in either byte order (year 1900-2100, day 1-366)');
  const u16 = (o: number) => view.getUint16(at + o, le);
  const [hour, minute, second] = [b[at + 24]!, b[at + 25]!, b[at + 26]!];
  if (hour > 23 || minute > 59 || second > 60 || u16(28) > 9999) throw fail(`start time ${hour}:${minute}:${second}.${u16(28)} is impossible`);
  let startUs = daysFromYearDay(u16(20), u16(22)) * US_PER_DAY + ((hour * 60 + minute) * 60 + second) * 1e6 + u16(28) * 100;
  const activity = b[at + 36]!;
  // Activity bit 1: the time correction is already applied to the start time.
  if ((activity & 0x02) === 0) startUs += view.getInt32(at + 40, le) * 100;
  const [rateNum, rateDen] = rateFraction(view.getInt16(at + 32, le), view.getInt16(at + 34, le));
  const header: MseedRecordHeader = {
    sourceId: `${ascii(b, at + 18, 2)}.${ascii(b, at + 8, 5)}.${ascii(b, at + 13, 2)}.${ascii(b, at + 15, 3)}`,
    startUs, sampleCount: u16(30), rateNum, rateDen,
    encoding: -1, dataLittleEndian: false, recordLength: 0, dataOffset: u16(44),
  };
  readBlockettes(b, view, at, available, le, u16(46), header, fail);
  if (header.recordLength === 0) throw fail('no blockette 1000 (miniSEED 2 needs it for the record length and encoding)');
  if (header.dataOffset < MSEED_FIXED_HEADER_BYTES && header.sampleCount > 0) throw fail(`data offset ${header.dataOffset} points into the fixed header`);
  if (header.dataOffset > header.recordLength) throw fail(`data offset ${header.dataOffset} is past the ${header.recordLength}-byte record`);
  return header;
}

function readBlockettes(b: Uint8Array, view: DataView, at: number, available: number, le: boolean, first: number, header: MseedRecordHeader, fail: (r: string) => Error): void {
  const limit = Math.min(available, 1 << 16);
  for (let next = first, seen = 0; next !== 0; seen++) {
    if (next < MSEED_FIXED_HEADER_BYTES || next + 4 > limit || seen > 64) throw fail(`blockette chain points to byte ${next}, outside the record`);
    const type = view.getUint16(at + next, le);
    if (type === 1000) {
      if (next + 8 > limit) throw fail('blockette 1000 is cut off');
      header.encoding = b[at + next + 4]!;
      header.dataLittleEndian = b[at + next + 5] === 0;
      const exponent = b[at + next + 6]!;
      if (exponent < 7 || exponent > 16) throw fail(`record length 2^${exponent} is outside 128..65536`);
      header.recordLength = 2 ** exponent;
    } else if (type === 1001 && next + 8 <= limit) {
      header.startUs += view.getInt8(at + next + 5);
    }
    const following = view.getUint16(at + next + 2, le);
    if (following !== 0 && following <= next) throw fail(`blockette chain loops back from byte ${next} to ${following}`);
    next = following;
  }
}
