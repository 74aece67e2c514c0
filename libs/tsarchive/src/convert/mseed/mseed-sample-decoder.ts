/**
 * Decodes a miniSEED record's data section into float64 sample values, whatever the
 * encoding: INT16, INT32, FLOAT32, FLOAT64 (in blockette 1000's word order), STEIM1, STEIM2.
 */
import { tsArchiveError } from '../../tsarchive-error.ts';
import { MSEED_ENCODING, type MseedRecordHeader } from './mseed-record-header.ts';
import { decodeSteim } from './steim-decoder.ts';

const WIDTH: Record<number, number> = { [MSEED_ENCODING.int16]: 2, [MSEED_ENCODING.int32]: 4, [MSEED_ENCODING.float32]: 4, [MSEED_ENCODING.float64]: 8 };

/** Scratch buffers reused across records. */
export class MseedSampleDecoder {
  private diffs = new Int32Array(0);

  /** Decodes the samples of the record in `record` (which starts at byte 0); returns a new array. */
  decode(record: Uint8Array, header: MseedRecordHeader): Float64Array {
    const out = new Float64Array(header.sampleCount);
    const start = header.dataOffset;
    const end = header.recordLength;
    if (header.encoding === MSEED_ENCODING.steim1 || header.encoding === MSEED_ENCODING.steim2) {
      const need = Math.ceil((end - start) / 4) * 7;
      if (this.diffs.length < need) this.diffs = new Int32Array(need);
      decodeSteim(header.encoding === MSEED_ENCODING.steim1 ? 1 : 2, record, start, end, header.dataLittleEndian, header.sampleCount, out, this.diffs);
      return out;
    }
    const width = WIDTH[header.encoding];
    if (width === undefined) {
      throw tsArchiveError('TSARCHIVE_ERR_MSEED_UNSUPPORTED_ENCODING', `encoding ${header.encoding} is not INT16 (1), INT32 (3), FLOAT32 (4), FLOAT64 (5), STEIM1 (10) or STEIM2 (11)`, { offset: 0 });
    }
    if (start + header.sampleCount * width > end) {
      throw tsArchiveError('TSARCHIVE_ERR_MSEED_BAD_DATA', `${header.sampleCount} samples of ${width} bytes do not fit in the record`, { offset: start });
    }
    const view = new DataView(record.buffer, record.byteOffset, record.byteLength);
    const le = header.dataLittleEndian;
    for (let i = 0, at = start; i < header.sampleCount; i++, at += width) {
      switch (header.encoding) {
        case MSEED_ENCODING.int16: out[i] = view.getInt16(at, le); break;
        case MSEED_ENCODING.int32: out[i] = view.getInt32(at, le); break;
        case MSEED_ENCODING.float32: out[i] = view.getFloat32(at, le); break;
        default: out[i] = view.getFloat64(at, le);
      }
    }
    return out;
  }
}
