import { isMemocoError } from '@memoco/protocol';
import type { CliCommand, CliIo } from './cli-command.ts';
import { COMMANDS } from './command-registry.ts';

const USAGE_HEAD = 'memoco: traffic generator with sequence-guaranteed multi-core replay, flow models and time-series replay';

export function formatHelp(commands: readonly CliCommand[]): string {
  const width = Math.max(...commands.map((c) => c.name.length), 8);
  const lines = commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return `${USAGE_HEAD}\n\nUsage: memoco <command> [options]   (memoco <command> --help for its options)\n\nCommands:\n${lines.join('\n')}\n\nGlobal options:\n  --debug   print stack traces of unexpected errors\n  --help    this text\n`;
}

/** Finds the longest command name (one or two words) that prefixes argv. */
export function findCommand(commands: readonly CliCommand[], argv: string[]): { command: CliCommand; rest: string[] } | undefined {
  const two = commands.find((c) => argv.length >= 2 && c.name === `${argv[0]} ${argv[1]}`);
  if (two) return { command: two, rest: argv.slice(2) };
  const one = commands.find((c) => c.name === argv[0]);
  return one ? { command: one, rest: argv.slice(1) } : undefined;
}

export function processIo(debug: boolean, signal: AbortSignal): CliIo {
  return {
    out: (t) => void process.stdout.write(t),
    err: (t) => void process.stderr.write(t),
    isTty: Boolean(process.stderr.isTTY),
    debug,
    signal,
  };
}

/** Runs one command line and returns the exit code. Errors become one line (code: message). */
export async function runCli(argv: string[], io: CliIo, commands: readonly CliCommand[] = COMMANDS): Promise<number> {
  const args = argv.filter((a) => a !== '--debug');
  if (args.length === 0 || args[0] === '--help' || args[0] === '-h' || args[0] === 'help') {
    io.out(formatHelp(commands));
    return args.length === 0 ? 1 : 0;
  }
  const found = findCommand(commands, args);
  if (!found) {
    io.err(`memoco: CLI_ERR_UNKNOWN_COMMAND: no command '${args[0]}' (memoco --help lists them)\n`);
    return 2;
  }
  if (found.rest.includes('--help') || found.rest.includes('-h')) {
    io.out(found.command.help.endsWith('\n') ? found.command.help : `${found.command.help}\n`);
    return 0;
  }
  try {
    return await found.command.run(found.rest, io);
  } catch (error) {
    if (isMemocoError(error)) {
      io.err(`memoco ${found.command.name}: ${error.code}: ${error.message}\n`);
      if (io.debug && error.stack) io.err(`${error.stack}\n`);
      return error.code.startsWith('CLI_ERR_') ? 2 : 1;
    }
    const message = error instanceof Error ? error.message : String(error);
    io.err(`memoco ${found.command.name}: MEMOCO_ERR_INTERNAL: ${message}${io.debug ? '' : ' (--debug for details)'}\n`);
    if (io.debug && error instanceof Error && error.stack) io.err(`${error.stack}\n`);
    return 70;
  }
}

export async function main(argv: string[]): Promise<number> {
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    return await runCli(argv, processIo(argv.includes('--debug'), controller.signal));
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
