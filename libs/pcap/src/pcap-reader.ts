import type { MemocoError } from '@memoco/protocol';
import type { CaptureParser } from './capture-parser.ts';
import { captureFault } from './capture-fault.ts';
import type { PacketBatch } from './packet-batch.ts';
import type { ReadWindow } from './read-window.ts';
import { MAX_PACKET_BYTES } from './trace-reader-options.ts';

/** Magic numbers as read big-endian from the first 4 bytes (tcpdump.org, draft-ietf-opsawg-pcap). */
export const PCAP_MAGIC = {
  MICRO: 0xa1b2c3d4,
  NANO: 0xa1b23c4d,
  /** Alexey Kuznetzov's patched libpcap: 8 more bytes per record header (ifindex, protocol, type). */
  KUZNETZOV: 0xa1b2cd34,
} as const;

const FILE_HEADER_BYTES = 24;

/** Is this 32-bit word (read big-endian) a pcap magic in either byte order? */
export function isPcapMagic(bigEndianWord: number): boolean {
  const swapped = ((bigEndianWord & 0xff) << 24 | (bigEndianWord & 0xff00) << 8 | (bigEndianWord >>> 8) & 0xff00 | bigEndianWord >>> 24) >>> 0;
  return [bigEndianWord, swapped].some((w) => w === PCAP_MAGIC.MICRO || w === PCAP_MAGIC.NANO || w === PCAP_MAGIC.KUZNETZOV);
}

/** Classic libpcap files: a 24-byte file header, then 16-byte record headers and packet bytes. */
export class PcapParser implements CaptureParser {
  readonly format = 'pcap' as const;
  readonly linkTypes: number[] = [];
  fault: MemocoError | undefined;
  /** Snap length from the file header (0 when the header says 0). */
  snapLen = 0;
  nanosecond = false;
  littleEndian = true;
  private headerRead = false;
  private recordHeaderBytes = 16;
  private maxCapLen = MAX_PACKET_BYTES;
  private linkType = 0;

  parse(window: ReadWindow, batch: PacketBatch): void {
    if (!this.headerRead && !this.readFileHeader(window, batch)) return;
    const { buf, view } = window;
    const le = this.littleEndian;
    const hdr = this.recordHeaderBytes;
    const maxCapLen = this.maxCapLen;
    const fracPerSec = this.nanosecond ? 1e9 : 1e6;
    const nsPerFrac = this.nanosecond ? 1 : 1000;
    const linkType = this.linkType;
    const capacity = batch.dataOffset.length;
    const { dataOffset, capLen, origLen, fileOffset, tsSec, tsNsec } = batch;
    let n = batch.count;
    let p = window.start;
    const end = window.end;
    const base = window.base;
    while (n < capacity && end - p >= hdr) {
      const incl = view.getUint32(p + 8, le);
      if (incl > maxCapLen) {
        this.fault = this.tooLong(incl, window.offsetOf(p), batch.firstIndex + n);
        break;
      }
      if (end - p - hdr < incl) break;
      let sec = view.getUint32(p, le);
      let frac = view.getUint32(p + 4, le);
      if (frac >= fracPerSec) {
        // Some writers leave a carry in the fraction; fold it into the seconds.
        sec += Math.floor(frac / fracPerSec);
        frac %= fracPerSec;
      }
      tsSec[n] = sec;
      tsNsec[n] = frac * nsPerFrac;
      capLen[n] = incl;
      origLen[n] = view.getUint32(p + 12, le);
      fileOffset[n] = base + p;
      dataOffset[n] = p + hdr;
      n++;
      p += hdr + incl;
    }
    if (n > batch.count) batch.linkType.fill(linkType, batch.count, n);
    batch.count = n;
    batch.data = buf;
    window.start = p;
  }

  endOfInput(window: ReadWindow, record: number): MemocoError | undefined {
    const left = window.end - window.start;
    if (left === 0) return undefined;
    const offset = window.offsetOf(window.start);
    if (!this.headerRead) {
      return captureFault('PCAP_ERR_TRUNCATED_HEADER', `the capture ends inside its ${FILE_HEADER_BYTES}-byte file header (${left} bytes present)`, offset, 0);
    }
    const hdr = this.recordHeaderBytes;
    const what = left < hdr
      ? `its ${hdr}-byte header (${left} present)`
      : `its ${window.view.getUint32(window.start + 8, this.littleEndian)} captured bytes (${left - hdr} present)`;
    return captureFault('PCAP_ERR_TRUNCATED_RECORD', `the capture is cut short inside record ${record}: ${what}`, offset, record);
  }

  private readFileHeader(window: ReadWindow, batch: PacketBatch): boolean {
    if (window.end - window.start < FILE_HEADER_BYTES) return false;
    const { view } = window;
    const p = window.start;
    const magic = view.getUint32(p, false);
    this.littleEndian = magic !== PCAP_MAGIC.MICRO && magic !== PCAP_MAGIC.NANO && magic !== PCAP_MAGIC.KUZNETZOV;
    const native = view.getUint32(p, this.littleEndian);
    this.nanosecond = native === PCAP_MAGIC.NANO;
    this.recordHeaderBytes = native === PCAP_MAGIC.KUZNETZOV ? 24 : 16;
    const major = view.getUint16(p + 4, this.littleEndian);
    const minor = view.getUint16(p + 6, this.littleEndian);
    this.snapLen = view.getUint32(p + 16, this.littleEndian);
    if (major !== 2) {
      this.fault = captureFault('PCAP_ERR_BAD_HEADER', `unsupported pcap version ${major}.${minor} (only 2.x exists)`, window.offsetOf(p), batch.firstIndex);
      return false;
    }
    // Writers that put 0 (or more than libpcap's ceiling) in snaplen get the ceiling.
    this.maxCapLen = this.snapLen === 0 ? MAX_PACKET_BYTES : Math.min(this.snapLen, MAX_PACKET_BYTES);
    // The upper bits of the link-type field carry FCS information (pcap draft, section 4).
    this.linkType = view.getUint32(p + 20, this.littleEndian) & 0xffff;
    this.linkTypes.push(this.linkType);
    this.headerRead = true;
    window.start = p + FILE_HEADER_BYTES;
    return true;
  }

  private tooLong(incl: number, offset: number, record: number): MemocoError {
    const limit = this.maxCapLen === MAX_PACKET_BYTES ? `the ${MAX_PACKET_BYTES}-byte limit` : `the snap length ${this.maxCapLen}`;
    return captureFault('PCAP_ERR_RECORD_TOO_LONG', `record of ${incl} captured bytes is longer than ${limit}`, offset, record);
  }
}
