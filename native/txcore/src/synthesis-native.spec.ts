/**
 * The native half of model synthesis under sanitizers, on a real model (the repository's
 * sample): test/synthesis-test.cc built with AddressSanitizer + UndefinedBehaviorSanitizer
 * and with ThreadSanitizer runs the planner (a producer thread in JavaScript's place, from the
 * natively evaluated count graph and from onnxruntime's counts), the bounded chunk queue, the
 * feeder and two consumer "cores" on small batches, and must write exactly the frames
 * `memoco generate -o` writes; the native count graph must equal onnxruntime's output on
 * every pair and the native planner's chunks PlanBuilder's, array for array; the fast frame
 * builder must equal the general one (the TypeScript port) on random packets of every
 * template. To rerun by hand, see docs/txcore.md "Model synthesis: sanitizers".
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoadedModel } from '@memoco/flow-model';
import { frameDigests } from './test-support/frame-digests.ts';
import { writeSynthesisDump } from './test-support/synthesis-dump.ts';
import { SYNTHESIS_TEST_SOURCES } from './test-support/synthesis-test-sources.ts';
import { generatedTrace, SAMPLE_TLS, trainedModel } from './test-support/trained-models.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
let dir: string;
let model: LoadedModel;
let classes: LoadedModel;

function build(name: string, sanitize: string): string {
  const binary = join(dir, name);
  execFileSync('g++', ['-std=c++20', '-O1', '-g', '-ffp-contract=off', `-fsanitize=${sanitize}`, '-fno-sanitize-recover=all', '-Wall', '-Wextra', '-Werror', ...SYNTHESIS_TEST_SOURCES, '-o', binary, '-pthread'], { cwd: root });
  return binary;
}

function run(binary: string, args: string[]): Record<string, number | boolean> {
  const out = execFileSync(binary, args, { encoding: 'utf8', env: { ...process.env, TSAN_OPTIONS: 'halt_on_error=1 exitcode=66', ASAN_OPTIONS: 'detect_leaks=1' } });
  return JSON.parse(out.trim()) as Record<string, number | boolean>;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'txcore-synth-native-'));
  model = await trainedModel(SAMPLE_TLS);
  classes = await trainedModel(SAMPLE_TLS, { maxModelBytes: 16384 });
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the synthesis core under sanitizers', () => {
  for (const [name, sanitize] of [
    ['AddressSanitizer + UBSan', 'address,undefined'],
    ['ThreadSanitizer', 'thread'],
  ] as const) {
    it(`${name}: feeder + 2 cores (tags, paced) and 1 core (topspeed) write exactly generate -o's frames (classes, 1.5 windows)`, async () => {
      const binary = build(sanitize.replace(',', '-'), sanitize);
      const durationS = ((classes.model.info.windowBins * classes.model.info.binNs) / 1e9) * 1.5;
      const dump = join(dir, `${sanitize}.dump`);
      await writeSynthesisDump(dump, { model: classes, cores: 2, durationS, tag: true, seed: 6 });
      const expected = (await frameDigests(await generatedTrace(classes, join(dir, 'ref.pcap'), { seed: 6, durationS, tag: true }))).digests;
      for (const counts of ['native', 'onnx']) {
        const out = join(dir, `${sanitize}-${counts}.pcap`);
        const result = run(binary, ['pcap', dump, out, '2', '256', 'paced', counts]);
        expect(result).toMatchObject({ packets: expected.length, failed: false });
        expect((await frameDigests(out)).digests).toEqual(expected);
      }
      // One core at topspeed, untagged (the bench's shape): the feeder's other specialisation
      // of dispatch, and its last bins dropping packets past the end.
      const plain = join(dir, `${sanitize}-plain.dump`);
      await writeSynthesisDump(plain, { model: classes, cores: 1, durationS, seed: 6 });
      const plainOut = join(dir, `${sanitize}-plain.pcap`);
      const plainExpected = (await frameDigests(await generatedTrace(classes, join(dir, 'ref-plain.pcap'), { seed: 6, durationS }))).digests;
      expect(run(binary, ['pcap', plain, plainOut, '1', '256', 'topspeed', 'native'])).toMatchObject({ packets: plainExpected.length, failed: false });
      expect((await frameDigests(plainOut)).digests).toEqual(plainExpected);
      expect(run(binary, ['plan', dump])).toMatchObject({ countMismatches: 0, chunkMismatches: 0 });
      if (sanitize === 'address,undefined') {
        const paths = join(dir, 'paths.dump');
        await writeSynthesisDump(paths, { model, cores: 1, durationS: 1 });
        const compared = run(binary, ['paths', paths, '100', '1']);
        expect(compared.mismatches).toBe(0);
        expect(compared.compared).toBeGreaterThan(10_000);
      }
    }, 120_000);
  }
});
