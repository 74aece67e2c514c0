/**
 * Where a synthesis run's counts come from (synthesis-count-source.ts): the native count
 * graph (synth-count-graph.h) must give onnxruntime's float32 output bit for bit on every
 * (row, bin) pair a run asks for, and the native planner (synth-planner.h) PlanBuilder's
 * chunks array for array, from either source, on the sample's models (with and without
 * classes, past the window, small chunks) and on corpus models. A model file that is not
 * the standard encoding of its tables runs through onnxruntime, and the run still sends
 * exactly what `memoco generate -o` writes.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFlowModel, type LoadedModel } from '@memoco/flow-model';
import { TxRuntime } from './index.ts';
import { isStandardCountGraph } from './synthesis-count-source.ts';
import { frameDigests } from './test-support/frame-digests.ts';
import { writeSynthesisDump } from './test-support/synthesis-dump.ts';
import { SYNTHESIS_TEST_SOURCES } from './test-support/synthesis-test-sources.ts';
import { CORPUS_MODELS, generatedTrace, SAMPLE_TLS, trainedModel } from './test-support/trained-models.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
let dir: string;
let binary: string;
let tls: LoadedModel;
let classes: LoadedModel;

const windowS = (m: LoadedModel) => (m.model.info.windowBins * m.model.info.binNs) / 1e9;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'txcore-synth-counts-'));
  binary = join(dir, 'synthesis-test');
  execFileSync('g++', ['-std=c++20', '-O1', '-ffp-contract=off', '-Wall', '-Wextra', '-Werror', ...SYNTHESIS_TEST_SOURCES, '-o', binary, '-pthread'], { cwd: root });
  tls = await trainedModel(SAMPLE_TLS);
  classes = await trainedModel(SAMPLE_TLS, { maxModelBytes: 16384 });
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Dumps the run and compares counts and chunks natively (test/synthesis-test.cc `plan`). */
async function comparePlanning(model: LoadedModel, options: { durationS: number; seed: number; chunkBins?: number }) {
  const dump = join(dir, `plan-${Math.random().toString(36).slice(2)}.dump`);
  await writeSynthesisDump(dump, { model, cores: 1, ...options });
  const out = JSON.parse(execFileSync(binary, ['plan', dump], { encoding: 'utf8' }).trim()) as Record<string, number>;
  rmSync(dump);
  return out;
}

describe('native counts and chunks equal onnxruntime + PlanBuilder', () => {
  it("the sample's model and its classes model: every pair, every chunk (2.5 windows; 37-bin chunks)", async () => {
    for (const [model, chunkBins] of [
      [tls, undefined],
      [classes, undefined],
      [classes, 37],
    ] as const) {
      const result = await comparePlanning(model, { durationS: windowS(model) * 2.5, seed: 7, chunkBins });
      expect(result).toMatchObject({ countMismatches: 0, chunkMismatches: 0 });
      expect(result.pairs).toBeGreaterThan(2 * model.model.tables.kind.length);
    }
  }, 120_000);

  it.skipIf(CORPUS_MODELS.length === 0)('corpus models, with and without classes, 1.5 windows', async () => {
    for (const trace of CORPUS_MODELS) {
      for (const model of [await trainedModel(trace), await trainedModel(trace, { maxModelBytes: 16384 })]) {
        const result = await comparePlanning(model, { durationS: Math.min(windowS(model) * 1.5, 900), seed: 2 });
        expect(result, basename(trace)).toMatchObject({ countMismatches: 0, chunkMismatches: 0 });
      }
    }
  }, 180_000);
});

describe('which count source a run takes', () => {
  it('trained models are the standard graph; a file with an extra protobuf field is not', () => {
    expect(isStandardCountGraph(tls)).toBe(true);
    expect(isStandardCountGraph(classes)).toBe(true);
    expect(isStandardCountGraph(withUnknownField(tls))).toBe(false);
  });

  it('a non-standard file (counted by onnxruntime) and counts: onnxruntime still send exactly generate -o, 2 cores', async () => {
    const runtime = TxRuntime.start({ workerLcores: 2 });
    const durationS = windowS(classes) * 1.5;
    const expected = (await frameDigests(await generatedTrace(classes, join(dir, 'ref.pcap'), { seed: 8, durationS }))).digests;
    let n = 0;
    for (const [model, counts] of [
      [withUnknownField(classes), 'auto'],
      [classes, 'onnxruntime'],
    ] as const) {
      const out = join(dir, `onnx-${n}.pcap`);
      const run = await runtime.startSynthesis({ model, counts, port: `net_pcap${n++},tx_pcap=${out}`, topspeed: true, cores: 2, seed: 8, durationS });
      const result = await run.done();
      expect(result.failure).toBeUndefined();
      expect((await frameDigests(out)).digests).toEqual(expected);
    }
  });
});

/**
 * The same model with one more ModelProto field (number 99, a varint), which protobuf readers
 * (onnxruntime, the decoder) skip: a valid model whose bytes the encoder would not write.
 */
function withUnknownField(model: LoadedModel): LoadedModel {
  const bytes = new Uint8Array(model.bytes.length + 3);
  bytes.set(model.bytes);
  bytes.set([0x98, 0x06, 0x01], model.bytes.length); // key (99 << 3 | 0) as a varint, value 1
  return loadFlowModel(bytes);
}
