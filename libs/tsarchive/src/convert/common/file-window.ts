/**
 * A movable window over a file for sequential parsers: `view(position, length)` returns the
 * bytes there (fewer only at the end of the file), reading ahead in large chunks. The view
 * is valid until the next call. Memory: one buffer of max(chunkBytes, longest request).
 */
import { open, type FileHandle } from 'node:fs/promises';
import { MemocoError } from '@memoco/protocol';

export class FileWindow {
  private buffer: Uint8Array;
  private start = 0;
  private filled = 0;

  private constructor(readonly path: string, private readonly handle: FileHandle, readonly size: number, chunkBytes: number) {
    this.buffer = new Uint8Array(chunkBytes);
  }

  static async open(path: string, chunkBytes = 1 << 20): Promise<FileWindow> {
    let handle: FileHandle;
    try {
      handle = await open(path, 'r');
    } catch (error) {
      throw new MemocoError('MEMOCO_ERR_IO', `cannot open ${path}: ${(error as Error).message}`, { file: path });
    }
    return new FileWindow(path, handle, (await handle.stat()).size, chunkBytes);
  }

  async view(position: number, length: number): Promise<Uint8Array> {
    const want = Math.min(length, Math.max(0, this.size - position));
    if (position < this.start || position + want > this.start + this.filled) {
      if (want > this.buffer.length) this.buffer = new Uint8Array(want);
      this.start = position;
      this.filled = 0;
      while (this.filled < Math.min(this.buffer.length, this.size - position)) {
        const { bytesRead } = await this.handle.read(this.buffer, this.filled, this.buffer.length - this.filled, position + this.filled);
        if (bytesRead === 0) break;
        this.filled += bytesRead;
      }
    }
    return this.buffer.subarray(position - this.start, position - this.start + want);
  }

  /** Reads exactly [position, position + length) into a fresh array (random access). */
  async readAt(position: number, length: number): Promise<Uint8Array> {
    const out = new Uint8Array(Math.min(length, Math.max(0, this.size - position)));
    let done = 0;
    while (done < out.length) {
      const { bytesRead } = await this.handle.read(out, done, out.length - done, position + done);
      if (bytesRead === 0) break;
      done += bytesRead;
    }
    return out.subarray(0, done);
  }

  async close(): Promise<void> {
    await this.handle.close().catch(() => undefined);
  }
}
