import { closeSync, openSync, writeSync } from 'node:fs';
import { MemocoError } from '@memoco/protocol';
import { LINKTYPE } from './link-types.ts';
import { PCAP_MAGIC } from './pcap-reader.ts';
import { MAX_PACKET_BYTES } from './trace-reader-options.ts';

export interface PcapWriterOptions {
  /** LINKTYPE_* of every packet written. */
  linkType?: number;
  /** Nanosecond timestamps (magic a1b23c4d); microseconds otherwise (nanoseconds cut, not rounded). */
  nanosecond?: boolean;
  /** Longest captured length kept; longer packets are cut and keep their original length. */
  snapLen?: number;
  /** Bytes gathered before each write to the target. */
  bufferBytes?: number;
}

export const DEFAULT_PCAP_WRITER_OPTIONS: Required<PcapWriterOptions> = {
  linkType: LINKTYPE.ETHERNET,
  nanosecond: false,
  snapLen: MAX_PACKET_BYTES,
  bufferBytes: 4 * 1024 * 1024,
};

export function parsePcapWriterOptions(options: PcapWriterOptions = {}): Required<PcapWriterOptions> {
  const parsed = { ...DEFAULT_PCAP_WRITER_OPTIONS, ...stripUndefined(options) };
  const check = (name: string, value: number, min: number, max: number) => {
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new MemocoError('PCAP_ERR_BAD_OPTIONS', `${name} must be an integer from ${min} to ${max}, got ${value}`);
    }
  };
  check('linkType', parsed.linkType, 0, 0xffff);
  check('snapLen', parsed.snapLen, 1, MAX_PACKET_BYTES);
  check('bufferBytes', parsed.bufferBytes, 65_536, 256 * 1024 * 1024);
  return parsed;
}

const RECORD_HEADER_BYTES = 16;

/**
 * Writes a classic pcap (little-endian, micro- or nanosecond) through one large reused
 * buffer: a write to the target per `bufferBytes`, not per packet. A path is written with
 * plain synchronous writes; a stream target gets copies of the buffer, and `drained()`
 * waits for it to take them.
 */
export class PcapWriter {
  /** Packets and bytes (headers included) written so far. */
  packets = 0;
  bytesWritten = 0;
  private readonly options: Required<PcapWriterOptions>;
  private readonly buffer: Uint8Array;
  private readonly view: DataView;
  private used = 0;
  private fd: number | undefined;
  private readonly stream: NodeJS.WritableStream | undefined;
  private streamError: Error | undefined;
  private drain: Promise<void> | undefined;
  private closed = false;

  constructor(target: string | NodeJS.WritableStream, options?: PcapWriterOptions) {
    this.options = parsePcapWriterOptions(options);
    this.buffer = new Uint8Array(this.options.bufferBytes);
    this.view = new DataView(this.buffer.buffer);
    if (typeof target === 'string') {
      try {
        this.fd = openSync(target, 'w');
      } catch (error) {
        throw new MemocoError('PCAP_ERR_IO', `cannot create ${target}: ${(error as Error).message}`, { file: target }, { cause: error });
      }
    } else {
      this.stream = target;
      target.on('error', (error: Error) => void (this.streamError = error));
    }
    this.writeFileHeader();
  }

  /** Appends one packet. `tsNsec` is nanoseconds within the second (0..999,999,999). */
  write(tsSec: number, tsNsec: number, data: Uint8Array, origLen: number = data.length): void {
    if (this.closed) throw new MemocoError('PCAP_ERR_IO', 'write after close');
    if (!(tsSec >= 0 && tsSec <= 0xffffffff && tsNsec >= 0 && tsNsec < 1e9 && origLen >= 0 && origLen <= 0xffffffff)) {
      throw new MemocoError('PCAP_ERR_WRITE_RANGE', `packet ${this.packets}: timestamp ${tsSec}.${tsNsec} or length ${origLen} does not fit a pcap record`, { record: this.packets });
    }
    const capLen = Math.min(data.length, this.options.snapLen);
    if (this.used + RECORD_HEADER_BYTES + capLen > this.buffer.length) this.flush();
    const at = this.used;
    const view = this.view;
    view.setUint32(at, tsSec, true);
    view.setUint32(at + 4, this.options.nanosecond ? tsNsec : Math.floor(tsNsec / 1000), true);
    view.setUint32(at + 8, capLen, true);
    view.setUint32(at + 12, Math.max(origLen, capLen), true);
    this.buffer.set(capLen === data.length ? data : data.subarray(0, capLen), at + RECORD_HEADER_BYTES);
    this.used = at + RECORD_HEADER_BYTES + capLen;
    this.packets++;
  }

  /** Resolves once a stream target has taken what it was given (at once for files). */
  async drained(): Promise<void> {
    await this.drain;
    this.throwStreamError();
  }

  /** Writes what is buffered and closes the file (a stream target is left open for its owner). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    if (this.fd !== undefined) closeSync(this.fd);
    await this.drained();
  }

  private writeFileHeader(): void {
    const view = this.view;
    view.setUint32(0, this.options.nanosecond ? PCAP_MAGIC.NANO : PCAP_MAGIC.MICRO, true);
    view.setUint16(4, 2, true);
    view.setUint16(6, 4, true);
    view.setUint32(8, 0, true); // thiszone: timestamps are UTC
    view.setUint32(12, 0, true); // sigfigs
    view.setUint32(16, this.options.snapLen, true);
    view.setUint32(20, this.options.linkType, true);
    this.used = 24;
  }

  private flush(): void {
    if (this.used === 0) return;
    this.throwStreamError();
    if (this.fd !== undefined) {
      let done = 0;
      try {
        while (done < this.used) done += writeSync(this.fd, this.buffer, done, this.used - done);
      } catch (error) {
        throw new MemocoError('PCAP_ERR_IO', `cannot write the capture: ${(error as Error).message}`, {}, { cause: error });
      }
    } else if (this.stream) {
      const stream = this.stream;
      if (!stream.write(Buffer.from(this.buffer.subarray(0, this.used))) && !this.drain) {
        this.drain = new Promise<void>((resolve) => {
          const done = () => {
            for (const event of ['drain', 'error', 'close']) stream.removeListener(event, done);
            this.drain = undefined;
            resolve();
          };
          for (const event of ['drain', 'error', 'close']) stream.once(event, done);
        });
      }
    }
    this.bytesWritten += this.used;
    this.used = 0;
  }

  private throwStreamError(): void {
    if (this.streamError) throw new MemocoError('PCAP_ERR_IO', `cannot write the capture: ${this.streamError.message}`, {}, { cause: this.streamError });
  }
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
