import type { ErrorRegistry } from '@memoco/protocol';

/** Codes of @memoco/replay-check (`memoco verify-order`). A failed check is a result, not an error. */
export const VERIFY_ERRORS = {
  VERIFY_ERR_BAD_OPTIONS: { description: 'verify-order was given contradictory or incomplete options (both or neither of --against and --tags, a bad --expected count).', status: 400 },
  VERIFY_ERR_ABORTED: { description: 'verify-order was interrupted (SIGINT/SIGTERM) before it had read both inputs; no verdict.' },
  VERIFY_ERR_TOO_LARGE: { description: 'The trace or capture has more packets than verify-order can index in memory (2^31 - 1).', status: 400 },
} as const satisfies ErrorRegistry;

export type VerifyErrorCode = keyof typeof VERIFY_ERRORS;
