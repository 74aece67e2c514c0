import { MemocoError, type MemocoErrorDetails } from '@memoco/protocol';
import type { TsArchiveErrorCode } from './errors.ts';

/** A MemocoError with one of this package's codes (typed so a typo fails to compile). */
export function tsArchiveError(code: TsArchiveErrorCode, message: string, details: MemocoErrorDetails = {}): MemocoError {
  return new MemocoError(code, message, details);
}
