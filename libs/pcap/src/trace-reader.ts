import { MemocoError } from '@memoco/protocol';
import type { CaptureParser } from './capture-parser.ts';
import { captureFault } from './capture-fault.ts';
import { FileChunkSource, StreamChunkSource, type ChunkSource } from './chunk-source.ts';
import { FlowTable } from './flow-table.ts';
import { createPacketBatch, type PacketBatch } from './packet-batch.ts';
import { PacketDecoder } from './packet-decoder.ts';
import { isPcapMagic, PcapParser } from './pcap-reader.ts';
import { PCAPNG_BLOCK, PcapngParser } from './pcapng-reader.ts';
import { ReadWindow } from './read-window.ts';
import { MAX_BLOCK_BYTES, parseTraceReaderOptions, type TraceReaderOptions } from './trace-reader-options.ts';

/** A file path, or any byte stream (an HTTP request body read while it arrives). */
export type TraceSource = string | AsyncIterable<Uint8Array>;

/**
 * Streams a pcap or pcapng capture as reused batches of decoded packets (issue 2). Memory
 * is two read buffers and one batch, whatever the capture's length, plus the flow table.
 *
 * On bad input it first yields every complete packet before the fault, then throws a
 * MemocoError with a PCAP_ERR_* code and `details.offset` / `details.record`.
 */
export class TraceReader {
  readonly flows = new FlowTable();
  format: 'pcap' | 'pcapng' | undefined;
  /** Link types of the capture (file header or pcapng interfaces), each once. */
  linkTypes: number[] = [];
  /** Bytes taken from the source so far. */
  bytesRead = 0;
  /** Size of the input when known (a file), else undefined. */
  totalBytes: number | undefined;
  /** Packets handed out so far. */
  packetsRead = 0;
  private readonly options: Required<TraceReaderOptions>;
  private started = false;

  constructor(private readonly source: string | AsyncIterable<Uint8Array>, options?: TraceReaderOptions) {
    this.options = parseTraceReaderOptions(options);
  }

  /** The packets, batch by batch. A batch and its data are valid until the next one is asked for. */
  async *batches(): AsyncGenerator<PacketBatch> {
    if (this.started) throw new MemocoError('PCAP_ERR_BAD_OPTIONS', 'TraceReader.batches() reads its source once; make a new TraceReader to read again');
    this.started = true;
    const source: ChunkSource = typeof this.source === 'string' ? await FileChunkSource.open(this.source) : new StreamChunkSource(this.source);
    this.totalBytes = source.totalBytes;
    const window = new ReadWindow(source, MAX_BLOCK_BYTES, this.options.chunkBytes);
    try {
      const parser = await this.detectFormat(window);
      this.format = parser.format;
      this.linkTypes = parser.linkTypes;
      const batch = createPacketBatch(this.options.batchSize);
      const decoder = this.options.decode ? new PacketDecoder(this.flows) : undefined;
      for (;;) {
        batch.count = 0;
        batch.firstIndex = this.packetsRead;
        await this.fill(parser, window, batch);
        if (batch.count > 0) {
          decoder?.decode(batch);
          this.packetsRead += batch.count;
          yield batch;
          continue;
        }
        const fault = parser.fault ?? parser.endOfInput(window, this.packetsRead);
        if (fault) throw fault;
        return;
      }
    } finally {
      await window.close();
    }
  }

  /**
   * Parses into the batch until it is full, its buffer is used up (the batch must be handed
   * out before the buffer is refilled), a fault, or the end of the input.
   */
  private async fill(parser: CaptureParser, window: ReadWindow, batch: PacketBatch): Promise<void> {
    while (!parser.fault) {
      parser.parse(window, batch);
      if (batch.count > 0 || parser.fault) return;
      if (!(await window.advance())) return;
      this.bytesRead = window.bytesRead;
    }
  }

  private async detectFormat(window: ReadWindow): Promise<CaptureParser> {
    while (window.end - window.start < 4 && (await window.advance())) this.bytesRead = window.bytesRead;
    const have = window.end - window.start;
    if (have < 4) {
      throw captureFault('PCAP_ERR_BAD_MAGIC', have === 0 ? 'the input is empty, not a capture' : `the input is only ${have} bytes, not a capture`, 0, 0);
    }
    const magic = window.view.getUint32(window.start, false);
    if (isPcapMagic(magic)) return new PcapParser();
    if (magic === PCAPNG_BLOCK.SECTION_HEADER) return new PcapngParser();
    throw captureFault('PCAP_ERR_BAD_MAGIC', `not a pcap or pcapng capture: it starts with 0x${magic.toString(16).padStart(8, '0')}${describeMagic(magic)}`, 0, 0);
  }
}

/** A hint for inputs people often mistake for captures. */
function describeMagic(magic: number): string {
  if (magic >>> 16 === 0x1f8b) return ' (gzip-compressed: decompress it first)';
  if (magic === 0x28b52ffd) return ' (zstd-compressed: decompress it first)';
  if (magic === 0x504b0304) return ' (a zip archive: extract it first)';
  return '';
}
