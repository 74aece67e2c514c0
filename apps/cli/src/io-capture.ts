import type { CliIo } from './cli-command.ts';

/** An in-memory CliIo for tests: collects what a command writes. */
export function captureIo(opts: { signal?: AbortSignal; isTty?: boolean } = {}): CliIo & { stdout(): string; stderr(): string } {
  let out = '';
  let err = '';
  return {
    out: (t) => void (out += t),
    err: (t) => void (err += t),
    isTty: opts.isTty ?? false,
    debug: false,
    signal: opts.signal ?? new AbortController().signal,
    stdout: () => out,
    stderr: () => err,
  };
}
