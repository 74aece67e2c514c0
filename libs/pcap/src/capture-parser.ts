import type { MemocoError } from '@memoco/protocol';
import type { PacketBatch } from './packet-batch.ts';
import type { ReadWindow } from './read-window.ts';

/**
 * One container format (pcap, pcapng): turns the bytes in a ReadWindow into packet
 * records. Both formats have this same shape so the reader drives either one.
 */
export interface CaptureParser {
  readonly format: 'pcap' | 'pcapng';
  /** Link types declared so far (file header or interface blocks), each once, in order. */
  readonly linkTypes: number[];
  /** Set when the input is bad; parsing stops there. */
  fault: MemocoError | undefined;
  /**
   * Parses whole records from window.buf[window.start, window.end) into `batch` (from
   * `batch.count` on: container fields only, no decoding) until the batch is full, the
   * next record is not all in the window, or a fault. Moves `window.start` past what it used.
   */
  parse(window: ReadWindow, batch: PacketBatch): void;
  /**
   * The error for input that ends with `window` still holding an unfinished header or
   * record (undefined when it ended cleanly); `record` is the number of packets read.
   */
  endOfInput(window: ReadWindow, record: number): MemocoError | undefined;
}
