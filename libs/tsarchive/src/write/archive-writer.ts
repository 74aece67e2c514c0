/**
 * Buffered, streaming archive writer. Records go to `<path>.partial-<pid>-<n>` next to the
 * target and the file is renamed onto `path` only by finish(): a failed or aborted run
 * never leaves a half-made archive under the real name.
 *
 * append() is synchronous and fills the buffer; when it returns true the buffer is past
 * its high-water mark and the caller should `await flush()` (if it does not, the next
 * append that does not fit writes synchronously, so memory never grows).
 */
import { writeSync } from 'node:fs';
import { open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { MemocoError } from '@memoco/protocol';
import { MAX_RECORD_BYTES, RECORD_LAYOUT } from '../format/record-layout.ts';
import { tsArchiveError } from '../tsarchive-error.ts';
import { encodeRecordInto } from './record-encoder.ts';

export interface TsArchiveWriterOptions {
  /** Size of the write buffer (>= 65,535: one record of the largest size). */
  bufferBytes: number;
}

export const DEFAULT_TS_ARCHIVE_WRITER_OPTIONS: TsArchiveWriterOptions = { bufferBytes: 4 << 20 };

export function parseTsArchiveWriterOptions(options: Partial<TsArchiveWriterOptions> = {}): TsArchiveWriterOptions {
  const merged = { ...DEFAULT_TS_ARCHIVE_WRITER_OPTIONS, ...options };
  if (!Number.isInteger(merged.bufferBytes) || merged.bufferBytes < MAX_RECORD_BYTES) {
    throw tsArchiveError('TSARCHIVE_ERR_BAD_OPTIONS', `bufferBytes must be an integer >= ${MAX_RECORD_BYTES}, got ${merged.bufferBytes}`);
  }
  return merged;
}

/** One record to write. `device` is a name or its 16 encoded bytes (see encodeDeviceId). */
export interface TsRecordInput {
  epochUs: bigint | number;
  offsetMinutes?: number;
  device: string | Uint8Array;
  data: Uint8Array;
}

let partialCounter = 0;

export class TsArchiveWriter {
  private buffer: Uint8Array;
  private used = 0;
  private written = 0;
  private records = 0;
  private closed = false;

  private constructor(readonly path: string, private readonly partialPath: string, private readonly handle: FileHandle, options: TsArchiveWriterOptions) {
    this.buffer = new Uint8Array(options.bufferBytes);
  }

  static async create(path: string, options: Partial<TsArchiveWriterOptions> = {}): Promise<TsArchiveWriter> {
    const parsed = parseTsArchiveWriterOptions(options);
    const partialPath = join(dirname(path), `.${basename(path)}.partial-${process.pid}-${partialCounter++}`);
    try {
      return new TsArchiveWriter(path, partialPath, await open(partialPath, 'w'), parsed);
    } catch (error) {
      throw new MemocoError('MEMOCO_ERR_IO', `cannot create ${partialPath}: ${(error as Error).message}`, { file: path });
    }
  }

  /** Records appended so far. */
  get recordCount(): number {
    return this.records;
  }

  /** Bytes appended so far (buffered or written). */
  get byteCount(): number {
    return this.written + this.used;
  }

  /** Appends one record; returns true when the caller should `await flush()`. */
  append(record: TsRecordInput): boolean {
    if (this.buffer.length - this.used < RECORD_LAYOUT.headerBytes + record.data.length) this.flushSync();
    try {
      this.used += encodeRecordInto(this.buffer, this.used, record);
    } catch (error) {
      if (error instanceof MemocoError) error.details.record = this.records;
      throw error;
    }
    this.records++;
    return this.used * 2 > this.buffer.length;
  }

  /**
   * Appends bytes that already hold `recordCount` whole, valid records (ts synth encodes
   * its own). Written straight through when larger than the free buffer.
   */
  async appendEncoded(bytes: Uint8Array, recordCount: number): Promise<void> {
    if (this.buffer.length - this.used < bytes.length) {
      await this.flush();
      if (bytes.length > this.buffer.length) {
        await this.writeAll(bytes);
        this.records += recordCount;
        return;
      }
    }
    this.buffer.set(bytes, this.used);
    this.used += bytes.length;
    this.records += recordCount;
  }

  /** Writes the buffered records to the partial file. */
  async flush(): Promise<void> {
    if (this.used === 0) return;
    const full = this.buffer.subarray(0, this.used);
    await this.writeAll(full);
    this.used = 0;
  }

  /** Flushes, closes and renames the partial file onto `path`. */
  async finish(): Promise<{ records: number; bytes: number }> {
    try {
      await this.flush();
      await this.handle.close();
      this.closed = true;
      await rename(this.partialPath, this.path);
    } catch (error) {
      await this.abort();
      if (error instanceof MemocoError) throw error;
      throw new MemocoError('MEMOCO_ERR_IO', `cannot write ${this.path}: ${(error as Error).message}`, { file: this.path });
    }
    return { records: this.records, bytes: this.written };
  }

  /** Drops everything written: closes and deletes the partial file. Safe to call twice. */
  async abort(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      await this.handle.close().catch(() => undefined);
    }
    await unlink(this.partialPath).catch(() => undefined);
  }

  private async writeAll(bytes: Uint8Array): Promise<void> {
    let done = 0;
    while (done < bytes.length) {
      const { bytesWritten } = await this.handle.write(bytes, done, bytes.length - done, this.written + done);
      done += bytesWritten;
    }
    this.written += bytes.length;
  }

  private flushSync(): void {
    let done = 0;
    while (done < this.used) done += writeSync(this.handle.fd, this.buffer, done, this.used - done, this.written + done);
    this.written += this.used;
    this.used = 0;
  }
}
