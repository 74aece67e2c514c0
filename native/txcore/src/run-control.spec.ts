/**
 * Stats while running, stop() (Ctrl-C), the drain-lcore mode and the pacing modes (issue 3).
 * No timing assertions (design.md: performance is measured by `npm run bench -- tx`): only
 * that paced runs deliver everything, in order, with a consistent lateness summary.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '@memoco/testbed';
import { TxRuntime, type ReplayOptionsInput } from './index.ts';
import { udpFrame, writePcap } from './test-support/craft-pcap.ts';
import { frameDigests } from './test-support/frame-digests.ts';
import { CORPUS, CORPUS_SKIP } from './test-support/shared-corpus.ts';

let runtime: TxRuntime;
let dir: string;
let runs = 0;
const EXAMPLE = CORPUS.find((f) => f.endsWith('pcpp__example.pcap'));
const TLS = CORPUS.find((f) => f.endsWith('pcpp__tls2.pcap'));
const WIKIPEDIA = CORPUS.find((f) => f.endsWith('zeek__wikipedia.pcap'));

beforeAll(() => {
  runtime = TxRuntime.start({ workerLcores: 3 });
  dir = mkdtempSync(join(tmpdir(), 'txcore-run-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function start(trace: string, options: Omit<ReplayOptionsInput, 'trace' | 'port'>) {
  const out = join(dir, `out-${runs}.pcap`);
  return { out, run: runtime.startReplay({ trace, port: `net_pcap${runs++},tx_pcap=${out}`, bufferMb: 4, ...options }) };
}

describe.skipIf(!EXAMPLE || !TLS || !WIKIPEDIA)(`run control ${EXAMPLE ? '' : CORPUS_SKIP}`, () => {
  it('stats are read while the cores run; stop() ends the run with a valid pcap of what was sent', async () => {
    const { out, run } = start(EXAMPLE!, { pps: 20_000, loops: 0, cores: 2 });
    let seen = run.stats();
    while (seen.packets < 500) {
      await new Promise((r) => setTimeout(r, 20));
      seen = run.stats();
    }
    expect(seen.running).toBe(true);
    expect(seen.perCore.map((c) => c.core)).toEqual([0, 1]);
    run.stop();
    const result = await run.done();
    expect(result.stopped).toBe(true);
    expect(result.packets).toBeGreaterThanOrEqual(seen.packets);
    const source = (await frameDigests(EXAMPLE!)).digests;
    const sent = await frameDigests(out);
    expect(sent.fault).toBeUndefined();
    expect(sent.digests.length).toBe(result.packets);
    const looped = Array.from({ length: result.packets }, (_, i) => source[i % source.length]);
    expect(sent.digests).toEqual(looped);
  });

  it('stop() is prompt even while a core waits for a packet due in an hour', async () => {
    const trace = join(dir, 'hour-gap.pcap');
    await writePcap(trace, [udpFrame(1, 2, 30), udpFrame(1, 2, 30)], 3_600_000);
    const { out, run } = start(trace, { speed: 1 });
    while (run.stats().packets < 1) await new Promise((r) => setTimeout(r, 10));
    run.stop();
    const result = await run.done();
    expect(result).toMatchObject({ stopped: true, packets: 1 });
    expect((await frameDigests(out)).digests).toHaveLength(1);
  });

  it('watch() stops on an aborted signal and still reports', async () => {
    const { run } = start(EXAMPLE!, { pps: 5_000, loops: 0 });
    const controller = new AbortController();
    const ticks: number[] = [];
    setTimeout(() => controller.abort(), 150);
    const result = await run.watch({ signal: controller.signal, intervalMs: 30, onStats: (s) => ticks.push(s.packets) });
    expect(result.stopped).toBe(true);
    expect(ticks.length).toBeGreaterThan(1);
  });

  it('runs stopped mid-flight give every mbuf back to the pools the next run reuses', async () => {
    // 1 core sends its blocks without the ring (sendAtHead), 2 cores through it
    for (const cores of [2, 1, 2, 1, 2, 1]) {
      const run = runtime.startReplay({ trace: EXAMPLE!, port: 'net_null0', topspeed: true, loops: 0, cores, bufferMb: 4 });
      await new Promise((r) => setTimeout(r, 40));
      run.stop();
      const result = await run.done();
      expect(result.stopped).toBe(true);
      expect(result.mbufsOutstanding).toBe(0);
    }
  });

  it('a dedicated drain lcore keeps the sequence exactly too', async () => {
    const { out, run } = start(TLS!, { topspeed: true, cores: 2, drain: 'lcore' });
    const result = await run.done();
    expect((await frameDigests(out)).digests).toEqual((await frameDigests(TLS!)).digests);
    expect(result.perCore.every((c) => c.packets > 0)).toBe(true);
  });

  for (const [name, rate] of [
    ['original timing x100', { speed: 100 }],
    ['--pps', { pps: 50_000 }],
    ['--mbps', { mbps: 200 }],
  ] as const) {
    it(`${name}: every packet, in order, with a lateness summary`, async () => {
      const { out, run } = start(WIKIPEDIA!, { ...rate, cores: 2 });
      const result = await run.done();
      expect((await frameDigests(out)).digests).toEqual((await frameDigests(WIKIPEDIA!)).digests);
      const { p50Us, p99Us, maxUs } = result.lateness;
      expect(p50Us).toBeLessThanOrEqual(p99Us);
      expect(p99Us).toBeLessThanOrEqual(maxUs);
      expect(result.late).toBeLessThanOrEqual(result.packets);
    });
  }
});

describe('a packet limit (--count)', () => {
  const FIXTURE = join(repoRoot(), 'libs', 'pcap', 'fixtures', 'zeek__wikipedia.pcap');

  it('ends the replay after exactly the first N packets, across loops and cores', async () => {
    const source = (await frameDigests(FIXTURE)).digests;
    for (const [maxPackets, cores] of [[1, 1], [source.length + 5, 2], [2 * source.length, 2]] as const) {
      const { out, run } = start(FIXTURE, { topspeed: true, loops: 3, cores, maxPackets });
      const result = await run.done();
      expect(result, `maxPackets ${maxPackets}`).toMatchObject({ packets: maxPackets, stopped: false, mbufsOutstanding: 0 });
      const looped = Array.from({ length: maxPackets }, (_, i) => source[i % source.length]);
      expect((await frameDigests(out)).digests).toEqual(looped);
    }
  });

  it('a limit past the trace changes nothing; 0 is refused', async () => {
    const source = (await frameDigests(FIXTURE)).digests;
    const { out, run } = start(FIXTURE, { topspeed: true, maxPackets: source.length + 100 });
    expect((await run.done()).packets).toBe(source.length);
    expect((await frameDigests(out)).digests).toEqual(source);
    expect(() => runtime.startReplay({ trace: FIXTURE, port: 'net_null0', maxPackets: 0 })).toThrow(expect.objectContaining({ code: 'TXCORE_ERR_BAD_OPTION' }));
  });
});
