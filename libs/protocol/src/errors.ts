import type { ErrorRegistry } from './memoco-error.ts';

/** Codes shared by every Memoco component (CLI argument handling, internal faults). */
export const COMMON_ERRORS = {
  CLI_ERR_USAGE: { description: 'The command line is malformed: an unknown option, a missing argument, or options that contradict each other.', status: 400 },
  CLI_ERR_UNKNOWN_COMMAND: { description: 'No such memoco command; `memoco --help` lists them.', status: 400 },
  MEMOCO_ERR_INTERNAL: { description: 'An unexpected fault (a bug). Re-run with --debug for the stack trace and report it.', status: 500 },
  MEMOCO_ERR_IO: { description: 'A file could not be opened, read or written (missing file, permissions, disk full).', status: 500 },
} as const satisfies ErrorRegistry;

export type CommonErrorCode = keyof typeof COMMON_ERRORS;
