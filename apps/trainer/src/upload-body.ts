/**
 * The body of a trace upload as the byte stream the trace reader consumes (issue 6: "streams
 * the body ... never buffered whole; a configurable size limit"). Chunks are handed on as
 * they arrive; the count is checked against the limit on every chunk, so an oversized
 * upload stops at the chunk that passes it. A client that goes away, an upload that stalls,
 * or the trainer stopping end the stream with a coded error, which the reader passes on.
 *
 * The request is read through `iterator({ destroyOnReturn: false })`: when the reader stops
 * early (a corrupt trace) the request must stay open so the error answer can still be sent.
 */
import type { IncomingMessage } from 'node:http';
import { MemocoError } from '@memoco/protocol';

export interface UploadBodyOptions {
  maxBytes: number;
  /** Longest wait for the next chunk. */
  idleMs: number;
  /** Aborted when the trainer stops. */
  signal?: AbortSignal;
}

export class UploadBody implements AsyncIterable<Uint8Array> {
  /** Bytes received so far. */
  bytes = 0;
  /** performance.now() when the last chunk (or the end of an empty body) arrived. */
  lastByteAtMs: number | undefined;
  /** True once the client sent the whole body. */
  ended = false;

  constructor(private readonly request: IncomingMessage, private readonly options: UploadBodyOptions) {}

  async *[Symbol.asyncIterator](): AsyncGenerator<Uint8Array> {
    const chunks = this.request.iterator({ destroyOnReturn: false }) as AsyncIterator<Uint8Array>;
    const stopWatching = this.watch();
    try {
      for (;;) {
        const next = await this.nextChunk(chunks);
        if (next.done) {
          this.ended = true;
          this.lastByteAtMs ??= performance.now();
          return;
        }
        this.bytes += next.value.length;
        this.lastByteAtMs = performance.now();
        if (this.bytes > this.options.maxBytes) {
          throw new MemocoError('TRAINER_ERR_UPLOAD_TOO_LARGE', `the upload passed the limit of ${this.options.maxBytes} bytes (MEMOCO_TRAINER_MAX_UPLOAD_BYTES) and was stopped at ${this.bytes} bytes; nothing was stored`, { status: 413, limit: this.options.maxBytes });
        }
        yield next.value;
      }
    } finally {
      stopWatching();
      // Not awaited: return() waits behind a next() still pending on a stalled client.
      void chunks.return?.()?.catch(() => undefined);
    }
  }

  /** While a chunk is awaited: when the wait began, and how to end it early. */
  private waiting: { since: number; interrupt: (error: MemocoError) => void } | undefined;
  /** Set once the upload must stop (trainer stopping); the next wait fails at once. */
  private stopped: MemocoError | undefined;

  /**
   * The next chunk, or the error that ends the upload. A fresh promise per chunk that
   * settles with it: racing every chunk against one long-lived "stop" promise would hang a
   * reaction, and with it the chunk, on that promise for each chunk of the upload.
   */
  private nextChunk(chunks: AsyncIterator<Uint8Array>): Promise<IteratorResult<Uint8Array>> {
    return new Promise((resolve, reject) => {
      if (this.stopped) return reject(this.stopped);
      const waiting = { since: performance.now(), interrupt: reject };
      this.waiting = waiting;
      const done = () => {
        if (this.waiting === waiting) this.waiting = undefined;
      };
      chunks.next().then(
        (result) => {
          done();
          resolve(result);
        },
        (error: unknown) => {
          done();
          reject(new MemocoError('TRAINER_ERR_UPLOAD_ABORTED', `the client closed the connection after ${this.bytes} bytes (${(error as Error).message}); nothing was stored`, { status: 400 }, { cause: error }));
        },
      );
    });
  }

  /**
   * Fails the wait when the client sent nothing for idleMs while a chunk was awaited (time
   * the trainer spends on what it has does not count), or when the trainer stops. One
   * watchdog per upload, not a timer per chunk: an upload at line rate brings thousands of
   * chunks a second. Returns the function that stops watching.
   */
  private watch(): () => void {
    const { idleMs, signal } = this.options;
    const onAbort = () => {
      this.stopped = new MemocoError('TRAINER_ERR_SHUTTING_DOWN', `the trainer is stopping; the upload was stopped after ${this.bytes} bytes and nothing was stored`, { status: 503 });
      this.waiting?.interrupt(this.stopped);
    };
    const watchdog = setInterval(() => {
      const w = this.waiting;
      if (w && performance.now() - w.since > idleMs) {
        w.interrupt(new MemocoError('TRAINER_ERR_UPLOAD_STALLED', `no byte of the upload arrived for ${idleMs} ms (after ${this.bytes} bytes); nothing was stored`, { status: 408 }));
      }
    }, Math.max(10, Math.min(1000, Math.floor(idleMs / 4))));
    watchdog.unref();
    if (signal?.aborted) onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    return () => {
      clearInterval(watchdog);
      signal?.removeEventListener('abort', onAbort);
    };
  }
}
