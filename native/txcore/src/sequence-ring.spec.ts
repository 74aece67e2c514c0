/**
 * The sequence ring and its drain under contention (issue 3): the C++ test in
 * test/sequence-ring-test.cc, built here with ThreadSanitizer, runs several producer threads
 * that own random runs of one global order and commit blocks of random size; the drainer (a
 * dedicated thread, or the producers through the flush try-lock) must see every position
 * once, in order, and TSan must find no data race.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const source = join(dirname(fileURLToPath(import.meta.url)), '..', 'test', 'sequence-ring-test.cc');
let dir: string;
let binary: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'txcore-ring-'));
  binary = join(dir, 'sequence-ring-test');
  execFileSync('g++', ['-std=c++20', '-O1', '-g', '-fsanitize=thread', '-Wall', '-Wextra', '-Werror', source, '-o', binary, '-pthread']);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(producers: number, positions: number, mode: 'lcore' | 'flush', seed: number) {
  // TSan exits non-zero on a race (halt_on_error) and prints it on stderr: execFileSync throws then.
  const out = execFileSync(binary, [String(producers), String(positions), mode, String(seed)], {
    env: { ...process.env, TSAN_OPTIONS: 'halt_on_error=1 exitcode=66' },
    encoding: 'utf8',
  });
  return JSON.parse(out.trim()) as { drained: number; errors: number; ok: boolean };
}

describe('sequence ring under ThreadSanitizer', () => {
  for (const mode of ['lcore', 'flush'] as const) {
    it(`4 producers, ${mode} drain: every position once, strictly in order, no race`, () => {
      expect(run(4, 60_000, mode, 7)).toEqual({ producers: 4, positions: 60_000, mode, drained: 60_000, errors: 0, ok: true });
    });
  }

  it('1 producer (the single-core path) keeps order too', () => {
    expect(run(1, 20_000, 'flush', 3).ok).toBe(true);
  });
});
