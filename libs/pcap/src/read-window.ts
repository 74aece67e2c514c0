import type { ChunkSource } from './chunk-source.ts';

/**
 * Two buffers the reader parses in turn, so reading never waits on parsing: while the
 * current buffer is parsed, the next chunk is already being read into the other one
 * (at `reserve`, leaving room in front). When the parser reaches a record that runs past
 * the end of the current buffer, `advance()` copies that unparsed tail (always shorter
 * than `reserve`: no record is longer) in front of the fresh chunk and swaps. Memory is
 * two buffers, whatever the input's length.
 *
 * The current buffer stays untouched until `advance()`, so packets handed out of it stay
 * valid until the reader's consumer asks for more.
 */
export class ReadWindow {
  private readonly buffers: [Uint8Array, Uint8Array];
  private readonly views: [DataView, DataView];
  private current = 0;
  private prefetch: Promise<number> | undefined;
  /** The buffer being parsed and a DataView over it. */
  buf: Uint8Array;
  view: DataView;
  /** Unparsed bytes are buf[start, end). */
  start: number;
  end: number;
  /** Input offset of buf[0] (so input offset of buf[i] is base + i). */
  base: number;
  /** Bytes received from the source so far. */
  bytesRead = 0;
  ended = false;

  constructor(private readonly source: ChunkSource, private readonly reserve: number, private readonly chunk: number) {
    const size = reserve + chunk;
    this.buffers = [new Uint8Array(size), new Uint8Array(size)];
    this.views = [new DataView(this.buffers[0].buffer), new DataView(this.buffers[1].buffer)];
    this.buf = this.buffers[0];
    this.view = this.views[0];
    this.start = this.end = reserve;
    this.base = -reserve;
  }

  /** Input offset of buffer position `pos`. */
  offsetOf(pos: number): number {
    return this.base + pos;
  }

  /**
   * Brings in the next chunk after the unparsed tail. Resolves false at the end of the
   * input (the tail, if any, stays in place for the error report).
   */
  async advance(): Promise<boolean> {
    if (this.ended) return false;
    const other = 1 - this.current;
    const got = await (this.prefetch ?? this.source.read(this.buffers[other], this.reserve, this.chunk));
    this.prefetch = undefined;
    if (got === 0) {
      this.ended = true;
      return false;
    }
    const tail = this.end - this.start;
    const next = this.buffers[other];
    next.set(this.buf.subarray(this.start, this.end), this.reserve - tail);
    this.base += this.start - (this.reserve - tail);
    this.current = other;
    this.buf = next;
    this.view = this.views[other];
    this.start = this.reserve - tail;
    this.end = this.reserve + got;
    this.bytesRead += got;
    // The buffer just left is free now: the consumer asked for more, so nothing points into it.
    this.prefetch = this.source.read(this.buffers[1 - other], this.reserve, this.chunk);
    this.prefetch.catch(() => undefined); // surfaced by the next advance()
    return true;
  }

  /** Drops unparsed bytes (a pcapng block skipped without being held). */
  discard(count: number): void {
    this.start += count;
  }

  /** Closes the source; a read still running is the source's to wait for (files) or drop (streams). */
  async close(): Promise<void> {
    this.prefetch = undefined;
    await this.source.close();
  }
}
