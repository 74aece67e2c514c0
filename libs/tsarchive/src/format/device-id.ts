/**
 * The 16-byte Device ID field (paper 2, section V.A). A name is stored as its UTF-8 bytes
 * right-padded with 0x00; a name of 16 bytes or fewer round-trips exactly.
 *
 * A longer name is shortened, deterministically and without looking at other names:
 * its first 9 bytes (cut back to a whole UTF-8 character), `~`, and 6 lowercase hex
 * digits of FNV-1a-32 of the whole name (low 24 bits), e.g. `Accelerometer1RMS` ->
 * `Accelerom~xxxxxx`. Keeping a hash keeps names that differ only at their end apart
 * (`sensor_north_01`/`..._02` style), which plain truncation would merge. The converters
 * still check that distinct names never meet in one archive (TSARCHIVE_ERR_DEVICE_ID_COLLISION).
 */
import { tsArchiveError } from '../tsarchive-error.ts';
import { RECORD_LAYOUT } from './record-layout.ts';

export const DEVICE_ID_BYTES = RECORD_LAYOUT.deviceBytes;
const HEAD_BYTES = 9;
const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: false });

/** FNV-1a 32-bit over bytes. */
export function fnv1a32(bytes: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) {
    h ^= bytes[i]!;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** Cuts `bytes` to at most `max` bytes without splitting a UTF-8 character. */
function utf8Head(bytes: Uint8Array, max: number): Uint8Array {
  let end = Math.min(max, bytes.length);
  while (end > 0 && end < bytes.length && (bytes[end]! & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end);
}

/** The 16 bytes stored for device `name`. */
export function encodeDeviceId(name: string): Uint8Array {
  const bytes = encoder.encode(name);
  if (bytes.length === 0 || bytes.includes(0)) {
    throw tsArchiveError('TSARCHIVE_ERR_BAD_DEVICE_ID', `device name ${JSON.stringify(name)} is empty or contains a NUL byte`);
  }
  const out = new Uint8Array(DEVICE_ID_BYTES);
  if (bytes.length <= DEVICE_ID_BYTES) {
    out.set(bytes);
    return out;
  }
  const head = utf8Head(bytes, HEAD_BYTES);
  const hash = (fnv1a32(bytes) & 0xffffff).toString(16).padStart(6, '0');
  out.set(head);
  out.set(encoder.encode(`~${hash}`), head.length);
  return out;
}

/** The text of the Device ID field at `at` (padding removed). */
export function decodeDeviceId(src: Uint8Array, at: number): string {
  let end = at + DEVICE_ID_BYTES;
  while (end > at && src[end - 1] === 0) end--;
  return decoder.decode(src.subarray(at, end));
}
