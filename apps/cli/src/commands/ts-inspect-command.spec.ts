import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeArchiveBytes } from '@memoco/tsarchive';
import { captureIo } from '../io-capture.ts';
import { runCli } from '../main.ts';

const dir = mkdtempSync(join(tmpdir(), 'cli-ts-inspect-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const archive = encodeArchiveBytes([
  { epochUs: 1_435_778_430_450_000n, offsetMinutes: 60, device: 'a', data: new Uint8Array(8) },
  { epochUs: 1_435_778_431_450_000n, offsetMinutes: 60, device: 'b', data: new Uint8Array(2) },
  { epochUs: 1_435_778_432_000_000n, device: 'a', data: new Uint8Array(0) },
]);

describe('memoco ts inspect', () => {
  it('prints records, devices, bytes, first/last timestamp and duration as JSON, per device on request', async () => {
    const path = join(dir, 'a.tsa');
    writeFileSync(path, archive);
    const io = captureIo();
    expect(await runCli(['ts', 'inspect', path, '--json', '--per-device'], io)).toBe(0);
    expect(JSON.parse(io.stdout())).toEqual({
      file: path, records: 3, devices: 2, bytes: 100,
      firstTimestamp: '2015-07-01T19:20:30.450000Z', lastTimestamp: '2015-07-01T19:20:32.000000Z',
      durationSeconds: 1.55, outOfOrder: 0, minRecordBytes: 30, maxRecordBytes: 38,
      perDevice: [
        { device: 'a', records: 2, bytes: 68, firstTimestamp: '2015-07-01T19:20:30.450000Z', lastTimestamp: '2015-07-01T19:20:32.000000Z' },
        { device: 'b', records: 1, bytes: 32, firstTimestamp: '2015-07-01T19:20:31.450000Z', lastTimestamp: '2015-07-01T19:20:31.450000Z' },
      ],
    });
  });

  it('prints a readable table without --json', async () => {
    const path = join(dir, 'b.tsa');
    writeFileSync(path, archive);
    const io = captureIo();
    expect(await runCli(['ts', 'inspect', path], io)).toBe(0);
    expect(io.stdout()).toContain('records         3\n');
    expect(io.stdout()).toContain('firstTimestamp  2015-07-01T19:20:30.450000Z\n');
  });

  it('reports a corrupt archive with its code, offset and record, exit 1', async () => {
    const path = join(dir, 'c.tsa');
    const bad = archive.slice();
    bad[38 + 2 + 2] = 0x13; // record 1's month
    writeFileSync(path, bad);
    const io = captureIo();
    expect(await runCli(['ts', 'inspect', path], io)).toBe(1);
    expect(io.stderr()).toMatch(/^memoco ts inspect: TSARCHIVE_ERR_BAD_DATE: record 1 at byte 38: month 13 is impossible/);
  });
});
