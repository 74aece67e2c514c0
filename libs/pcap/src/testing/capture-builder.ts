/**
 * Test support: captures built byte by byte in code, so every format variant and link
 * type has a hand-made case whose exact content the test knows (issue 2, edge cases).
 */
import { PCAP_MAGIC } from '../pcap-reader.ts';

export interface PcapRecordSpec {
  sec: number;
  /** Microseconds, or nanoseconds in a nanosecond file. */
  frac: number;
  data: Uint8Array;
  origLen?: number;
  /** Captured length to write when it should lie about the data (corrupt files). */
  capLen?: number;
}

export interface PcapFileSpec {
  linkType?: number;
  nanosecond?: boolean;
  bigEndian?: boolean;
  snapLen?: number;
  /** Kuznetzov's patched format: 8 more bytes per record header. */
  kuznetzov?: boolean;
  versionMajor?: number;
}

export function pcapFile(spec: PcapFileSpec, records: PcapRecordSpec[]): Uint8Array {
  const le = !spec.bigEndian;
  const extra = spec.kuznetzov ? 8 : 0;
  const size = 24 + records.reduce((sum, r) => sum + 16 + extra + r.data.length, 0);
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  const magic = spec.kuznetzov ? PCAP_MAGIC.KUZNETZOV : spec.nanosecond ? PCAP_MAGIC.NANO : PCAP_MAGIC.MICRO;
  view.setUint32(0, magic, le);
  view.setUint16(4, spec.versionMajor ?? 2, le);
  view.setUint16(6, 4, le);
  view.setUint32(16, spec.snapLen ?? 262144, le);
  view.setUint32(20, spec.linkType ?? 1, le);
  let p = 24;
  for (const r of records) {
    view.setUint32(p, r.sec, le);
    view.setUint32(p + 4, r.frac, le);
    view.setUint32(p + 8, r.capLen ?? r.data.length, le);
    view.setUint32(p + 12, r.origLen ?? r.data.length, le);
    out.set(r.data, p + 16 + extra);
    p += 16 + extra + r.data.length;
  }
  return out;
}

/** pcapng, block by block, in either byte order (switchable per section). */
export class PcapngBuilder {
  private readonly parts: Uint8Array[] = [];
  private le = true;

  section(options: { bigEndian?: boolean; major?: number; bom?: number } = {}): this {
    this.le = !options.bigEndian;
    const body = new Uint8Array(16);
    const view = new DataView(body.buffer);
    view.setUint32(0, options.bom ?? 0x1a2b3c4d, this.le);
    view.setUint16(4, options.major ?? 1, this.le);
    view.setUint16(6, 0, this.le);
    view.setInt32(8, -1, this.le);
    view.setInt32(12, -1, this.le); // section length unknown
    return this.block(0x0a0d0d0a, body);
  }

  /** An IDB; tsresol is the raw if_tsresol byte, tsoffset seconds. */
  interface(linkType: number, options: { snapLen?: number; tsresol?: number; tsoffset?: bigint } = {}): this {
    const opts: Uint8Array[] = [];
    if (options.tsresol !== undefined) opts.push(this.option(9, Uint8Array.of(options.tsresol)));
    if (options.tsoffset !== undefined) {
      const value = new Uint8Array(8);
      new DataView(value.buffer).setBigInt64(0, options.tsoffset, this.le);
      opts.push(this.option(14, value));
    }
    if (opts.length > 0) opts.push(new Uint8Array(4)); // opt_endofopt
    const fixed = new Uint8Array(8);
    const view = new DataView(fixed.buffer);
    view.setUint16(0, linkType, this.le);
    view.setUint32(4, options.snapLen ?? 0, this.le);
    return this.block(1, concat([fixed, ...opts]));
  }

  /** An Enhanced Packet Block; ts in the interface's units. */
  enhancedPacket(interfaceId: number, ts: bigint, data: Uint8Array, origLen = data.length, capLen = data.length): this {
    const fixed = new Uint8Array(20);
    const view = new DataView(fixed.buffer);
    view.setUint32(0, interfaceId, this.le);
    view.setUint32(4, Number(ts >> 32n), this.le);
    view.setUint32(8, Number(ts & 0xffffffffn), this.le);
    view.setUint32(12, capLen, this.le);
    view.setUint32(16, origLen, this.le);
    return this.block(6, concat([fixed, pad4(data)]));
  }

  /** The obsolete Packet Block (type 2): 16-bit interface id and drop count. */
  obsoletePacket(interfaceId: number, ts: bigint, data: Uint8Array, origLen = data.length): this {
    const fixed = new Uint8Array(20);
    const view = new DataView(fixed.buffer);
    view.setUint16(0, interfaceId, this.le);
    view.setUint16(2, 0, this.le);
    view.setUint32(4, Number(ts >> 32n), this.le);
    view.setUint32(8, Number(ts & 0xffffffffn), this.le);
    view.setUint32(12, data.length, this.le);
    view.setUint32(16, origLen, this.le);
    return this.block(2, concat([fixed, pad4(data)]));
  }

  simplePacket(data: Uint8Array, origLen = data.length): this {
    const fixed = new Uint8Array(4);
    new DataView(fixed.buffer).setUint32(0, origLen, this.le);
    return this.block(3, concat([fixed, pad4(data)]));
  }

  /** Any block: type and body (padded to 4 bytes). */
  block(type: number, body: Uint8Array): this {
    const padded = pad4(body);
    const out = new Uint8Array(12 + padded.length);
    const view = new DataView(out.buffer);
    view.setUint32(0, type, this.le);
    view.setUint32(4, out.length, this.le);
    out.set(padded, 8);
    view.setUint32(out.length - 4, out.length, this.le);
    this.parts.push(out);
    return this;
  }

  bytes(): Uint8Array {
    return concat(this.parts);
  }

  private option(code: number, value: Uint8Array): Uint8Array {
    const out = new Uint8Array(4 + ((value.length + 3) & ~3));
    const view = new DataView(out.buffer);
    view.setUint16(0, code, this.le);
    view.setUint16(2, value.length, this.le);
    out.set(value, 4);
    return out;
  }
}

export function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, p) => sum + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function pad4(data: Uint8Array): Uint8Array {
  if (data.length % 4 === 0) return data;
  const out = new Uint8Array((data.length + 3) & ~3);
  out.set(data);
  return out;
}

/** Yields `bytes` in pieces of the given sizes (cycled), like a network upload. */
export async function* chunked(bytes: Uint8Array, sizes: number[] = [4096]): AsyncGenerator<Uint8Array> {
  let at = 0;
  for (let k = 0; at < bytes.length; k++) {
    const size = Math.max(1, sizes[k % sizes.length]);
    yield bytes.slice(at, at + size);
    at += size;
  }
}
