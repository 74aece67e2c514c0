/**
 * The one error type every Memoco package throws for expected failures (bad input, a
 * server that refused, a port that failed). `code` is stable and documented in
 * docs/errors.md; `message` is one line for a human; `details` carries machine-readable
 * context such as the byte offset and record number of a parse error.
 */
export interface MemocoErrorDetails {
  /** Byte offset in the input where the problem was found. */
  offset?: number;
  /** 0-based record (packet) index where the problem was found. */
  record?: number;
  /** File the error refers to. */
  file?: string;
  /** HTTP status to use when this error crosses HTTP. */
  status?: number;
  [key: string]: unknown;
}

export class MemocoError extends Error {
  override readonly name = 'MemocoError';
  readonly code: string;
  readonly details: MemocoErrorDetails;

  constructor(code: string, message: string, details: MemocoErrorDetails = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.details = details;
  }

  /** The wire form used across HTTP and NATS: `{ code, message, ...details }`. */
  toJSON(): { code: string; message: string } & MemocoErrorDetails {
    return { ...this.details, code: this.code, message: this.message };
  }
}

export function isMemocoError(value: unknown): value is MemocoError {
  return value instanceof MemocoError;
}

/** Describes one error code in a package's registry (see each package's `errors.ts`). */
export interface ErrorCodeSpec {
  /** What it means, as written in docs/errors.md. */
  readonly description: string;
  /** HTTP status when it crosses HTTP; 500 when absent. */
  readonly status?: number;
}

export type ErrorRegistry = Readonly<Record<string, ErrorCodeSpec>>;
