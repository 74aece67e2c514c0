import { MemocoError } from '@memoco/protocol';
import type { TxcoreErrorCode } from './errors.ts';
import type { NativeFailure } from './native-binding.ts';

/** Native stage (txcore-failure.h) -> code. */
export const STAGE_CODES: Readonly<Record<string, TxcoreErrorCode>> = {
  EAL_INIT: 'TXCORE_ERR_EAL_INIT',
  EAL_NOT_READY: 'TXCORE_ERR_EAL_NOT_READY',
  PORT_PROBE: 'TXCORE_ERR_PORT_PROBE',
  PORT_CONFIG: 'TXCORE_ERR_PORT_INIT',
  NO_MEMORY: 'TXCORE_ERR_NO_MEMORY',
  LCORES: 'TXCORE_ERR_LCORES',
  BUSY: 'TXCORE_ERR_BUSY',
  TRACE_OPEN: 'TXCORE_ERR_TRACE_OPEN',
  TRACE_FORMAT: 'TXCORE_ERR_TRACE_FORMAT',
  TRACE_CORRUPT: 'TXCORE_ERR_TRACE_CORRUPT',
  TRACE_TRUNCATED: 'TXCORE_ERR_TRACE_TRUNCATED',
  BAD_CONFIG: 'TXCORE_ERR_BAD_OPTION',
  ARCHIVE_OPEN: 'TXCORE_ERR_ARCHIVE_OPEN',
  ARCHIVE_BAD_LENGTH: 'TXCORE_ERR_ARCHIVE_CORRUPT',
  ARCHIVE_BAD_BCD: 'TXCORE_ERR_ARCHIVE_CORRUPT',
  ARCHIVE_BAD_DATE: 'TXCORE_ERR_ARCHIVE_CORRUPT',
  ARCHIVE_TRUNCATED: 'TXCORE_ERR_ARCHIVE_TRUNCATED',
  FLOW_LIMIT: 'TXCORE_ERR_FLOW_LIMIT',
  SYNTH_PLAN: 'TXCORE_ERR_SYNTH_PLAN',
  SYNTH_INPUT: 'TXCORE_ERR_SYNTH_INPUT',
};

/** Turns the addon's `{stage, errno, message}` into the coded error users see. */
export function failureToError(failure: NativeFailure, extra: Record<string, unknown> = {}): MemocoError {
  const code = STAGE_CODES[failure.stage] ?? 'TXCORE_ERR_PORT_INIT';
  const details: Record<string, unknown> = { errno: failure.errno, ...extra };
  if (failure.offset !== undefined) details.offset = failure.offset;
  if (failure.record !== undefined) details.record = failure.record;
  return new MemocoError(code, failure.message, details);
}
