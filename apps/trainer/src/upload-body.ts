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
      // Not awaited: return() waits behind a next() still pending on a stalled client.
      void chunks.return?.()?.catch(() => undefined);
    }
  }

  /** The next chunk, or the error that ends the upload (gone, stalled, trainer stopping). */
  private nextChunk(chunks: AsyncIterator<Uint8Array>): Promise<IteratorResult<Uint8Array>> {
    const { idleMs, signal } = this.options;
    return new Promise((resolve, reject) => {
      const fail = (error: MemocoError) => {
        cleanup();
        reject(error);
      };
      const onAbort = () => fail(new MemocoError('TRAINER_ERR_SHUTTING_DOWN', `the trainer is stopping; the upload was stopped after ${this.bytes} bytes and nothing was stored`, { status: 503 }));
      const timer = setTimeout(() => fail(new MemocoError('TRAINER_ERR_UPLOAD_STALLED', `no byte of the upload arrived for ${idleMs} ms (after ${this.bytes} bytes); nothing was stored`, { status: 408 })), idleMs);
      const cleanup = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      chunks.next().then(
        (result) => {
          cleanup();
          resolve(result);
        },
        (error: unknown) => fail(new MemocoError('TRAINER_ERR_UPLOAD_ABORTED', `the client closed the connection after ${this.bytes} bytes (${(error as Error).message}); nothing was stored`, { status: 400 }, { cause: error })),
      );
    });
  }
}
