import type { ErrorRegistry } from './memoco-error.ts';

/** Codes shared by every Memoco component (CLI argument handling, internal faults). */
export const COMMON_ERRORS = {
  CLI_ERR_USAGE: { description: 'The command line is malformed: an unknown option, a missing argument, or options that contradict each other.', status: 400 },
  CLI_ERR_UNKNOWN_COMMAND: { description: 'No such memoco command; `memoco --help` lists them.', status: 400 },
  MEMOCO_ERR_INTERNAL: { description: 'An unexpected fault (a bug). Re-run with --debug for the stack trace and report it.', status: 500 },
  MEMOCO_ERR_IO: { description: 'A file could not be opened, read or written (missing file, permissions, disk full).', status: 500 },
} as const satisfies ErrorRegistry;

export type CommonErrorCode = keyof typeof COMMON_ERRORS;

/** Codes of the fleet wire protocol (NATS subjects, message validation, error headers). */
export const PROTOCOL_ERRORS = {
  PROTOCOL_ERR_INVALID_JSON: { description: 'A NATS message body is not valid UTF-8 JSON.', status: 400 },
  PROTOCOL_ERR_INVALID_MESSAGE: { description: 'A message does not match its schema; the message names the first offending field path.', status: 400 },
  PROTOCOL_ERR_MESSAGE_TOO_LARGE: { description: 'An encoded message is larger than the NATS max_payload it must fit in (raise max_payload or use fewer flows per host).', status: 413 },
  PROTOCOL_ERR_BAD_SUBJECT_TOKEN: { description: 'A host name, run id or model id cannot be used as a NATS subject token or KV key (allowed: letters, digits, - and _).', status: 400 },
  PROTOCOL_ERR_BAD_FLOW_SET: { description: 'An encoded flow set (bitmap or ranges) is corrupt, or the flow ids to encode are not strictly ascending.', status: 400 },
  PROTOCOL_ERR_REMOTE: { description: 'A NATS reply carried an error without a Memoco code (e.g. only Nats-Service-Error headers); the message is the remote text.', status: 502 },
} as const satisfies ErrorRegistry;

export type ProtocolErrorCode = keyof typeof PROTOCOL_ERRORS;
