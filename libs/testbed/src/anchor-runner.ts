import { join } from 'node:path';
import { MemocoError } from '@memoco/protocol';
import { runCommand } from './run-command.ts';
import { sharedAnchorsDir } from './shared-paths.ts';

/**
 * Runs one of ../shared/anchors (the outside tools Memoco is measured against) and returns
 * the JSON object it prints as its last stdout line. `.py` runs with python3, others with bash.
 */
export async function runAnchor(script: string, args: readonly string[] = [], options: { timeoutMs?: number } = {}): Promise<Record<string, unknown>> {
  const dir = sharedAnchorsDir();
  if (!dir) throw new MemocoError('TESTBED_ERR_COMMAND_FAILED', `no ../shared/anchors beside the repository: cannot run ${script}`);
  const interpreter = script.endsWith('.py') ? 'python3' : 'bash';
  const result = await runCommand(interpreter, [join(dir, script), ...args], { timeoutMs: options.timeoutMs ?? 600_000 });
  const line = result.stdout.trim().split('\n').filter((l) => l.trim().startsWith('{')).pop();
  if (!line) return {}; // e.g. gen-udp-pcap.py prints nothing: it only writes its file
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    throw new MemocoError('TESTBED_ERR_COMMAND_FAILED', `${script} printed no JSON line: ${line.slice(0, 200)}`);
  }
}
