/**
 * `ts synth`: writes paper 2's synthetic archives (Table II) fast. Records are built
 * straight into a large block (4 MiB) and handed to the writer whole; per record the loop
 * copies a per-device header template, the IncrementalBcdClock's 12 bytes and one of 64
 * pre-cut slices of a pseudo-random pool built once from the seed: no allocation, no
 * date formatting.
 *
 * Record i: device `synth-<i mod devices>`; timestamp start + floor(i * intervalNs / 1000)
 * us (the archive's resolution is 1 us: at 500 ns two consecutive records share a
 * timestamp, as the paper's "two records per 1 us" set does); Data = i as a little-endian
 * uint64 (cut to the data size when shorter), so a replay's capture can be checked for loss
 * and order, then pool slice i mod 64 (slice k starts at pool byte 977k mod 65536).
 */
import { encodeDeviceId, DEVICE_ID_BYTES } from '../format/device-id.ts';
import { RECORD_LAYOUT } from '../format/record-layout.ts';
import { formatIsoTimestamp } from '../format/ts-time.ts';
import { tsArchiveError } from '../tsarchive-error.ts';
import { TsArchiveWriter } from '../write/archive-writer.ts';
import { IncrementalBcdClock } from './incremental-bcd-clock.ts';
import type { TsSynthOptions } from './synth-options.ts';

export interface TsSynthResult {
  records: number;
  devices: number;
  bytes: number;
  firstTimestamp: string;
  lastTimestamp: string;
}

export interface TsSynthHooks {
  /** Called after each block with the records written so far. */
  onProgress?: (recordsDone: number) => void;
  signal?: AbortSignal;
}

const BLOCK_BYTES = 4 << 20;
const POOL_BYTES = 1 << 16;

/** xorshift32 bytes: deterministic for a seed, fast, not cryptographic. */
export function payloadPool(seed: number, bytes: number): Uint8Array {
  const pool = new Uint8Array(bytes);
  let x = (seed ^ 0x9e3779b9) >>> 0 || 1;
  for (let i = 0; i < bytes; i++) {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    pool[i] = x & 0xff;
  }
  return pool;
}

function deviceTable(devices: number): Uint8Array {
  const table = new Uint8Array(devices * DEVICE_ID_BYTES);
  for (let d = 0; d < devices; d++) table.set(encodeDeviceId(`synth-${d}`), d * DEVICE_ID_BYTES);
  return table;
}

export async function synthesizeArchive(path: string, options: TsSynthOptions, hooks: TsSynthHooks = {}): Promise<TsSynthResult> {
  const writer = await TsArchiveWriter.create(path);
  try {
    await writeRecords(writer, options, hooks);
    const { bytes } = await writer.finish();
    const lastUs = options.startUs + (BigInt(Math.max(options.records - 1, 0)) * BigInt(options.intervalNs)) / 1000n;
    return {
      records: options.records,
      devices: Math.min(options.devices, options.records),
      bytes,
      firstTimestamp: formatIsoTimestamp(options.startUs),
      lastTimestamp: formatIsoTimestamp(lastUs),
    };
  } catch (error) {
    await writer.abort();
    throw error;
  }
}

/** Pre-built views so the per-record loop copies with TypedArray.set and allocates nothing. */
const PAYLOAD_VARIANTS = 64;

function headerTemplates(o: TsSynthOptions): Uint8Array[] {
  const ids = deviceTable(o.devices);
  return Array.from({ length: o.devices }, (_, d) => {
    const t = new Uint8Array(RECORD_LAYOUT.headerBytes);
    t[0] = o.recordBytes >>> 8;
    t[1] = o.recordBytes & 0xff;
    t.set(ids.subarray(d * DEVICE_ID_BYTES, (d + 1) * DEVICE_ID_BYTES), RECORD_LAYOUT.deviceOffset);
    return t;
  });
}

function payloadTails(seed: number, tailBytes: number): Uint8Array[] {
  const pool = payloadPool(seed, POOL_BYTES + tailBytes);
  return Array.from({ length: PAYLOAD_VARIANTS }, (_, k) => {
    const from = (k * 977) & (POOL_BYTES - 1);
    return pool.subarray(from, from + tailBytes);
  });
}

async function writeRecords(writer: TsArchiveWriter, o: TsSynthOptions, hooks: TsSynthHooks): Promise<void> {
  const size = o.recordBytes;
  const dataBytes = size - RECORD_LAYOUT.headerBytes;
  const perBlock = Math.max(1, Math.floor(BLOCK_BYTES / size));
  const block = new Uint8Array(perBlock * size);
  const headers = headerTemplates(o);
  const indexBytes = Math.min(8, dataBytes);
  const tails = payloadTails(o.seed, dataBytes - indexBytes);
  const clock = new IncrementalBcdClock(Number(o.startUs), o.startOffsetMinutes);
  const ts = clock.bytes;
  let nsCarry = 0;
  let device = 0;
  for (let done = 0; done < o.records; ) {
    if (hooks.signal?.aborted) throw tsArchiveError('TSARCHIVE_ERR_ABORTED', `interrupted after ${done} records; nothing was written`);
    const count = Math.min(perBlock, o.records - done);
    for (let k = 0, at = 0; k < count; k++, at += size) {
      const i = done + k;
      block.set(headers[device]!, at);
      block.set(ts, at + RECORD_LAYOUT.timestampOffset);
      writeIndex(block, at + RECORD_LAYOUT.dataOffset, i, indexBytes);
      if (dataBytes > indexBytes) block.set(tails[i & (PAYLOAD_VARIANTS - 1)]!, at + RECORD_LAYOUT.dataOffset + indexBytes);
      if (++device === o.devices) device = 0;
      nsCarry += o.intervalNs;
      if (nsCarry >= 1000) {
        const us = Math.floor(nsCarry / 1000);
        nsCarry -= us * 1000;
        clock.advance(us);
      }
    }
    await writer.appendEncoded(block.subarray(0, count * size), count);
    done += count;
    hooks.onProgress?.(done);
  }
}

/** Record index i as a little-endian uint64, cut to `bytes`. */
function writeIndex(block: Uint8Array, at: number, index: number, bytes: number): void {
  const lo = index >>> 0;
  const hi = Math.floor(index / 0x1_0000_0000);
  for (let b = 0; b < bytes; b++) block[at + b] = b < 4 ? (lo >>> (8 * b)) & 0xff : (hi >>> (8 * (b - 4))) & 0xff;
}
