import { readFileSync } from 'node:fs';
import { MemocoError } from '@memoco/protocol';
import { runCommand } from './run-command.ts';
import { makeTempDir } from './temp-dir.ts';

export interface PeakRssResult {
  /** Peak resident set size of the command (GNU time's "maximum resident set size"), MiB. */
  peakRssMb: number;
  exitCode: number;
  stdout: string;
  stderr: string;
  /** Wall-clock seconds the command took. */
  seconds: number;
}

/**
 * Runs `command args` under GNU time and reports its peak RSS: the figure that shows a
 * replay's or a training run's memory does not grow with the trace (design invariant).
 * Never throws on the command's own failure: the caller reads exitCode.
 */
export async function peakRssOf(command: string, args: readonly string[], options: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<PeakRssResult> {
  const temp = makeTempDir('rss');
  const report = `${temp.path}/time.txt`;
  try {
    const started = performance.now();
    const result = await runCommand('/usr/bin/time', ['-o', report, '-f', '%M', command, ...args], { check: false, timeoutMs: options.timeoutMs ?? 600_000, env: options.env });
    const seconds = (performance.now() - started) / 1000;
    const lines = readFileSync(report, 'utf8').trim().split('\n');
    const kb = Number(lines[lines.length - 1]);
    if (!Number.isFinite(kb)) throw new MemocoError('TESTBED_ERR_COMMAND_FAILED', `/usr/bin/time gave no RSS for ${command}: ${lines.join(' | ')}`);
    return { peakRssMb: Math.round((kb / 1024) * 10) / 10, exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr, seconds };
  } finally {
    temp.remove();
  }
}
