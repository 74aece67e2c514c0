import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inspectTrace } from '@memoco/pcap';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureIo } from '../io-capture.ts';
import { runCli } from '../main.ts';
import { fidelityCommand } from './fidelity-command.ts';
import { generateCommand } from './generate-command.ts';
import { trainCommand } from './train-command.ts';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..', 'libs', 'pcap', 'fixtures');
const original = join(fixtures, 'zeek__wikipedia.pcap');
const commands = [trainCommand, generateCommand, fidelityCommand];
const run = async (args: string[]) => {
  const io = captureIo();
  const code = await runCli(args, io, commands);
  return { code, stdout: io.stdout(), stderr: io.stderr() };
};
const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

describe('memoco generate and memoco fidelity', () => {
  const dir = mkdtempSync(join(tmpdir(), 'memoco-generate-'));
  const model = join(dir, 'wiki.onnx');
  beforeAll(async () => {
    expect((await run(['train', original, '-o', model])).code).toBe(0);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('regenerates the trace: same packets and flows, deterministic for a seed', async () => {
    const a = join(dir, 'a.pcap');
    const b = join(dir, 'b.pcap');
    const first = await run(['generate', model, '-o', a, '--seed', '7', '--json']);
    expect([first.code, first.stderr]).toEqual([0, '']);
    expect(JSON.parse(first.stdout)).toMatchObject({ packets: 126, seed: 7, output: a, modelId: sha(model) });
    expect((await run(['generate', model, '-o', b, '--seed', '7'])).code).toBe(0);
    expect(sha(a)).toBe(sha(b));
    const summary = await inspectTrace(a);
    expect(summary).toMatchObject({ complete: true, packets: 126, ipPackets: 126, flows: 34 });
  });

  it('generates any duration by repeating the trained window', async () => {
    const long = join(dir, 'long.pcap');
    const { code, stdout } = await run(['generate', model, '-o', long, '--duration', '20', '--json']);
    expect(code).toBe(0);
    const result = JSON.parse(stdout);
    expect(result.durationS).toBe(20);
    expect(result.packets).toBeGreaterThanOrEqual(126 * 3);
    const summary = await inspectTrace(long);
    expect(summary.durationSeconds).toBeLessThanOrEqual(20);
    expect(summary.durationSeconds).toBeGreaterThan(19);
  });

  it('scores the regenerated trace and writes the HTML report', async () => {
    const candidate = join(dir, 'a.pcap');
    const report = join(dir, 'report.html');
    const { code, stdout } = await run(['fidelity', original, candidate, '--json', '--report', report]);
    expect(code).toBe(0);
    const m = JSON.parse(stdout);
    expect(m).toMatchObject({ packetsRatio: 1, flowsRatio: 1, flowCountError: 0, protoJsd: 0 });
    expect(Object.keys(m.rateNrmse)).toEqual(['10ms', '100ms', '1s']);
    expect(m.rateNrmse['1s']).toBeLessThan(0.15);
    expect(readFileSync(report, 'utf8')).toContain('<svg');
    const text = await run(['fidelity', original, candidate]);
    expect(text.stdout).toMatch(/^rateNrmse 1s\s+\d\.\d{6}$/m);
  });

  it('refuses a file that is not a model, and usage errors', async () => {
    const notModel = join(dir, 'not-a-model.onnx');
    writeFileSync(notModel, 'hello');
    const bad = await run(['generate', notModel, '-o', join(dir, 'x.pcap')]);
    expect([bad.code, bad.stderr]).toEqual([1, expect.stringMatching(/^memoco generate: FLOWMODEL_ERR_BAD_MODEL: /)]);
    expect(readdirSync(dir)).not.toContain('x.pcap');
    expect((await run(['generate', model])).code).toBe(2);
    expect((await run(['generate', model, '-o', join(dir, 'y.pcap'), '--seed', '-1'])).code).toBe(2);
    expect((await run(['fidelity', original])).code).toBe(2);
  });
});
