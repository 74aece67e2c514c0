import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inspectTrace, TraceReader } from '@memoco/pcap';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureIo } from '../io-capture.ts';
import { runCli } from '../main.ts';
import { fidelityCommand } from './fidelity-command.ts';
import { generateCommand } from './generate-command.ts';
import { trainCommand } from './train-command.ts';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..', 'libs', 'pcap', 'fixtures');
const original = join(fixtures, 'zeek__wikipedia.pcap');
const commands = [trainCommand, generateCommand, fidelityCommand];
const run = async (args: string[], opts: { signal?: AbortSignal; isTty?: boolean } = {}) => {
  const io = captureIo(opts);
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

/** Frames of a capture, in order (link type ignored: net_pcap writes Ethernet). */
async function frames(file: string): Promise<string[]> {
  const out: string[] = [];
  for await (const batch of new TraceReader(file, { decode: false }).batches()) {
    for (let i = 0; i < batch.count; i++) out.push(Buffer.from(batch.data.subarray(batch.dataOffset[i]!, batch.dataOffset[i]! + batch.capLen[i]!)).toString('hex'));
  }
  return out;
}

describe('memoco generate --port (the native synthesis engine)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'memoco-generate-port-'));
  const model = join(dir, 'wiki.onnx');
  beforeAll(async () => {
    expect((await run(['train', original, '-o', model])).code).toBe(0);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('sends what -o writes, byte for byte, and prints memoco replay\'s figures (--json)', async () => {
    const file = join(dir, 'file.pcap');
    const sent = join(dir, 'sent.pcap');
    expect((await run(['generate', model, '-o', file, '--seed', '8', '--duration', '15', '--tag'])).code).toBe(0);
    const port = await run(['generate', model, '--port', `net_pcap0,tx_pcap=${sent}`, '--seed', '8', '--duration', '15', '--tag', '--cores', '2', '--topspeed', '--json']);
    expect([port.code, port.stderr]).toEqual([0, '']);
    const result = JSON.parse(port.stdout);
    expect(result).toMatchObject({ packets: expect.any(Number), seconds: expect.any(Number), pps: expect.any(Number), gbps: expect.any(Number), late: 0, stopped: false, seed: 8, durationS: 15, modelId: sha(model) });
    expect(Object.keys(result.lateness)).toEqual(['p50Us', 'p99Us', 'maxUs']);
    expect(result.perCore.map((c: { core: number }) => c.core)).toEqual([0, 1]);
    const expected = await frames(file);
    expect(result.packets).toBe(expected.length);
    expect(await frames(sent)).toEqual(expected);
  });

  it('--count N sends the first N packets of what -o writes', async () => {
    const file = join(dir, 'count-file.pcap');
    const sent = join(dir, 'count-sent.pcap');
    expect((await run(['generate', model, '-o', file, '--seed', '4', '--duration', '30'])).code).toBe(0);
    const expected = await frames(file);
    expect(expected.length).toBeGreaterThan(100);
    const port = await run(['generate', model, '--port', `net_pcap0,tx_pcap=${sent}`, '--seed', '4', '--duration', '30', '--cores', '2', '--topspeed', '--count', '100', '--json']);
    expect(port.code, port.stderr).toBe(0);
    expect(JSON.parse(port.stdout)).toMatchObject({ packets: 100, stopped: false });
    expect(await frames(sent)).toEqual(expected.slice(0, 100));
    expect((await run(['generate', model, '-o', join(dir, 'x.pcap'), '--count', '5'])).code).toBe(2);
    expect((await run(['generate', model, '--port', 'net_null0', '--count', '0'])).code).toBe(2);
  });

  it('prints a human summary and draws progress only on a terminal; paced by --pps', async () => {
    const { code, stdout, stderr } = await run(['generate', model, '--port', 'net_null0', '--pps', '500'], { isTty: true });
    expect(code).toBe(0);
    expect(stdout).toMatch(/^generate: 126 packets, [0-9.]+ MB in [0-9.]+ s: /);
    expect(stdout).toMatch(/late: \d+ \(lateness p50 [0-9.]+ us, p99 [0-9.]+ us, max [0-9.]+ us\)/);
    expect(stderr).toContain('\rgenerate: ');
  });

  it('Ctrl-C stops cleanly: figures printed, exit 130', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    const { code, stdout } = await run(['generate', model, '--port', 'net_null0', '--pps', '2000', '--duration', '100000', '--json'], { signal: controller.signal });
    expect(code).toBe(130);
    expect(JSON.parse(stdout)).toMatchObject({ stopped: true, packets: expect.any(Number) });
  });

  it('bad input: one coded line each', async () => {
    expect((await run(['generate', model, '-o', join(dir, 'x.pcap'), '--port', 'net_null0'])).code).toBe(2);
    expect((await run(['generate', model, '-o', join(dir, 'x.pcap'), '--topspeed'])).code).toBe(2);
    const spec = await run(['generate', model, '--port', 'net_nope0']);
    expect([spec.code, spec.stderr]).toEqual([1, expect.stringMatching(/^memoco generate: TXCORE_ERR_PORT_SPEC: /)]);
    const rates = await run(['generate', model, '--port', 'net_null0', '--pps', '10', '--topspeed']);
    expect([rates.code, rates.stderr]).toEqual([1, expect.stringMatching(/^memoco generate: TXCORE_ERR_RATE_CONFLICT: /)]);
    const notModel = join(dir, 'not-a-model.onnx');
    writeFileSync(notModel, 'hello');
    const bad = await run(['generate', notModel, '--port', 'net_null0']);
    expect([bad.code, bad.stderr]).toEqual([1, expect.stringMatching(/^memoco generate: FLOWMODEL_ERR_BAD_MODEL: /)]);
  });
});
