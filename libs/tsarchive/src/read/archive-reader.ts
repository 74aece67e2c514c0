/**
 * Streaming reader of an archive file: reads `chunkBytes` at a time into one reused buffer
 * and hands out TsRecordBatch views over it. Memory is bounded by the chunk and the batch,
 * whatever the file's size; a record that straddles two chunks is moved to the front of
 * the buffer before the next read (like the paper's IO thread, section V.B.1, a consumer
 * never sees a partial record).
 */
import { open, type FileHandle } from 'node:fs/promises';
import { MemocoError } from '@memoco/protocol';
import { MAX_RECORD_BYTES } from '../format/record-layout.ts';
import { tsArchiveError } from '../tsarchive-error.ts';
import { DeviceIdTable } from './device-id-table.ts';
import { createRecordBatch, type TsRecordBatch } from './record-batch.ts';
import { scanRecords, truncatedRecordError, type ScanPosition } from './record-scanner.ts';

export interface TsArchiveReaderOptions {
  /** Bytes read per system call, and the reader's buffer size (>= 65,536: one max-size record). */
  chunkBytes: number;
  /** Most records in one batch. */
  batchRecords: number;
}

export const DEFAULT_TS_ARCHIVE_READER_OPTIONS: TsArchiveReaderOptions = {
  chunkBytes: 4 << 20,
  batchRecords: 65_536,
};

export function parseTsArchiveReaderOptions(options: Partial<TsArchiveReaderOptions> = {}): TsArchiveReaderOptions {
  const merged = { ...DEFAULT_TS_ARCHIVE_READER_OPTIONS, ...options };
  if (!Number.isInteger(merged.chunkBytes) || merged.chunkBytes < MAX_RECORD_BYTES + 1) {
    throw tsArchiveError('TSARCHIVE_ERR_BAD_OPTIONS', `chunkBytes must be an integer >= ${MAX_RECORD_BYTES + 1} (one record of the largest size), got ${merged.chunkBytes}`);
  }
  if (!Number.isInteger(merged.batchRecords) || merged.batchRecords < 1) {
    throw tsArchiveError('TSARCHIVE_ERR_BAD_OPTIONS', `batchRecords must be an integer >= 1, got ${merged.batchRecords}`);
  }
  return merged;
}

export class TsArchiveReader implements AsyncIterable<TsRecordBatch> {
  /** Devices seen so far, indexed by TsRecordBatch.deviceIndex. */
  readonly devices = new DeviceIdTable();
  private readonly buffer: Uint8Array;
  private readonly batch: TsRecordBatch;
  private readonly pos: ScanPosition = { bufferFileOffset: 0, nextRecord: 0 };
  private filled = 0;
  private scanAt = 0;
  private eof = false;

  private constructor(readonly path: string, private readonly handle: FileHandle, readonly fileBytes: number, options: TsArchiveReaderOptions) {
    this.buffer = new Uint8Array(options.chunkBytes);
    this.batch = createRecordBatch(options.batchRecords);
  }

  static async open(path: string, options: Partial<TsArchiveReaderOptions> = {}): Promise<TsArchiveReader> {
    const parsed = parseTsArchiveReaderOptions(options);
    let handle: FileHandle;
    try {
      handle = await open(path, 'r');
    } catch (error) {
      throw new MemocoError('MEMOCO_ERR_IO', `cannot open archive ${path}: ${(error as Error).message}`, { file: path });
    }
    const { size } = await handle.stat();
    return new TsArchiveReader(path, handle, size, parsed);
  }

  /** Records read so far (the record number of the next record). */
  get recordsRead(): number {
    return this.pos.nextRecord;
  }

  /** The next batch of whole records, or null at the end of the file. */
  async nextBatch(): Promise<TsRecordBatch | null> {
    for (;;) {
      this.batch.count = 0;
      this.batch.firstIndex = this.pos.nextRecord;
      try {
        this.scanAt = scanRecords(this.buffer, this.scanAt, this.filled, this.pos, this.batch, this.devices);
      } catch (error) {
        if (error instanceof MemocoError) error.details.file = this.path;
        throw error;
      }
      if (this.batch.count > 0) return this.batch;
      if (this.eof) {
        if (this.scanAt < this.filled) {
          const error = truncatedRecordError(this.buffer, this.scanAt, this.filled, this.pos);
          error.details.file = this.path;
          throw error;
        }
        return null;
      }
      await this.fill();
    }
  }

  async *[Symbol.asyncIterator](): AsyncIterator<TsRecordBatch> {
    try {
      for (let batch = await this.nextBatch(); batch; batch = await this.nextBatch()) yield batch;
    } finally {
      await this.close();
    }
  }

  async close(): Promise<void> {
    await this.handle.close().catch(() => undefined);
  }

  /** Moves the unread tail to the front and reads more after it. */
  private async fill(): Promise<void> {
    const tail = this.filled - this.scanAt;
    this.buffer.copyWithin(0, this.scanAt, this.filled);
    this.pos.bufferFileOffset += this.scanAt;
    this.scanAt = 0;
    this.filled = tail;
    const { bytesRead } = await this.handle.read(this.buffer, tail, this.buffer.length - tail, this.pos.bufferFileOffset + tail);
    this.filled += bytesRead;
    if (bytesRead === 0) this.eof = true;
  }
}
