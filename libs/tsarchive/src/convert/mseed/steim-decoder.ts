/**
 * Steim1 and Steim2 decompression (SEED 2.4 manual, appendix B). Data are 64-byte frames
 * of sixteen 32-bit words; word 0 of each frame holds sixteen 2-bit codes saying what
 * each word carries. Frame 0's words 1 and 2 are the forward (X0, the first sample) and
 * reverse (Xn, the last sample) integration constants. Sample k = sample k-1 + difference
 * k; the first difference refers to the previous record and is not used. The last decoded
 * sample must equal Xn: that is checked, so a wrong decoder or a corrupt record fails loudly.
 */
import { tsArchiveError } from '../../tsarchive-error.ts';

const FRAME_BYTES = 64;

/** Sign-extends the low `bits` bits of v. */
const signed = (v: number, bits: number) => (v << (32 - bits)) >> (32 - bits);

/** Unpacks the differences of one word into diffs[n..]; returns the new n. */
function unpackWord(version: 1 | 2, code: number, w: number, diffs: Int32Array, n: number): number {
  if (code === 1) {
    diffs[n] = w >> 24; diffs[n + 1] = (w << 8) >> 24; diffs[n + 2] = (w << 16) >> 24; diffs[n + 3] = (w << 24) >> 24;
    return n + 4;
  }
  if (version === 1) {
    if (code === 2) { diffs[n] = w >> 16; diffs[n + 1] = (w << 16) >> 16; return n + 2; }
    diffs[n] = w;
    return n + 1;
  }
  const dnib = w >>> 30;
  let count: number, bits: number;
  if (code === 2) {
    if (dnib === 0) return -1;
    [count, bits] = dnib === 1 ? [1, 30] : dnib === 2 ? [2, 15] : [3, 10];
  } else {
    if (dnib === 3) return -1;
    [count, bits] = dnib === 0 ? [5, 6] : dnib === 1 ? [6, 5] : [7, 4];
  }
  for (let i = 0; i < count; i++) diffs[n + i] = signed(w >>> ((count - 1 - i) * bits), bits);
  return n + count;
}

/**
 * Decodes `sampleCount` samples from the frames in data[start, end) into out[0..).
 * `diffs` is scratch space of at least (end - start) / 4 * 7 entries.
 * Throws TSARCHIVE_ERR_MSEED_BAD_DATA (offset = start) on a short or inconsistent record.
 */
export function decodeSteim(version: 1 | 2, data: Uint8Array, start: number, end: number, littleEndian: boolean, sampleCount: number, out: Float64Array, diffs: Int32Array): void {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const frames = Math.floor((end - start) / FRAME_BYTES);
  let n = 0;
  let x0 = 0, xn = 0;
  for (let f = 0; f < frames && n < sampleCount; f++) {
    const base = start + f * FRAME_BYTES;
    const control = view.getUint32(base, littleEndian);
    for (let word = 1; word < 16; word++) {
      const w = view.getInt32(base + word * 4, littleEndian);
      if (f === 0 && word === 1) { x0 = w; continue; }
      if (f === 0 && word === 2) { xn = w; continue; }
      const code = (control >>> (30 - 2 * word)) & 3;
      if (code === 0) continue;
      n = unpackWord(version, code, w, diffs, n);
      if (n < 0) throw tsArchiveError('TSARCHIVE_ERR_MSEED_BAD_DATA', `Steim${version} frame ${f} word ${word}: invalid sub-code`, { offset: base + word * 4 });
    }
  }
  if (n < sampleCount) {
    throw tsArchiveError('TSARCHIVE_ERR_MSEED_BAD_DATA', `Steim${version} frames hold ${n} differences, the header says ${sampleCount} samples`, { offset: start });
  }
  if (sampleCount === 0) return;
  let x = x0;
  out[0] = x;
  for (let k = 1; k < sampleCount; k++) {
    x = (x + diffs[k]!) | 0;
    out[k] = x;
  }
  if (x !== xn) {
    throw tsArchiveError('TSARCHIVE_ERR_MSEED_BAD_DATA', `Steim${version}: last sample ${x} differs from the reverse integration constant ${xn}`, { offset: start });
  }
}
