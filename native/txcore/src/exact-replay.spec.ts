/**
 * Issue 3, "Done when": every capture of the shared corpus replayed through net_pcap with 1
 * and 2 cores comes out as the source sequence exactly (byte-for-byte, in order), and the
 * truncated one gives its coded error after sending every packet before the cut.
 * One EAL for this file's process (vitest forks); ports hot-plugged per run.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyOrder } from '@memoco/replay-check';
import { TxRuntime } from './index.ts';
import { frameDigests } from './test-support/frame-digests.ts';
import { CORPUS, CORPUS_SKIP, TRUNCATED } from './test-support/shared-corpus.ts';

let runtime: TxRuntime;
let dir: string;
let runs = 0;

beforeAll(() => {
  runtime = TxRuntime.start({ workerLcores: 3 });
  dir = mkdtempSync(join(tmpdir(), 'txcore-replay-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function replayToPcap(trace: string, cores: number, extra: Record<string, unknown> = {}) {
  const out = join(dir, `out-${runs}.pcap`);
  const run = runtime.startReplay({ trace, port: `net_pcap${runs++},tx_pcap=${out}`, cores, topspeed: true, bufferMb: 1, ...extra });
  return { out, result: await run.done() };
}

describe.skipIf(CORPUS.length === 0)(`exact replay of the shared corpus through net_pcap ${CORPUS.length ? '' : CORPUS_SKIP}`, () => {
  for (const trace of CORPUS) {
    for (const cores of [1, 2]) {
      it(`${basename(trace)} with ${cores} core(s): the output is the source sequence exactly`, async () => {
        const source = await frameDigests(trace);
        const { out, result } = await replayToPcap(trace, cores);
        const sent = await frameDigests(out);
        expect(sent.fault).toBeUndefined();
        expect(sent.digests.length).toBe(source.digests.length);
        expect(sent.digests).toEqual(source.digests);
        expect(result.packets).toBe(source.digests.length);
        // bytes as counted (per block when one core sends without the ring): the capture's frames
        expect(result.bytes).toBe(statSync(out).size - 24 - 16 * sent.digests.length);
        expect(result.perCore).toHaveLength(cores);
        if (cores === 2) expect(result.perCore.every((c) => c.directBlocks === 0)).toBe(true);
        expect(result.mbufsOutstanding).toBe(0);
        if (trace === TRUNCATED) {
          expect(result.failure?.code).toBe('TXCORE_ERR_TRACE_TRUNCATED');
          expect(result.failure?.details).toMatchObject({ record: source.digests.length, offset: expect.any(Number) });
        } else {
          expect(result.failure).toBeUndefined();
        }
      });
    }
  }

  for (const trace of CORPUS) {
    it(`${basename(trace)}, 1 core, burst 1: every block straight to the port (no ring), the same sequence`, async () => {
      const source = await frameDigests(trace);
      const { out, result } = await replayToPcap(trace, 1, { burst: 1 });
      const sent = await frameDigests(out);
      expect(sent.digests).toEqual(source.digests);
      expect(result.bytes).toBe(statSync(out).size - 24 - 16 * sent.digests.length);
      expect(result.perCore[0]!.directBlocks).toBe(result.perCore[0]!.blocks);
      expect(result.mbufsOutstanding).toBe(0);
    });
  }

  it('verify-order agrees: 0 missing, 0 out of order, with 2 cores on the largest flow mix', async () => {
    const trace = CORPUS.find((f) => f.endsWith('pcpp__tls2.pcap')) ?? CORPUS[0]!;
    const { out, result } = await replayToPcap(trace, 2);
    const check = await verifyOrder(out, { against: trace });
    expect(check).toMatchObject({ ok: true, missing: 0, outOfOrder: 0, duplicates: 0, matched: result.packets });
    // both cores built packets: the flows really were split
    expect(result.perCore.every((c) => c.packets > 0)).toBe(true);
  });
});

describe.skipIf(CORPUS.length === 0)('per-flow order (--order flow): one TX queue per core', () => {
  it('each queue carries its core\'s packets in trace order, and together every packet once', async () => {
    const trace = CORPUS.find((f) => f.endsWith('pcpp__tls2.pcap')) ?? CORPUS[0]!;
    const [a, b] = [join(dir, `flow-${runs}-a.pcap`), join(dir, `flow-${runs}-b.pcap`)];
    const result = await runtime.startReplay({ trace, port: `net_pcap${runs++},tx_pcap=${a},tx_pcap=${b}`, cores: 2, order: 'flow', topspeed: true, bufferMb: 1 }).done();
    const source = (await frameDigests(trace)).digests;
    const queues = [(await frameDigests(a)).digests, (await frameDigests(b)).digests];
    expect(queues.map((q) => q.length)).toEqual(result.perCore.map((c) => c.packets));
    expect(queues.every((q) => q.length > 0)).toBe(true);
    for (const q of queues) {
      let at = 0; // q must be a subsequence of the source: its packets in trace order
      for (const digest of q) {
        while (at < source.length && source[at] !== digest) at++;
        expect(at).toBeLessThan(source.length);
        at++;
      }
    }
    expect([...queues[0]!, ...queues[1]!].sort()).toEqual([...source].sort());
  });
});

describe.skipIf(CORPUS.length === 0)('streaming in fixed memory', () => {
  it('a 1 MB buffer streams a 3.8 MB trace and a second loop continues the sequence', async () => {
    const trace = CORPUS.find((f) => f.endsWith('pcpp__example.pcap'))!;
    const source = await frameDigests(trace);
    const { out, result } = await replayToPcap(trace, 2, { loops: 2 });
    const sent = await frameDigests(out);
    expect(sent.digests).toEqual([...source.digests, ...source.digests]);
    expect(result.figures.bufferWaits).toBeGreaterThanOrEqual(0);
  });
});
