/**
 * What the ts bench's sections share: one `memoco ts replay --json` per run in its own
 * process (one EAL each; peak RSS by GNU time), synthetic archives by `synthesizeArchive`
 * (`memoco ts synth`), and the spin probe (bench/ts-spin-probe.c) that measures the
 * machine's own floor for time violations on the TX thread's CPU.
 */
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { peakRssOf, repoRoot, runCommand } from '@memoco/testbed';
import { parseTsSynthOptions, synthesizeArchive, type TsSynthOptionsInput } from '@memoco/tsarchive';
import { benchLog, parseRunArgs, round, type BenchArgs } from './bench-args.ts';

export interface TsReplayJson {
  records: number;
  sent: number;
  dropped: number;
  outOfOrder: number;
  lateness: { p50Us: number; p99Us: number; maxUs: number };
  pps: number;
  seconds: number;
  packets: number;
  threads: { pinned: boolean; priority: string };
  peakRssMb: number;
}

export interface TsBenchArgs extends BenchArgs {
  only?: string;
}

const CLI = join(repoRoot(), 'apps', 'cli', 'bin', 'memoco.mjs');
export { round };
export const say = benchLog('ts');
export const load = () => round(loadavg()[0]!, 2);
/** The CPU a single TX thread is pinned to (ts-thread-placement.h: the last one). */
export const TX_CPU = availableParallelism() - 1;

export function parseBenchArgs(args: string[]): TsBenchArgs {
  const only = args.indexOf('--only');
  return { ...parseRunArgs(args), only: only >= 0 ? args[only + 1] : undefined };
}

/** One `memoco ts replay <archive> --port net_null0 --json <extra>` in its own process. */
export async function tsReplay(archive: string, extra: string[]): Promise<TsReplayJson & { gnuTimeRssMb: number }> {
  const run = await peakRssOf(process.execPath, [CLI, 'ts', 'replay', archive, '--port', 'net_null0', '--json', ...extra], { timeoutMs: 900_000 });
  if (run.exitCode !== 0) throw new Error(`memoco ts replay failed (${run.exitCode}): ${run.stderr.trim()}`);
  return { ...(JSON.parse(run.stdout) as TsReplayJson), gnuTimeRssMb: run.peakRssMb };
}

export async function synth(path: string, options: TsSynthOptionsInput): Promise<string> {
  say(`writing ${path.split('/').pop()} (${options.records} records)`);
  await synthesizeArchive(path, parseTsSynthOptions(options));
  return path;
}

/** Compiles the spin probe once; returns a function running it. */
export async function spinProbe(temp: string): Promise<(seconds: number, drifts: number[], fifo: boolean) => Promise<Record<string, number>>> {
  const binary = join(temp, 'ts-spin-probe');
  await runCommand('gcc', ['-O2', '-o', binary, join(repoRoot(), 'bench', 'ts-spin-probe.c')]);
  return async (seconds, drifts, fifo) => {
    const out = await runCommand(binary, [String(TX_CPU), fifo ? '1' : '0', String(seconds), drifts.join(',')], { timeoutMs: (seconds + 10) * 1000 });
    const j = JSON.parse(out.stdout) as { lostUsBeyond: Record<string, number>; maxGapUs: number; fifo: number };
    return { ...j.lostUsBeyond, maxGapUs: j.maxGapUs, fifo: j.fifo };
  };
}
