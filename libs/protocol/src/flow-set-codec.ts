/**
 * Compact wire form of a set of flow ids (a host's or a core's shard of the model's flow
 * table). A plain JSON list of 1M ids would be ~7 MB, over NATS's max_payload; these
 * encodings stay under ~170 kB for any subset of 1M flows:
 *
 *   ranges: LEB128 varint pairs (gap since the previous run's end, run length), base64.
 *           Small when the ids cluster (one run for "all flows").
 *   bitmap: bit i set when flow i is in the set, LSB first, base64. ceil((max+1)/8) bytes,
 *           small when the set is dense and scattered (LPT's output with few hosts).
 *
 * `encodeFlowSet` picks whichever is smaller; `count` lets the reader check the decode.
 */
import { MemocoError } from './memoco-error.ts';

export const FLOW_SET_ENCODINGS = ['ranges', 'bitmap'] as const;
export type FlowSetEncoding = (typeof FLOW_SET_ENCODINGS)[number];

export interface EncodedFlowSet {
  encoding: FlowSetEncoding;
  /** Number of flow ids in the set. */
  count: number;
  /** Base64 of the encoded bytes. */
  data: string;
}

function badSet(message: string): MemocoError {
  return new MemocoError('PROTOCOL_ERR_BAD_FLOW_SET', message, { status: 400 });
}

function varintSize(value: number): number {
  let size = 1;
  while (value >= 0x80) {
    value = Math.floor(value / 128);
    size++;
  }
  return size;
}

function writeVarint(out: Uint8Array, at: number, value: number): number {
  while (value >= 0x80) {
    out[at++] = (value & 0x7f) | 0x80;
    value = Math.floor(value / 128);
  }
  out[at++] = value;
  return at;
}

/** Calls `onRun(start, length)` for each maximal run of consecutive ids; checks ascending order. */
function forEachRun(ids: Uint32Array, onRun: (start: number, length: number) => void): void {
  let i = 0;
  while (i < ids.length) {
    const start = ids[i]!;
    let end = i + 1;
    while (end < ids.length && ids[end] === ids[end - 1]! + 1) end++;
    if (end < ids.length && ids[end]! <= ids[end - 1]!) throw badSet(`flow ids must be strictly ascending: ${ids[end]} follows ${ids[end - 1]}`);
    onRun(start, end - i);
    i = end;
  }
}

function encodeRanges(ids: Uint32Array): Uint8Array {
  let size = 0;
  let previousEnd = 0;
  forEachRun(ids, (start, length) => {
    size += varintSize(start - previousEnd) + varintSize(length);
    previousEnd = start + length;
  });
  const out = new Uint8Array(size);
  let at = 0;
  previousEnd = 0;
  forEachRun(ids, (start, length) => {
    at = writeVarint(out, at, start - previousEnd);
    at = writeVarint(out, at, length);
    previousEnd = start + length;
  });
  return out;
}

function encodeBitmap(ids: Uint32Array): Uint8Array {
  const out = new Uint8Array(ids.length === 0 ? 0 : Math.floor(ids[ids.length - 1]! / 8) + 1);
  for (const id of ids) out[id >>> 3]! |= 1 << (id & 7);
  return out;
}

function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

/** Encodes strictly ascending flow ids in the smaller of the two encodings. */
export function encodeFlowSet(ids: Uint32Array): EncodedFlowSet {
  const ranges = encodeRanges(ids);
  const bitmapBytes = ids.length === 0 ? 0 : Math.floor(ids[ids.length - 1]! / 8) + 1;
  if (ranges.length <= bitmapBytes) return { encoding: 'ranges', count: ids.length, data: toBase64(ranges) };
  return { encoding: 'bitmap', count: ids.length, data: toBase64(encodeBitmap(ids)) };
}

function decodeRanges(bytes: Uint8Array, count: number): Uint32Array {
  const ids = new Uint32Array(count);
  let at = 0;
  let filled = 0;
  let previousEnd = 0;
  const readVarint = (): number => {
    let value = 0;
    let scale = 1;
    for (;;) {
      if (at >= bytes.length) throw badSet('ranges: truncated varint');
      const byte = bytes[at++]!;
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) return value;
      scale *= 128;
      if (scale > 2 ** 35) throw badSet('ranges: varint too long');
    }
  };
  while (at < bytes.length) {
    const start = previousEnd + readVarint();
    const length = readVarint();
    if (length === 0 || filled + length > count || start + length > 2 ** 32) throw badSet(`ranges: run of ${length} at ${start} does not fit a set of ${count} flows`);
    for (let k = 0; k < length; k++) ids[filled++] = start + k;
    previousEnd = start + length;
  }
  if (filled !== count) throw badSet(`ranges: decoded ${filled} flows, the set says ${count}`);
  return ids;
}

function decodeBitmap(bytes: Uint8Array, count: number): Uint32Array {
  const ids = new Uint32Array(count);
  let filled = 0;
  for (let byteIndex = 0; byteIndex < bytes.length; byteIndex++) {
    let byte = bytes[byteIndex]!;
    while (byte !== 0) {
      const bit = 31 - Math.clz32(byte & -byte);
      if (filled >= count) throw badSet(`bitmap: more than the ${count} flows the set says`);
      ids[filled++] = byteIndex * 8 + bit;
      byte &= byte - 1;
    }
  }
  if (filled !== count) throw badSet(`bitmap: decoded ${filled} flows, the set says ${count}`);
  return ids;
}

/** Decodes a flow set back into ascending flow ids; PROTOCOL_ERR_BAD_FLOW_SET when corrupt. */
export function decodeFlowSet(set: EncodedFlowSet): Uint32Array {
  const bytes = new Uint8Array(Buffer.from(set.data, 'base64'));
  if (set.encoding === 'ranges') return decodeRanges(bytes, set.count);
  if (set.encoding === 'bitmap') return decodeBitmap(bytes, set.count);
  throw badSet(`unknown flow set encoding "${String(set.encoding)}"`);
}
