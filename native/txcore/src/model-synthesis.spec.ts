/**
 * Issue 4, regeneration through the TX engine: for the same model, seed and duration, what
 * the native engine sends through net_pcap is byte for byte, in order, what `memoco generate
 * -o` writes, with 1 and 2 cores; with --tag the trailers verify; a fleet shard (coreRows)
 * sends exactly its rows' packets, in the global order. Models are trained from the
 * repository's sample (always) and from the shared corpus (skipped when ../shared is absent).
 * One EAL for this file's process (vitest forks); ports hot-plugged per run.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoadedModel } from '@memoco/flow-model';
import { verifyOrder } from '@memoco/replay-check';
import { TxRuntime, type SynthesisOptionsInput } from './index.ts';
import { udpFrame, writePcap } from './test-support/craft-pcap.ts';
import { frameDigests } from './test-support/frame-digests.ts';
import { CORPUS_SKIP } from './test-support/shared-corpus.ts';
import { CORPUS_MODELS, generatedTrace, SAMPLE_TLS, trainedModel } from './test-support/trained-models.ts';

let runtime: TxRuntime;
let dir: string;
let runs = 0;
let tls: LoadedModel;
let tlsClasses: LoadedModel;

beforeAll(async () => {
  runtime = TxRuntime.start({ workerLcores: 3 });
  dir = mkdtempSync(join(tmpdir(), 'txcore-synth-'));
  tls = await trainedModel(SAMPLE_TLS);
  tlsClasses = await trainedModel(SAMPLE_TLS, { maxModelBytes: 16384 });
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function synthesizeToPcap(model: LoadedModel, options: Omit<SynthesisOptionsInput, 'model' | 'port'>) {
  const out = join(dir, `port-${runs}.pcap`);
  const run = await runtime.startSynthesis({ model, port: `net_pcap${runs++},tx_pcap=${out}`, topspeed: true, ...options });
  return { out, result: await run.done() };
}

async function reference(model: LoadedModel, options: { seed: number; durationS?: number; tag?: boolean }) {
  return (await frameDigests(await generatedTrace(model, join(dir, `ref-${runs++}.pcap`), options))).digests;
}

const windowS = (m: LoadedModel) => (m.model.info.windowBins * m.model.info.binNs) / 1e9;

describe('model synthesis through net_pcap equals memoco generate -o', () => {
  for (const cores of [1, 2]) {
    it(`the sample's model (334 flows), 2.5 windows, ${cores} core(s): same bytes, same order`, async () => {
      const durationS = windowS(tls) * 2.5;
      const expected = await reference(tls, { seed: 11, durationS });
      const { out, result } = await synthesizeToPcap(tls, { seed: 11, durationS, cores });
      const sent = await frameDigests(out);
      expect(sent.fault).toBeUndefined();
      expect(sent.digests).toEqual(expected);
      expect(result).toMatchObject({ packets: expected.length, stopped: false, mbufsOutstanding: 0 });
      // bytes as counted (per block when one core sends without the ring): the capture's frames
      expect(result.bytes).toBe(statSync(out).size - 24 - 16 * expected.length);
      expect(result.failure).toBeUndefined();
      expect(result.perCore).toHaveLength(cores);
      expect(result.perCore.every((c) => c.packets > 0)).toBe(true);
      if (cores === 2) expect(result.perCore.every((c) => c.directBlocks === 0)).toBe(true);
      // modelled flows repeat exactly per window: 2 full windows + half of one
      expect(expected.length).toBeGreaterThan(2 * tls.model.info.tracePackets);
    });
  }

  it('1 core, burst 1: every block straight to the port (no ring), the same bytes and order', async () => {
    const durationS = windowS(tls) * 1.5;
    const expected = await reference(tls, { seed: 5, durationS });
    const { out, result } = await synthesizeToPcap(tls, { seed: 5, durationS, cores: 1, burst: 1 });
    expect((await frameDigests(out)).digests).toEqual(expected);
    expect(result.bytes).toBe(statSync(out).size - 24 - 16 * expected.length);
    expect(result.perCore[0]!.directBlocks).toBe(result.perCore[0]!.blocks);
    expect(result).toMatchObject({ packets: expected.length, mbufsOutstanding: 0 });
  });

  it('a dedicated drain lcore (--drain lcore) keeps the sequence too', async () => {
    const expected = await reference(tls, { seed: 12 });
    const { out, result } = await synthesizeToPcap(tls, { seed: 12, cores: 2, drain: 'lcore' });
    expect((await frameDigests(out)).digests).toEqual(expected);
    expect(result.perCore.every((c) => c.packets > 0)).toBe(true);
  });

  it('a model with flow classes (16 KB budget), 2 cores, shorter than its window', async () => {
    expect(tlsClasses.model.info.classes).toBeGreaterThan(0);
    const durationS = windowS(tlsClasses) * 0.6;
    const expected = await reference(tlsClasses, { seed: 5, durationS });
    const { out, result } = await synthesizeToPcap(tlsClasses, { seed: 5, durationS, cores: 2 });
    expect((await frameDigests(out)).digests).toEqual(expected);
    expect(result.figures.members).toBeGreaterThan(0);
  });
});

describe("mbufs sized to the model's longest frame", () => {
  // 30 flows of one frame size each: the room is the smallest of 128 .. 2048 that holds the
  // longest frame the plan can draw (mbuf-pools.h); 128-byte frames fill their mbufs exactly.
  for (const [frameBytes, room] of [[64, 128], [128, 128], [200, 256], [1400, 2048]] as const) {
    it(`${frameBytes}-byte UDP frames go out of ${room}-byte mbufs, the same bytes and order`, async () => {
      const trace = join(dir, `udp-${frameBytes}.pcap`);
      await writePcap(trace, Array.from({ length: 900 }, (_, i) => udpFrame(1000 + (i % 30), 9, frameBytes - 42)));
      const model = await trainedModel(trace);
      const expected = await reference(model, { seed: 3, durationS: windowS(model) * 2 });
      const { out, result } = await synthesizeToPcap(model, { seed: 3, durationS: windowS(model) * 2 });
      const sent = await frameDigests(out);
      expect(sent.digests).toEqual(expected);
      expect(sent.maxFrameBytes).toBe(frameBytes);
      expect(result.figures.mbufRoom).toBe(room);
      expect(result).toMatchObject({ packets: expected.length, mbufsOutstanding: 0 });
    });
  }
});

describe.skipIf(CORPUS_MODELS.length === 0)(`corpus models ${CORPUS_MODELS.length ? '' : CORPUS_SKIP}`, () => {
  for (const trace of CORPUS_MODELS) {
    it(`${basename(trace)}: 1 and 2 cores, 1.5 windows, with and without classes`, async () => {
      for (const model of [await trainedModel(trace), await trainedModel(trace, { maxModelBytes: 16384 })]) {
        const durationS = Math.min(windowS(model) * 1.5, 900);
        const expected = await reference(model, { seed: 2, durationS });
        for (const cores of [1, 2]) {
          const { out, result } = await synthesizeToPcap(model, { seed: 2, durationS, cores });
          expect((await frameDigests(out)).digests).toEqual(expected);
          expect(result.mbufsOutstanding).toBe(0);
        }
      }
    }, 60_000);
  }
});

describe('--tag and fleet shards', () => {
  it('tagged frames equal generate -o --tag and verify with verify-order --tags (2 cores, classes)', async () => {
    const durationS = windowS(tlsClasses) * 1.5;
    const expected = await reference(tlsClasses, { seed: 9, durationS, tag: true });
    const { out, result } = await synthesizeToPcap(tlsClasses, { seed: 9, durationS, cores: 2, tag: true });
    expect((await frameDigests(out)).digests).toEqual(expected);
    const check = await verifyOrder(out, { tags: true, expectedCount: result.packets });
    expect(check).toMatchObject({ ok: true, missing: 0, outOfOrder: 0, duplicates: 0, matched: result.packets });
    expect(check.flows).toBeGreaterThan(tlsClasses.model.info.modelledFlows);
  });

  it('two hosts with half the rows each send exactly their rows, each in the global order', async () => {
    const rows = tls.model.tables.kind.length;
    const half = (odd: number) => Uint32Array.from({ length: rows }, (_, r) => r).filter((r) => r % 2 === odd);
    const full = await reference(tls, { seed: 4 });
    const a = await synthesizeToPcap(tls, { seed: 4, coreRows: [half(0)] });
    const b = await synthesizeToPcap(tls, { seed: 4, cores: 2, coreRows: [half(1).filter((r) => r % 4 === 1), half(1).filter((r) => r % 4 === 3)] });
    const sentA = (await frameDigests(a.out)).digests;
    const sentB = (await frameDigests(b.out)).digests;
    expect(sentA.length + sentB.length).toBe(full.length);
    expect(sentA.length).toBeGreaterThan(0);
    expect(sentB.length).toBeGreaterThan(0);
    // Each host's stream is a subsequence of the full one, and together they are all of it.
    const set = new Set(sentA);
    const merged = full.filter((d) => set.has(d));
    expect(merged).toEqual(sentA);
    expect(full.filter((d) => !set.has(d))).toEqual(sentB);
  });
});
