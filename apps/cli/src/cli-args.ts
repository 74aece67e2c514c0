import { parseArgs, type ParseArgsConfig } from 'node:util';
import { MemocoError } from '@memoco/protocol';

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * `util.parseArgs` with Memoco's error: an unknown option or a missing value becomes
 * CLI_ERR_USAGE naming the command, never a stack trace.
 */
export function parseCommandArgs<O extends Options>(command: string, args: string[], options: O) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new MemocoError('CLI_ERR_USAGE', `${command}: ${message.split('\n')[0]} (see memoco ${command} --help)`);
  }
}

/** Parses a positive finite number option; `undefined` stays undefined. */
export function numberOption(command: string, name: string, raw: string | undefined, opts: { integer?: boolean; min?: number } = {}): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  const min = opts.min ?? 0;
  if (!Number.isFinite(value) || value < min || (opts.integer && !Number.isInteger(value))) {
    throw new MemocoError('CLI_ERR_USAGE', `${command}: --${name} must be ${opts.integer ? 'an integer' : 'a number'} >= ${min}, got '${raw}'`);
  }
  return value;
}

/** Exactly `count` positionals, else CLI_ERR_USAGE naming what is expected. */
export function requirePositionals(command: string, positionals: string[], names: string[]): string[] {
  if (positionals.length !== names.length) {
    throw new MemocoError('CLI_ERR_USAGE', `${command}: expected ${names.map((n) => `<${n}>`).join(' ')}, got ${positionals.length} argument(s) (see memoco ${command} --help)`);
  }
  return positionals;
}
