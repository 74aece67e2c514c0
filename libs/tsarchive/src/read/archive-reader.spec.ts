import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { isMemocoError, MemocoError } from '@memoco/protocol';
import { TSARCHIVE_ERRORS } from '../errors.ts';
import { encodeArchiveBytes } from '../write/record-encoder.ts';
import { TsArchiveWriter, type TsRecordInput } from '../write/archive-writer.ts';
import { TsArchiveReader } from './archive-reader.ts';
import { decodeArchiveBytes, readArchiveRecords } from './archive-records.ts';

const dir = mkdtempSync(join(tmpdir(), 'tsarchive-reader-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const MIN_US = -(2n ** 53n) + 86_400_000_000n;
const MAX_US = 2n ** 53n - 86_400_000_000n;
const recordArb = fc.record({
  epochUs: fc.bigInt({ min: MIN_US, max: MAX_US }),
  offsetMinutes: fc.integer({ min: -1439, max: 1439 }),
  device: fc.stringMatching(/^[A-Za-z0-9._-]{1,16}$/),
  data: fc.uint8Array({ maxLength: 300 }),
});

async function collect(path: string, chunkBytes?: number) {
  const out: { epochUs: bigint; offsetMinutes: number; device: string; data: Uint8Array }[] = [];
  for await (const r of readArchiveRecords(path, chunkBytes ? { chunkBytes, batchRecords: 7 } : {})) out.push(r);
  return out;
}

describe('archive writer and reader', () => {
  it('round-trips random records exactly through a file, across chunk and batch boundaries', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(recordArb, { maxLength: 400 }), async (records) => {
        const path = join(dir, 'prop.tsa');
        const writer = await TsArchiveWriter.create(path, { bufferBytes: 65_535 });
        for (const r of records) if (writer.append(r)) await writer.flush();
        await writer.finish();
        expect(await collect(path, 65_536)).toEqual(records);
      }),
      { numRuns: 40 },
    );
  });

  it('hands out batches of whole records with device indices and UTC float64 microseconds', async () => {
    const records: TsRecordInput[] = [];
    for (let i = 0; i < 5000; i++) {
      records.push({ epochUs: 1_700_000_000_000_000 + i, offsetMinutes: 60, device: `dev${i % 3}`, data: new Uint8Array(i % 2000) });
    }
    const path = join(dir, 'batches.tsa');
    writeFileSync(path, encodeArchiveBytes(records));
    const reader = await TsArchiveReader.open(path, { chunkBytes: 65_536, batchRecords: 1000 });
    let seen = 0;
    for await (const batch of reader) {
      expect(batch.firstIndex).toBe(seen);
      for (let i = 0; i < batch.count; i++) {
        const k = seen + i;
        expect(batch.timestampUs[i]).toBe(1_700_000_000_000_000 + k);
        expect(batch.offsetMinutes[i]).toBe(60);
        expect(batch.deviceIndex[i]).toBe(k % 3);
        expect(batch.recordLength[i]).toBe(30 + (k % 2000));
        expect(batch.recordOffset[i]! + batch.recordLength[i]!).toBeLessThanOrEqual(batch.data.length);
      }
      seen += batch.count;
    }
    expect(seen).toBe(5000);
    expect(reader.devices.names()).toEqual(['dev0', 'dev1', 'dev2']);
  });

  it('leaves no file under the target name when a write is aborted or fails', async () => {
    const path = join(dir, 'aborted.tsa');
    const writer = await TsArchiveWriter.create(path);
    writer.append({ epochUs: 0, device: 'a', data: new Uint8Array(4) });
    expect(() => writer.append({ epochUs: 0, device: 'a', data: new Uint8Array(70_000) })).toThrow(MemocoError);
    await writer.abort();
    expect(readdirSync(dir).filter((f) => f.includes('aborted'))).toEqual([]);
  });
});

describe('bad archives', () => {
  const good = encodeArchiveBytes([
    { epochUs: 0, device: 'a', data: new Uint8Array([1, 2, 3]) },
    { epochUs: 1, device: 'b', data: new Uint8Array([4]) },
  ]);

  function errorOf(bytes: Uint8Array): MemocoError {
    try {
      decodeArchiveBytes(bytes);
    } catch (error) {
      if (isMemocoError(error)) return error;
      throw error;
    }
    throw new Error('no error');
  }

  it('names the code, byte offset and record number', () => {
    const short = good.slice();
    short[33] = 0; short[34] = 29; // record 1 (at byte 33) claims 29 bytes
    expect(errorOf(short)).toMatchObject({ code: 'TSARCHIVE_ERR_BAD_LENGTH', details: { offset: 33, record: 1 } });
    expect(errorOf(good.subarray(0, good.length - 1))).toMatchObject({ code: 'TSARCHIVE_ERR_TRUNCATED_RECORD', details: { offset: 33, record: 1 } });
    expect(errorOf(good.subarray(0, 34))).toMatchObject({ code: 'TSARCHIVE_ERR_TRUNCATED_RECORD', details: { offset: 33, record: 1 } });
    const badMonth = good.slice();
    badMonth[33 + 4] = 0x13;
    expect(errorOf(badMonth)).toMatchObject({ code: 'TSARCHIVE_ERR_BAD_DATE', details: { offset: 33, record: 1 } });
    const badNibble = good.slice();
    badNibble[2 + 9] = 0x0c;
    expect(errorOf(badNibble)).toMatchObject({ code: 'TSARCHIVE_ERR_BAD_BCD', details: { offset: 0, record: 0 } });
  });

  it('reports the file and offset from the streaming reader too', async () => {
    const path = join(dir, 'truncated.tsa');
    writeFileSync(path, good.subarray(0, good.length - 2));
    await expect(collect(path)).rejects.toMatchObject({ code: 'TSARCHIVE_ERR_TRUNCATED_RECORD', details: { offset: 33, record: 1, file: path } });
  });

  it('turns any corruption into a typed TSARCHIVE error or valid records, never another exception', () => {
    const base = encodeArchiveBytes(Array.from({ length: 20 }, (_, i) => ({ epochUs: BigInt(i) * 1_000_003n, device: `d${i % 4}`, data: new Uint8Array(i) })));
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(base.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }), fc.nat(base.length), (flips, cut) => {
        const bytes = base.slice(0, cut);
        for (const [at, value] of flips) if (at < bytes.length) bytes[at] = value;
        try {
          decodeArchiveBytes(bytes);
        } catch (error) {
          expect(isMemocoError(error)).toBe(true);
          const e = error as MemocoError;
          expect(Object.keys(TSARCHIVE_ERRORS)).toContain(e.code);
          expect(e.details.offset).toBeGreaterThanOrEqual(0);
          expect(e.details.record).toBeGreaterThanOrEqual(0);
        }
      }),
      { numRuns: 3000 },
    );
  });
});
