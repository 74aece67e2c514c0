import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { inspectArchive } from '../inspect/archive-inspector.ts';
import { decodeArchiveBytes } from '../read/archive-records.ts';
import { synthesizeArchive } from './archive-synthesizer.ts';
import { parseTsSynthOptions } from './synth-options.ts';

const dir = mkdtempSync(join(tmpdir(), 'tsarchive-synth-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('ts synth', () => {
  it('writes the records asked for, read back exactly: devices round-robin, 1 us apart, index in the data', async () => {
    const path = join(dir, 'a.tsa');
    const options = parseTsSynthOptions({ records: 250_000, devices: 100, intervalNs: 1000, start: '2024-01-01T00:00:00Z' });
    const result = await synthesizeArchive(path, options);
    expect(result).toMatchObject({ records: 250_000, devices: 100, bytes: 250_000 * 100, firstTimestamp: '2024-01-01T00:00:00.000000Z', lastTimestamp: '2024-01-01T00:00:00.249999Z' });
    const records = decodeArchiveBytes(readFileSync(path));
    const start = 1_704_067_200_000_000n;
    for (const i of [0, 1, 99, 100, 12_345, 249_999]) {
      const r = records[i]!;
      expect(r.epochUs).toBe(start + BigInt(i));
      expect(r.device).toBe(`synth-${i % 100}`);
      expect(r.data.length).toBe(70);
      expect(new DataView(r.data.buffer, r.data.byteOffset).getBigUint64(0, true)).toBe(BigInt(i));
    }
    const summary = await inspectArchive(path, { perDevice: true });
    expect(summary).toMatchObject({ records: 250_000, devices: 100, bytes: 25_000_000, outOfOrder: 0, durationSeconds: 0.249999, minRecordBytes: 100, maxRecordBytes: 100 });
    expect(summary.perDevice![7]).toEqual({ device: 'synth-7', records: 2500, bytes: 250_000, firstTimestamp: '2024-01-01T00:00:00.000007Z', lastTimestamp: '2024-01-01T00:00:00.249907Z' });
  });

  it('gives two records per microsecond the same timestamp at --interval-ns 500, across second and day boundaries', async () => {
    const path = join(dir, 'b.tsa');
    await synthesizeArchive(path, parseTsSynthOptions({ records: 8, devices: 2, intervalNs: 500, recordBytes: 30, start: '2015-12-31T23:59:59.999998-01:00' }));
    const records = decodeArchiveBytes(readFileSync(path));
    const base = 1_451_606_399_999_998n + 3_600_000_000n;
    expect(records.map((r) => r.epochUs - base)).toEqual([0n, 0n, 1n, 1n, 2n, 2n, 3n, 3n]);
    expect(records.every((r) => r.offsetMinutes === -60 && r.data.length === 0)).toBe(true);
    expect(Array.from(readFileSync(path).subarray(2 + 30 * 4, 14 + 30 * 4), (b) => b.toString(16).padStart(2, '0')).join(' ')).toBe('20 16 01 01 00 00 00 00 00 00 81 00');
  });

  it('is byte-identical for the same seed and differs for another', async () => {
    const o = (seed: number) => parseTsSynthOptions({ records: 1000, dataBytes: 200, seed });
    await synthesizeArchive(join(dir, 's1.tsa'), o(7));
    await synthesizeArchive(join(dir, 's2.tsa'), o(7));
    await synthesizeArchive(join(dir, 's3.tsa'), o(8));
    expect(readFileSync(join(dir, 's1.tsa')).equals(readFileSync(join(dir, 's2.tsa')))).toBe(true);
    expect(readFileSync(join(dir, 's1.tsa')).equals(readFileSync(join(dir, 's3.tsa')))).toBe(false);
  });

  it('rejects contradictory or impossible options with exact messages', () => {
    expect(() => parseTsSynthOptions({ recordBytes: 70, dataBytes: 40 })).toThrow('give the record size in one unit: --size (whole record, header included) or --data-size (Data field only), not both');
    expect(() => parseTsSynthOptions({ recordBytes: 29 })).toThrow('--size must be an integer >= 30, got 29');
    expect(() => parseTsSynthOptions({ dataBytes: 65_506 })).toThrow('record size 65536 is above 65535, the most a 2-byte Length can say');
    expect(() => parseTsSynthOptions({ devices: 0 })).toThrow('--devices must be an integer >= 1, got 0');
    expect(() => parseTsSynthOptions({ start: 'yesterday' })).toThrow("'yesterday' is not an ISO 8601 time such as 2024-01-01T00:00:00Z");
  });

  it('defaults to the paper\'s Table II first set: 1M records, 70 data bytes, 1 us apart, one device', () => {
    expect(parseTsSynthOptions()).toMatchObject({ records: 1_000_000, devices: 1, intervalNs: 1000, recordBytes: 100, startUs: 1_704_067_200_000_000n, startOffsetMinutes: 0 });
  });
});
