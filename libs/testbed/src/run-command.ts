import { execFile } from 'node:child_process';
import { MemocoError } from '@memoco/protocol';

export interface CommandResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface RunCommandOptions {
  /** Kill the command after this long (default 60 s). */
  timeoutMs?: number;
  /** Throw TESTBED_ERR_COMMAND_FAILED on a non-zero exit (default true). */
  check?: boolean;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/** Runs a command to completion and collects its output; never goes through a shell. */
export function runCommand(command: string, args: readonly string[], opts: RunCommandOptions = {}): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      { timeout: opts.timeoutMs ?? 60_000, maxBuffer: 64 * 1024 * 1024, env: opts.env ?? process.env, cwd: opts.cwd },
      (error, stdout, stderr) => {
        const code = error ? exitCodeOf(error) : 0;
        const result = { exitCode: code, stdout: String(stdout), stderr: String(stderr) };
        if (code !== 0 && opts.check !== false) {
          const tail = result.stderr.trim().split('\n').slice(-5).join(' | ') || (error?.message ?? '');
          reject(new MemocoError('TESTBED_ERR_COMMAND_FAILED', `${command} ${args.join(' ')} exited with ${code}: ${tail}`, { command, exitCode: code }));
          return;
        }
        resolve(result);
      },
    );
  });
}

function exitCodeOf(error: Error & { code?: unknown; signal?: unknown }): number {
  if (typeof error.code === 'number') return error.code;
  if (error.code === 'ENOENT') return 127;
  return error.signal ? 128 : 1;
}

/** Keeps the last `limit` characters a process wrote, for error messages. */
export class OutputTail {
  private text = '';
  constructor(private readonly limit = 4096) {}
  push(chunk: Buffer | string): void {
    this.text = (this.text + String(chunk)).slice(-this.limit);
  }
  toString(): string {
    return this.text;
  }
  lastLines(count: number): string {
    return this.text.trim().split('\n').slice(-count).join(' | ');
  }
}
