/** Test support: protocol headers as bytes (checksums left 0: the reader does not check them). */
import { concat } from './capture-builder.ts';

const bytes = (...values: number[]) => Uint8Array.from(values);
const u16 = (v: number) => bytes(v >> 8, v & 255);
const u32 = (v: number) => bytes(v >>> 24, (v >> 16) & 255, (v >> 8) & 255, v & 255);

export function ipv4Addr(text: string): Uint8Array {
  return Uint8Array.from(text.split('.').map(Number));
}

export function ipv6Addr(text: string): Uint8Array {
  const [head, tail = ''] = text.includes('::') ? text.split('::') : [text, undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = text.includes('::') ? [...h, ...Array(8 - h.length - t.length).fill('0'), ...t] : h;
  return concat(groups.map((g) => u16(parseInt(g, 16))));
}

export function ethernet(etherType: number, payload: Uint8Array, tags: [tpid: number, vid: number][] = []): Uint8Array {
  const macs = bytes(2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1);
  // Each tag is TPID + TCI; the last one is followed by the real EtherType.
  const chain = concat([...tags.map(([tpid, vid]) => concat([u16(tpid), u16(vid)])), u16(etherType)]);
  return concat([macs, chain, payload]);
}

export interface Ipv4Spec {
  src: string;
  dst: string;
  proto: number;
  payload: Uint8Array;
  options?: Uint8Array;
  ttl?: number;
  /** In 8-byte units. */
  fragmentOffset?: number;
  moreFragments?: boolean;
  /** Total length to write, when it should differ from the real one. */
  totalLength?: number;
}

export function ipv4(spec: Ipv4Spec): Uint8Array {
  const options = spec.options ?? new Uint8Array(0);
  const headerLength = 20 + options.length;
  const flags = (spec.moreFragments ? 0x2000 : 0) | (spec.fragmentOffset ?? 0);
  return concat([
    bytes(0x40 | (headerLength / 4), 0), u16(spec.totalLength ?? headerLength + spec.payload.length),
    u16(0x1234), u16(flags), bytes(spec.ttl ?? 64, spec.proto), u16(0),
    ipv4Addr(spec.src), ipv4Addr(spec.dst), options, spec.payload,
  ]);
}

export interface Ipv6Spec {
  src: string;
  dst: string;
  /** Chain of extension headers before the payload: [type, body without next/len bytes]. */
  extensions?: [type: number, body: Uint8Array][];
  proto: number;
  payload: Uint8Array;
  hopLimit?: number;
}

/** IPv6; hop-by-hop/routing/destination bodies are padded to (len + 1) * 8, fragment is 8 bytes. */
export function ipv6(spec: Ipv6Spec): Uint8Array {
  const ext = spec.extensions ?? [];
  const parts: Uint8Array[] = [];
  ext.forEach(([type, body], k) => {
    const next = k + 1 < ext.length ? ext[k + 1][0] : spec.proto;
    if (type === 44) parts.push(concat([bytes(next, 0), body.subarray(0, 6)]));
    else {
      const length = Math.ceil((body.length + 2) / 8) * 8;
      const out = new Uint8Array(length);
      out.set(bytes(next, length / 8 - 1));
      out.set(body, 2);
      parts.push(out);
    }
  });
  const rest = concat([...parts, spec.payload]);
  const first = ext.length > 0 ? ext[0][0] : spec.proto;
  return concat([bytes(0x60, 0, 0, 0), u16(rest.length), bytes(first, spec.hopLimit ?? 64), ipv6Addr(spec.src), ipv6Addr(spec.dst), rest]);
}

/** Body of an IPv6 fragment header after next/reserved: offset (8-byte units), M flag, id. */
export function ipv6FragmentBody(offset: number, more: boolean, id = 7): Uint8Array {
  return concat([u16((offset << 3) | (more ? 1 : 0)), u32(id)]);
}

export function udp(srcPort: number, dstPort: number, payload = new Uint8Array(4)): Uint8Array {
  return concat([u16(srcPort), u16(dstPort), u16(8 + payload.length), u16(0), payload]);
}

export function tcp(srcPort: number, dstPort: number, flags: number, payload = new Uint8Array(0)): Uint8Array {
  return concat([u16(srcPort), u16(dstPort), u32(1), u32(0), bytes(0x50, flags), u16(65535), u16(0), u16(0), payload]);
}

export function icmp(type: number, code: number, payload = new Uint8Array(4)): Uint8Array {
  return concat([bytes(type, code), u16(0), payload]);
}

/** GRE version 0 with optional checksum, key and sequence fields. */
export function gre(protocolType: number, payload: Uint8Array, fields: { checksum?: boolean; key?: number; sequence?: number } = {}): Uint8Array {
  const flags = (fields.checksum ? 0x8000 : 0) | (fields.key !== undefined ? 0x2000 : 0) | (fields.sequence !== undefined ? 0x1000 : 0);
  return concat([
    u16(flags), u16(protocolType),
    fields.checksum ? u32(0) : new Uint8Array(0),
    fields.key !== undefined ? u32(fields.key) : new Uint8Array(0),
    fields.sequence !== undefined ? u32(fields.sequence) : new Uint8Array(0),
    payload,
  ]);
}

/** Linux cooked capture v1: packet type, ARPHRD, address length, 8-byte address, protocol. */
export function sll(protocol: number, payload: Uint8Array): Uint8Array {
  return concat([u16(0), u16(1), u16(6), bytes(2, 0, 0, 0, 0, 1, 0, 0), u16(protocol), payload]);
}

/** Linux cooked capture v2: protocol, reserved, ifindex, ARPHRD, packet type, address length, address. */
export function sll2(protocol: number, payload: Uint8Array): Uint8Array {
  return concat([u16(protocol), u16(0), u32(3), u16(1), bytes(0, 6), bytes(2, 0, 0, 0, 0, 1, 0, 0), payload]);
}

/** BSD loopback header: the address family, 4 bytes, in the given byte order. */
export function loopback(family: number, payload: Uint8Array, bigEndian: boolean): Uint8Array {
  const header = bigEndian ? u32(family) : bytes(family & 255, family >> 8, 0, 0);
  return concat([header, payload]);
}

/** MPLS label stack entries (bottom-of-stack set on the last). */
export function mpls(labels: number[], payload: Uint8Array): Uint8Array {
  return concat([...labels.map((label, k) => u32(((label << 12) | (k === labels.length - 1 ? 0x100 : 0) | 64) >>> 0)), payload]);
}

export function pppoeSession(pppProtocol: number, payload: Uint8Array): Uint8Array {
  return concat([bytes(0x11, 0), u16(1), u16(payload.length + 2), u16(pppProtocol), payload]);
}
