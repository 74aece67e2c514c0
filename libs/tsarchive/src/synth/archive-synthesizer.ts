/**
 * `ts synth`: writes paper 2's synthetic archives (Table II) fast. Records are built
 * straight into a large block (4 MiB) and handed to the writer whole; the timestamp comes
 * from an IncrementalBcdClock, device IDs from a table built once, and the payload from a
 * pseudo-random pool built once from the seed.
 *
 * Record i: device `synth-<i mod devices>`; timestamp start + floor(i * intervalNs / 1000)
 * us (the archive's resolution is 1 us: at 500 ns two consecutive records share a
 * timestamp, as the paper's "two records per 1 us" set does); Data = i as a little-endian
 * uint64 (cut to the data size when shorter), so a replay's capture can be checked for loss
 * and order, then bytes of the seed's pool.
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

async function writeRecords(writer: TsArchiveWriter, o: TsSynthOptions, hooks: TsSynthHooks): Promise<void> {
  const size = o.recordBytes;
  const dataBytes = size - RECORD_LAYOUT.headerBytes;
  const perBlock = Math.max(1, Math.floor(BLOCK_BYTES / size));
  const block = new Uint8Array(perBlock * size);
  const devices = deviceTable(o.devices);
  const pool = payloadPool(o.seed, POOL_BYTES + dataBytes);
  const clock = new IncrementalBcdClock(Number(o.startUs), o.startOffsetMinutes);
  const ts = clock.bytes;
  const indexBytes = Math.min(8, dataBytes);
  let nsCarry = 0;
  let device = 0;
  for (let done = 0; done < o.records; ) {
    if (hooks.signal?.aborted) throw tsArchiveError('TSARCHIVE_ERR_ABORTED', `interrupted after ${done} records; nothing was written`);
    const count = Math.min(perBlock, o.records - done);
    for (let k = 0, at = 0; k < count; k++, at += size) {
      const i = done + k;
      block[at] = size >>> 8;
      block[at + 1] = size & 0xff;
      for (let b = 0; b < 12; b++) block[at + 2 + b] = ts[b]!;
      const dev = device * DEVICE_ID_BYTES;
      for (let b = 0; b < DEVICE_ID_BYTES; b++) block[at + 14 + b] = devices[dev + b]!;
      writePayload(block, at + 30, i, indexBytes, dataBytes, pool);
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

function writePayload(block: Uint8Array, at: number, index: number, indexBytes: number, dataBytes: number, pool: Uint8Array): void {
  let v = index;
  for (let b = 0; b < indexBytes; b++) {
    block[at + b] = v % 256;
    v = Math.floor(v / 256);
  }
  const rest = dataBytes - indexBytes;
  if (rest <= 0) return;
  const from = (index * 977) & (POOL_BYTES - 1);
  if (rest > 64) {
    block.set(pool.subarray(from, from + rest), at + indexBytes);
  } else {
    for (let b = 0; b < rest; b++) block[at + indexBytes + b] = pool[from + b]!;
  }
}
