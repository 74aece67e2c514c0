import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { captureIo } from '../io-capture.ts';
import { runCli } from '../main.ts';

const repo = join(dirname(fileURLToPath(import.meta.url)), '../../../..');
const DATA = join(repo, '..', 'shared', 'data', 'timeseries');
const dir = mkdtempSync(join(tmpdir(), 'cli-ts-convert-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('memoco ts convert', () => {
  it('converts a CSV and then inspects to the same counts', async () => {
    const input = join(dir, 'in.csv');
    const out = join(dir, 'in.tsa');
    writeFileSync(input, 'time;a;b\n2024-01-01 00:00:00;1;2\n2024-01-01 00:00:01;3;4\n');
    const io = captureIo();
    expect(await runCli(['ts', 'convert', input, '-o', out, '--tz', '+01:00', '--json'], io)).toBe(0);
    expect(JSON.parse(io.stdout())).toMatchObject({ format: 'csv', records: 4, firstTimestamp: '2023-12-31T23:00:00.000000Z', devices: [{ name: 'a', id: 'a' }, { name: 'b', id: 'b' }] });
    const inspect = captureIo();
    expect(await runCli(['ts', 'inspect', out, '--json'], inspect)).toBe(0);
    expect(JSON.parse(inspect.stdout())).toMatchObject({ records: 4, devices: 2 });
  });

  it('turns contradicting options into usage errors (exit 2)', async () => {
    const io = captureIo();
    expect(await runCli(['ts', 'convert', 'x.csv', '-o', join(dir, 'x.tsa'), '--payload', 'json'], io)).toBe(2);
    expect(io.stderr()).toBe("memoco ts convert: CLI_ERR_USAGE: ts convert: --payload must be one of f64, text, got 'json'\n");
  });

  it.skipIf(!existsSync(DATA))('converts the real miniSEED file IUANMO.seed to 86,400 records (needs ../shared/data)', async () => {
    const io = captureIo();
    expect(await runCli(['ts', 'convert', join(DATA, 'mseed', 'IUANMO.seed'), '-o', join(dir, 'anmo.tsa')], io)).toBe(0);
    expect(io.stdout()).toContain('86400 records (mseed, payload f64) from 1 device(s), 2010-01-01T00:00:00.069500Z .. 2010-01-01T23:59:59.069500Z');
  });
});
