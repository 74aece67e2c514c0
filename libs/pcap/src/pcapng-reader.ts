import type { MemocoError } from '@memoco/protocol';
import type { CaptureParser } from './capture-parser.ts';
import { captureFault } from './capture-fault.ts';
import type { PacketBatch } from './packet-batch.ts';
import { parseInterfaceBlock, type PcapngInterface } from './pcapng-interface.ts';
import type { ReadWindow } from './read-window.ts';
import { MAX_BLOCK_BYTES } from './trace-reader-options.ts';

/** Block types used (pcapng draft, section 4); every other type is skipped. */
export const PCAPNG_BLOCK = {
  SECTION_HEADER: 0x0a0d0d0a,
  INTERFACE_DESCRIPTION: 1,
  /** Obsolete Packet Block, still written by old tools. */
  PACKET: 2,
  SIMPLE_PACKET: 3,
  ENHANCED_PACKET: 6,
} as const;

const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
const MAX_INTERFACES = 65_536;

/**
 * pcapng: sections (each with its own byte order and interfaces), interface blocks (link
 * type, snap length, if_tsresol, if_tsoffset) and packet blocks (EPB, SPB, the obsolete PB).
 */
export class PcapngParser implements CaptureParser {
  readonly format = 'pcapng' as const;
  readonly linkTypes: number[] = [];
  fault: MemocoError | undefined;
  sections = 0;
  private littleEndian = true;
  private interfaces: PcapngInterface[] = [];
  /** Bytes of a large unknown block still to pass over, and where that block began. */
  private skipRemaining = 0;
  private skipFrom = 0;
  /** Simple Packet Blocks carry no timestamp: they get the one of the packet before. */
  private lastSec = 0;
  private lastNsec = 0;

  parse(window: ReadWindow, batch: PacketBatch): void {
    if (this.skipRemaining > 0) {
      const take = Math.min(this.skipRemaining, window.end - window.start);
      window.discard(take);
      this.skipRemaining -= take;
      if (this.skipRemaining > 0) return;
    }
    const { view } = window;
    const capacity = batch.dataOffset.length;
    const end = window.end;
    let p = window.start;
    while (batch.count < capacity && end - p >= 12) {
      const record = batch.firstIndex + batch.count;
      if (view.getUint32(p, true) === PCAPNG_BLOCK.SECTION_HEADER && !this.readByteOrder(view, p, window, record)) break;
      const le = this.littleEndian;
      const type = view.getUint32(p, le);
      const length = view.getUint32(p + 4, le);
      if (length < 12 || (length & 3) !== 0) {
        this.fault = captureFault('PCAP_ERR_BAD_BLOCK', `block of type ${type} has length ${length} (not a multiple of 4 of at least 12)`, window.offsetOf(p), record);
        break;
      }
      const used = isUsedBlock(type);
      if (used && length > MAX_BLOCK_BYTES) {
        const code = type === PCAPNG_BLOCK.SECTION_HEADER || type === PCAPNG_BLOCK.INTERFACE_DESCRIPTION ? 'PCAP_ERR_BAD_BLOCK' : 'PCAP_ERR_RECORD_TOO_LONG';
        this.fault = captureFault(code, `block of type ${type} is ${length} bytes, more than the ${MAX_BLOCK_BYTES}-byte limit`, window.offsetOf(p), record);
        break;
      }
      if (length > end - p) {
        if (used || length <= MAX_BLOCK_BYTES) break; // wait for the rest of it
        this.skipFrom = window.offsetOf(p);
        this.skipRemaining = length - (end - p);
        p = end;
        break;
      }
      if (view.getUint32(p + length - 4, le) !== length) {
        this.fault = captureFault('PCAP_ERR_BAD_BLOCK', `block of type ${type}: trailing length ${view.getUint32(p + length - 4, le)} differs from leading length ${length}`, window.offsetOf(p), record);
        break;
      }
      if (used && !this.readBlock(window, p, type, length, batch)) break;
      p += length;
    }
    batch.data = window.buf;
    window.start = p;
  }

  endOfInput(window: ReadWindow, record: number): MemocoError | undefined {
    if (this.skipRemaining > 0) {
      return captureFault('PCAP_ERR_TRUNCATED_RECORD', `the capture ends inside a block, ${this.skipRemaining} bytes short`, this.skipFrom, record);
    }
    const left = window.end - window.start;
    if (left === 0) return undefined;
    const offset = window.offsetOf(window.start);
    if (this.sections === 0) {
      return captureFault('PCAP_ERR_TRUNCATED_HEADER', `the capture ends inside its section header block (${left} bytes present)`, offset, record);
    }
    return captureFault('PCAP_ERR_TRUNCATED_RECORD', `the capture ends inside a block (${left} bytes of it present)`, offset, record);
  }

  /** A Section Header Block sets the byte order of everything up to the next one. */
  private readByteOrder(view: DataView, p: number, window: ReadWindow, record: number): boolean {
    const mark = view.getUint32(p + 8, true);
    if (mark === BYTE_ORDER_MAGIC) this.littleEndian = true;
    else if (mark === 0x4d3c2b1a) this.littleEndian = false;
    else {
      this.fault = captureFault('PCAP_ERR_BAD_HEADER', `section header block has byte-order magic 0x${mark.toString(16)}, not 0x1a2b3c4d`, window.offsetOf(p), record);
      return false;
    }
    return true;
  }

