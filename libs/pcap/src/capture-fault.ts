import { MemocoError } from '@memoco/protocol';
import type { PcapErrorCode } from './errors.ts';

/** A parse error naming where it happened (issue 2: byte offset and record number). */
export function captureFault(code: PcapErrorCode, message: string, offset: number, record: number): MemocoError {
  return new MemocoError(code, `${message} (offset ${offset}, record ${record})`, { offset, record });
}
