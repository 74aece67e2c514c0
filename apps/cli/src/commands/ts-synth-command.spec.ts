import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { captureIo } from '../io-capture.ts';
import { runCli } from '../main.ts';

const dir = mkdtempSync(join(tmpdir(), 'cli-ts-synth-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('memoco ts synth', () => {
  it('writes the archive asked for and reports it as JSON', async () => {
    const io = captureIo();
    const out = join(dir, 'a.tsa');
    expect(await runCli(['ts', 'synth', '-o', out, '--records', '5000', '--devices', '2', '--interval-ns', '500', '--size', '70', '--json'], io)).toBe(0);
    const report = JSON.parse(io.stdout());
    expect(report).toMatchObject({ file: out, records: 5000, devices: 2, recordBytes: 70, bytes: 350_000, firstTimestamp: '2024-01-01T00:00:00.000000Z', lastTimestamp: '2024-01-01T00:00:00.002499Z' });
    expect(statSync(out).size).toBe(350_000);
  });

  it('rejects a size given in two units as a usage error (exit 2), writing nothing', async () => {
    const io = captureIo();
    const out = join(dir, 'b.tsa');
    expect(await runCli(['ts', 'synth', '-o', out, '--size', '70', '--data-size', '40'], io)).toBe(2);
    expect(io.stderr()).toBe('memoco ts synth: CLI_ERR_USAGE: ts synth: give the record size in one unit: --size (whole record, header included) or --data-size (Data field only), not both\n');
    expect(existsSync(out)).toBe(false);
  });

  it('requires -o', async () => {
    const io = captureIo();
    expect(await runCli(['ts', 'synth'], io)).toBe(2);
    expect(io.stderr()).toContain('-o <archive> is required');
  });
});
