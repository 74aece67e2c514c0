export { MemocoError, isMemocoError } from './memoco-error.ts';
export type { MemocoErrorDetails, ErrorCodeSpec, ErrorRegistry } from './memoco-error.ts';
export { COMMON_ERRORS } from './errors.ts';
export type { CommonErrorCode } from './errors.ts';