  /** Reads a whole block of a used type at p; false on a fault. */
  private readBlock(window: ReadWindow, p: number, type: number, length: number, batch: PacketBatch): boolean {
    switch (type) {
      case PCAPNG_BLOCK.ENHANCED_PACKET:
        return this.readPacket(window, p, length, batch, window.view.getUint32(p + 8, this.littleEndian));
      case PCAPNG_BLOCK.PACKET:
        return this.readPacket(window, p, length, batch, window.view.getUint16(p + 8, this.littleEndian));
      case PCAPNG_BLOCK.SIMPLE_PACKET:
        return this.readSimplePacket(window, p, length, batch);
      case PCAPNG_BLOCK.INTERFACE_DESCRIPTION:
        return this.readInterface(window, p, length, batch);
      default:
        return this.readSectionHeader(window, p, length, batch);
    }
  }

  private readSectionHeader(window: ReadWindow, p: number, length: number, batch: PacketBatch): boolean {
    const major = length >= 28 ? window.view.getUint16(p + 12, this.littleEndian) : -1;
    if (major !== 1) {
      const what = major < 0 ? `is ${length} bytes, shorter than 28` : `has version ${major}, only 1 exists`;
      this.fault = captureFault('PCAP_ERR_BAD_HEADER', `section header block ${what}`, window.offsetOf(p), batch.firstIndex + batch.count);
      return false;
    }
    this.sections++;
    this.interfaces = [];
    return true;
  }

  private readInterface(window: ReadWindow, p: number, length: number, batch: PacketBatch): boolean {
    const parsed = parseInterfaceBlock(window.view, p + 8, p + length - 4, this.littleEndian);
    const problem = typeof parsed === 'string' ? parsed : this.interfaces.length >= MAX_INTERFACES ? `more than ${MAX_INTERFACES} interfaces in one section` : undefined;
    if (problem !== undefined || typeof parsed === 'string') {
      this.fault = captureFault('PCAP_ERR_BAD_HEADER', problem ?? 'bad interface block', window.offsetOf(p), batch.firstIndex + batch.count);
      return false;
    }
    this.interfaces.push(parsed);
    if (!this.linkTypes.includes(parsed.linkType)) this.linkTypes.push(parsed.linkType);
    return true;
  }

  /** Enhanced (type 6) and obsolete (type 2) packet blocks share their layout after the interface id. */
  private readPacket(window: ReadWindow, p: number, length: number, batch: PacketBatch, interfaceId: number): boolean {
    const { view } = window;
    const le = this.littleEndian;
    const n = batch.count;
    const record = batch.firstIndex + n;
    if (length < 32) return this.blockFault(window, p, record, `packet block of ${length} bytes is shorter than 32`);
    const iface = this.interfaces[interfaceId];
    if (iface === undefined) return this.blockFault(window, p, record, `packet for interface ${interfaceId}, but the section declares ${this.interfaces.length}`);
    const capLen = view.getUint32(p + 20, le);
    if (capLen > iface.maxCapLen) {
      this.fault = captureFault('PCAP_ERR_RECORD_TOO_LONG', `packet of ${capLen} captured bytes is longer than the limit ${iface.maxCapLen}`, window.offsetOf(p), record);
      return false;
    }
    if (capLen > length - 32) return this.blockFault(window, p, record, `packet of ${capLen} captured bytes does not fit its ${length}-byte block`);
    iface.resolution.convert(view.getUint32(p + 12, le), view.getUint32(p + 16, le), iface.offsetSec, batch.tsSec, batch.tsNsec, n);
    this.emit(batch, window, p, p + 28, capLen, view.getUint32(p + 24, le), iface.linkType);
    return true;
  }

  private readSimplePacket(window: ReadWindow, p: number, length: number, batch: PacketBatch): boolean {
    const record = batch.firstIndex + batch.count;
    if (length < 16) return this.blockFault(window, p, record, `simple packet block of ${length} bytes is shorter than 16`);
    const iface = this.interfaces[0];
    if (iface === undefined) return this.blockFault(window, p, record, 'simple packet block in a section with no interface');
    const origLen = window.view.getUint32(p + 8, this.littleEndian);
    // The captured length is implied: the original length, cut by the snap length and the block.
    let capLen = Math.min(origLen, length - 16);
    if (iface.snapLen !== 0) capLen = Math.min(capLen, iface.snapLen);
    if (capLen > iface.maxCapLen) {
      this.fault = captureFault('PCAP_ERR_RECORD_TOO_LONG', `packet of ${capLen} captured bytes is longer than the limit ${iface.maxCapLen}`, window.offsetOf(p), record);
      return false;
    }
    batch.tsSec[batch.count] = this.lastSec;
    batch.tsNsec[batch.count] = this.lastNsec;
    this.emit(batch, window, p, p + 12, capLen, origLen, iface.linkType);
    return true;
  }

  private emit(batch: PacketBatch, window: ReadWindow, block: number, data: number, capLen: number, origLen: number, linkType: number): void {
    const n = batch.count;
    batch.dataOffset[n] = data;
    batch.capLen[n] = capLen;
    batch.origLen[n] = origLen;
    batch.fileOffset[n] = window.offsetOf(block);
    batch.linkType[n] = linkType;
    this.lastSec = batch.tsSec[n];
    this.lastNsec = batch.tsNsec[n];
    batch.count = n + 1;
  }

  private blockFault(window: ReadWindow, p: number, record: number, message: string): false {
    this.fault = captureFault('PCAP_ERR_BAD_BLOCK', message, window.offsetOf(p), record);
    return false;
  }
}

function isUsedBlock(type: number): boolean {
  return type === PCAPNG_BLOCK.ENHANCED_PACKET || type === PCAPNG_BLOCK.SIMPLE_PACKET || type === PCAPNG_BLOCK.PACKET
    || type === PCAPNG_BLOCK.INTERFACE_DESCRIPTION || type === PCAPNG_BLOCK.SECTION_HEADER;
}
