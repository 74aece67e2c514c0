import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PcapWriter } from '@memoco/pcap';
import { afterAll, describe, expect, it } from 'vitest';
import { captureIo } from '../io-capture.ts';
import { runCli } from '../main.ts';
import { trainCommand } from './train-command.ts';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..', 'libs', 'pcap', 'fixtures');
const run = async (args: string[]) => {
  const io = captureIo();
  const code = await runCli(['train', ...args], io, [trainCommand]);
  return { code, stdout: io.stdout(), stderr: io.stderr() };
};
const made: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'memoco-train-'));
  made.push(dir);
  return dir;
};
afterAll(() => made.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

async function writeFrames(path: string, frames: Uint8Array[]): Promise<void> {
  const writer = new PcapWriter(path);
  frames.forEach((f, i) => writer.write(1_600_000_000 + i, 0, f));
  await writer.close();
}

/** An ARP request: Ethernet with ethertype 0x0806, not IP. */
const arp = () => Uint8Array.from([...new Array(12).fill(0xff), 0x08, 0x06, ...new Array(46).fill(0)]);

describe('memoco train', () => {
  it('writes the model and reports its id (the SHA-256 of the file) with --json', async () => {
    const dir = tempDir();
    const model = join(dir, 'wiki.onnx');
    const { code, stdout, stderr } = await run([join(fixtures, 'zeek__wikipedia.pcap'), '-o', model, '--json', '--bin-ms', '20']);
    expect([code, stderr]).toEqual([0, '']);
    const result = JSON.parse(stdout);
    expect(result).toMatchObject({ flows: 34, modelledFlows: 34, classes: 0, packets: 126, nonIpPackets: 10, binMs: 20, output: model });
    expect(Object.keys(result)).toEqual(expect.arrayContaining(['modelId', 'bytes', 'flows', 'modelledFlows', 'packets', 'trainSeconds', 'peakRssMb']));
    const bytes = readFileSync(model);
    expect(result.bytes).toBe(bytes.length);
    expect(result.modelId).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(readdirSync(dir)).toEqual(['wiki.onnx']);
  });

  it('trains the same model with --pass native and --pass typescript, and says which one ran', async () => {
    const dir = tempDir();
    const trace = join(fixtures, 'zeek__wikipedia.pcap');
    const native = await run([trace, '-o', join(dir, 'n.onnx'), '--json', '--pass', 'native']);
    const typescript = await run([trace, '-o', join(dir, 't.onnx'), '--json', '--pass', 'typescript']);
    expect([native.code, typescript.code]).toEqual([0, 0]);
    expect([JSON.parse(native.stdout).pass, JSON.parse(typescript.stdout).pass]).toEqual(['native', 'typescript']);
    expect(JSON.parse(native.stdout).modelId).toBe(JSON.parse(typescript.stdout).modelId);
    expect(readFileSync(join(dir, 'n.onnx')).equals(readFileSync(join(dir, 't.onnx')))).toBe(true);
    const human = await run([trace, '-o', join(dir, 'h.onnx')]);
    expect(human.stdout).toMatch(/trained in [\d.]+ s \(native pass\)/);
  });

  it('refuses an unknown --pass with a usage error', async () => {
    const dir = tempDir();
    const { code, stderr } = await run([join(fixtures, 'zeek__wikipedia.pcap'), '-o', join(dir, 'x.onnx'), '--pass', 'gpu']);
    expect(code).toBe(2);
    expect(stderr).toContain("--pass must be one of auto, native, typescript, got 'gpu'");
    expect(readdirSync(dir)).toEqual([]);
  });

  it('keeps the model within --max-model-bytes', async () => {
    const model = join(tempDir(), 'small.onnx');
    const { code } = await run([join(fixtures, 'zeek__wikipedia.pcap'), '-o', model, '--max-model-bytes', '16384']);
    expect(code).toBe(0);
    expect(readFileSync(model).length).toBeLessThanOrEqual(16384);
  });

  it('refuses an empty trace and a trace without IP packets, writing nothing', async () => {
    const dir = tempDir();
    const empty = join(dir, 'empty.pcap');
    const arps = join(dir, 'arp.pcap');
    await writeFrames(empty, []);
    await writeFrames(arps, [arp(), arp(), arp()]);
    const a = await run([empty, '-o', join(dir, 'a.onnx')]);
    expect([a.code, a.stderr]).toEqual([1, expect.stringMatching(/^memoco train: FLOWMODEL_ERR_EMPTY_TRACE: [^\n]+\n$/)]);
    const b = await run([arps, '-o', join(dir, 'b.onnx')]);
    expect([b.code, b.stderr]).toEqual([1, expect.stringMatching(/^memoco train: FLOWMODEL_ERR_NO_IP_PACKETS: the trace's 3 packets are all non-IP/)]);
    expect(readdirSync(dir).sort()).toEqual(['arp.pcap', 'empty.pcap']);
  });

  it('stops on a corrupt trace with its offset and record, leaving the previous model untouched and no partial file', async () => {
    const dir = tempDir();
    const whole = readFileSync(join(fixtures, 'zeek__wikipedia.pcap'));
    const cut = join(dir, 'cut.pcap');
    writeFileSync(cut, whole.subarray(0, whole.length - 7));
    const model = join(dir, 'model.onnx');
    writeFileSync(model, 'previous model');
    const { code, stderr } = await run([cut, '-o', model]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/^memoco train: PCAP_ERR_TRUNCATED_RECORD: .*\(offset \d+, record 135\)\n$/);
    expect(readFileSync(model, 'utf8')).toBe('previous model');
    expect(readdirSync(dir).sort()).toEqual(['cut.pcap', 'model.onnx']);
  });

  it('rejects usage errors with exit 2', async () => {
    expect((await run([join(fixtures, 'zeek__wikipedia.pcap')])).code).toBe(2);
    expect((await run([join(fixtures, 'zeek__wikipedia.pcap'), '-o', 'x.onnx', '--bin-ms', 'fast'])).stderr).toMatch(/CLI_ERR_USAGE: train: --bin-ms must be a number/);
    expect((await run([join(fixtures, 'zeek__wikipedia.pcap'), '-o', 'x.onnx', '--max-model-bytes', '100'])).code).toBe(2);
    const bin = await run([join(fixtures, 'zeek__wikipedia.pcap'), '-o', join(tempDir(), 'x.onnx'), '--bin-ms', '9999']);
    expect([bin.code, bin.stderr]).toEqual([1, expect.stringMatching(/FLOWMODEL_ERR_BAD_OPTIONS: binMs must be between/)]);
    expect(existsSync('x.onnx')).toBe(false);
  });
});
