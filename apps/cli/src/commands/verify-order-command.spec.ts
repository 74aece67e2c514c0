import { join } from 'node:path';
import { PcapWriter } from '@memoco/pcap';
import { makeTempDir } from '@memoco/testbed';
import { afterAll, describe, expect, it } from 'vitest';
import { captureIo } from '../io-capture.ts';
import { runCli } from '../main.ts';
import { verifyOrderCommand } from './verify-order-command.ts';

const temp = makeTempDir('verify-order-cli');
afterAll(() => temp.remove());

/** Frames 0..n-1: 60 bytes each, distinct by a counter at the end. */
const frames = Array.from({ length: 8 }, (_, i) => {
  const f = new Uint8Array(60).fill(0x11);
  new DataView(f.buffer).setUint32(56, i);
  return f;
});

async function pcapOf(name: string, ids: number[]): Promise<string> {
  const path = join(temp.path, name);
  const writer = new PcapWriter(path);
  ids.forEach((id, i) => writer.write(1_700_000_000, i * 1000, frames[id]!));
  await writer.close();
  return path;
}

const run = async (args: string[]) => {
  const io = captureIo();
  const code = await runCli(['verify-order', ...args], io, [verifyOrderCommand]);
  return { code, out: io.stdout(), err: io.stderr() };
};

describe('memoco verify-order', () => {
  it('exits 0 and says OK when the capture holds the trace in order', async () => {
    const trace = await pcapOf('trace.pcap', [0, 1, 2, 3, 4, 5, 6, 7]);
    const { code, out } = await run([trace, '--against', trace]);
    expect(code).toBe(0);
    expect(out).toContain('expected 8  received 8  matched 8  unexpected 0');
    expect(out).toContain('OK: every expected packet arrived once, in order');
  });

  it('exits 1 and names the first problems of each kind', async () => {
    const trace = await pcapOf('trace.pcap', [0, 1, 2, 3, 4, 5, 6, 7]);
    const capture = await pcapOf('bad.pcap', [0, 2, 1, 3, 3, 5, 6, 7]);
    const { code, out } = await run([capture, '--against', trace]);
    expect(code).toBe(1);
    expect(out).toContain('missing 1  duplicates 1  outOfOrder 1');
    expect(out).toContain('FAIL: 1 missing, 1 duplicated, 1 out of order');
    expect(out).toContain('missing: trace #4');
    expect(out).toContain('duplicate: capture #4 repeats trace #3');
    expect(out).toContain('out of order: capture #2 is trace #1, after trace #2');
  });

  it('prints one JSON object with --json', async () => {
    const trace = await pcapOf('trace.pcap', [0, 1, 2, 3, 4, 5, 6, 7]);
    const capture = await pcapOf('short.pcap', [0, 1, 2, 3, 4, 5]);
    const { code, out } = await run([capture, '--against', trace, '--json']);
    expect(code).toBe(1);
    const parsed = JSON.parse(out) as Record<string, unknown>;
    expect(parsed).toMatchObject({ capture, against: trace, mode: 'against', ok: false, expected: 8, missing: 2, examples: { missing: [6, 7] } });
    expect(out.trim().split('\n')).toHaveLength(1);
  });

  it('checks tags with --tags, and --expected catches loss at the end', async () => {
    const tagged = [0, 1, 2].map((seq) => {
      const f = new Uint8Array(84);
      const view = new DataView(f.buffer, 60);
      view.setUint32(0, 0x4d435351);
      view.setBigUint64(8, BigInt(seq));
      return f;
    });
    const path = join(temp.path, 'tagged.pcap');
    const writer = new PcapWriter(path);
    tagged.forEach((f, i) => writer.write(1_700_000_000, i, f));
    await writer.close();
    expect((await run([path, '--tags'])).code).toBe(0);
    const short = await run([path, '--tags', '--expected', '4', '--json']);
    expect(short.code).toBe(1);
    expect(JSON.parse(short.out)).toMatchObject({ mode: 'tags', expected: 4, missing: 1 });
  });

  it('refuses both or neither of --against and --tags as a usage error (exit 2)', async () => {
    const trace = await pcapOf('trace.pcap', [0]);
    const neither = await run([trace]);
    expect(neither.code).toBe(2);
    expect(neither.err).toContain('CLI_ERR_USAGE: verify-order: give exactly one of --against <trace> and --tags');
    expect((await run([trace, '--tags', '--against', trace])).code).toBe(2);
    expect((await run([trace, '--against', trace, '--expected', '3'])).err).toContain('--expected applies to --tags only');
  });

  it('reports a missing capture file with its code, not a stack', async () => {
    const { code, err } = await run([join(temp.path, 'nope.pcap'), '--tags']);
    expect(code).toBe(1);
    expect(err).toMatch(/^memoco verify-order: PCAP_ERR_IO: /);
  });
});
