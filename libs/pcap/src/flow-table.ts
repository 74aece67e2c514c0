import { formatIpv4, formatIpv6 } from './ip-address-format.ts';

/** A bidirectional flow: src is the source of the first packet seen in it. */
export interface FlowKey {
  ipVersion: 4 | 6;
  proto: number;
  srcAddr: string;
  dstAddr: string;
  srcPort: number;
  dstPort: number;
}

/**
 * Words kept per flow: the lower endpoint's address (4 words; IPv4 uses the first), the
 * higher one's (4), (version << 8 | proto), and (lower port << 16 | higher port). Endpoints
 * are ordered by (address, port) so both directions of a flow hash and compare alike.
 */
const WORDS = 10;
const META = 8;
const PORTS = 9;
const INITIAL_FLOWS = 1024;

/**
 * Bidirectional 5-tuples over the innermost IP header, hashed on the raw address bytes
 * (no strings per packet), with dense ids 0..size-1 in order of first appearance.
 * Open addressing with linear probing; memory grows with the number of flows only.
 */
export class FlowTable {
  /** Number of flows (ids are 0 .. size-1). */
  size = 0;
  tcpFlows = 0;
  udpFlows = 0;
  /** Direction of the packet last looked up: 0 as the flow's first packet, 1 reverse. */
  direction = 0;
  private keys = new Uint32Array(INITIAL_FLOWS * WORDS);
  private hashes = new Uint32Array(INITIAL_FLOWS);
  /** 1 when the flow's first packet went from the higher endpoint to the lower one. */
  private firstReversed = new Uint8Array(INITIAL_FLOWS);
  private slots = new Int32Array(INITIAL_FLOWS * 2);
  private readonly scratch = new Uint32Array(8);

  /**
   * The flow id of an IP packet whose IP header starts at d[l3] (version 4 or 6); adds
   * the flow when new. Sets `direction`.
   */
  lookup(d: Uint8Array, version: number, l3: number, proto: number, srcPort: number, dstPort: number): number {
    return version === 4
      ? this.lookupIpv4(read32(d, l3 + 12), read32(d, l3 + 16), proto, srcPort, dstPort)
      : this.lookup6(d, l3 + 8, l3 + 24, proto, srcPort, dstPort);
  }

  /** IPv4 lookup from the two addresses as unsigned 32-bit words (the decoder's fast path). */
  lookupIpv4(src: number, dst: number, proto: number, srcPort: number, dstPort: number): number {
    const reversed = src > dst || (src === dst && srcPort > dstPort);
    const lo = reversed ? dst : src;
    const hi = reversed ? src : dst;
    const ports = reversed ? ((dstPort << 16) | srcPort) >>> 0 : ((srcPort << 16) | dstPort) >>> 0;
    const meta = (4 << 8) | proto;
    // Two multiplies: enough spread for linear probing at half load.
    let hash = Math.imul(lo ^ ports, 0x9e3779b1) ^ Math.imul(hi ^ meta, 0x85ebca6b);
    hash = (hash ^ (hash >>> 15)) >>> 0;
    const keys = this.keys;
    const slots = this.slots;
    const mask = slots.length - 1;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const entry = slots[slot];
      if (entry === 0) break;
      const id = entry - 1;
      const k = id * WORDS;
      if (keys[k] === lo && keys[k + 4] === hi && keys[k + PORTS] === ports && keys[k + META] === meta) {
        this.direction = (reversed ? 1 : 0) ^ this.firstReversed[id];
        return id;
      }
    }
    const s = this.scratch;
    s.fill(0);
    s[0] = lo;
    s[4] = hi;
    return this.insert(hash, meta, ports, reversed);
  }

  private lookup6(d: Uint8Array, srcAt: number, dstAt: number, proto: number, srcPort: number, dstPort: number): number {
    let order = 0;
    for (let i = 0; i < 16 && order === 0; i += 4) order = read32(d, srcAt + i) - read32(d, dstAt + i);
    const reversed = order > 0 || (order === 0 && srcPort > dstPort);
    const loAt = reversed ? dstAt : srcAt;
    const hiAt = reversed ? srcAt : dstAt;
    const s = this.scratch;
    for (let i = 0; i < 4; i++) {
      s[i] = read32(d, loAt + i * 4);
      s[i + 4] = read32(d, hiAt + i * 4);
    }
    const ports = reversed ? ((dstPort << 16) | srcPort) >>> 0 : ((srcPort << 16) | dstPort) >>> 0;
    const meta = (6 << 8) | proto;
    let h = mix(meta, ports);
    for (let i = 0; i < 8; i++) h = mix(h, s[i]);
    const hash = finish(h);
    const keys = this.keys;
    const slots = this.slots;
    const mask = slots.length - 1;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const entry = slots[slot];
      if (entry === 0) break;
      const id = entry - 1;
      const k = id * WORDS;
      if (this.hashes[id] === hash && keys[k + PORTS] === ports && keys[k + META] === meta && sameAddresses(keys, k, s)) {
        this.direction = (reversed ? 1 : 0) ^ this.firstReversed[id];
        return id;
      }
    }
    return this.insert(hash, meta, ports, reversed);
  }

  /** Adds the flow whose addresses are in `scratch`. */
  private insert(hash: number, meta: number, ports: number, reversed: boolean): number {
    if (this.size === this.hashes.length) this.growStorage();
    if ((this.size + 1) * 2 > this.slots.length) this.growSlots();
    const id = this.size++;
    const k = id * WORDS;
    this.keys.set(this.scratch, k);
    this.keys[k + META] = meta;
    this.keys[k + PORTS] = ports;
    this.hashes[id] = hash;
    this.firstReversed[id] = reversed ? 1 : 0;
    this.placeSlot(hash, id);
    const proto = meta & 0xff;
    if (proto === 6) this.tcpFlows++;
    else if (proto === 17) this.udpFlows++;
    this.direction = 0;
    return id;
  }

  /** The 5-tuple of a flow, src being the first packet's source. Not for the hot path. */
  key(flowId: number): FlowKey {
    if (!Number.isInteger(flowId) || flowId < 0 || flowId >= this.size) throw new RangeError(`no flow ${flowId} (have ${this.size})`);
    const k = flowId * WORDS;
    const ipVersion = (this.keys[k + META] >>> 8) as 4 | 6;
    const format = (at: number) => (ipVersion === 4 ? formatIpv4(this.keys[at]) : formatIpv6(this.keys.subarray(at, at + 4)));
    const lo = { addr: format(k), port: this.keys[k + PORTS] >>> 16 };
    const hi = { addr: format(k + 4), port: this.keys[k + PORTS] & 0xffff };
    const [src, dst] = this.firstReversed[flowId] ? [hi, lo] : [lo, hi];
    return { ipVersion, proto: this.keys[k + META] & 0xff, srcAddr: src.addr, dstAddr: dst.addr, srcPort: src.port, dstPort: dst.port };
  }

  private placeSlot(hash: number, id: number): void {
    const mask = this.slots.length - 1;
    let slot = hash & mask;
    while (this.slots[slot] !== 0) slot = (slot + 1) & mask;
    this.slots[slot] = id + 1;
  }

  private growStorage(): void {
    const capacity = this.hashes.length * 2;
    this.keys = grown(this.keys, capacity * WORDS);
    this.hashes = grown(this.hashes, capacity);
    this.firstReversed = grown(this.firstReversed, capacity);
  }

  private growSlots(): void {
    this.slots = new Int32Array(this.slots.length * 2);
    for (let id = 0; id < this.size; id++) this.placeSlot(this.hashes[id], id);
  }
}

function grown<T extends Uint32Array | Uint8Array>(array: T, length: number): T {
  const next = new (array.constructor as new (n: number) => T)(length);
  next.set(array);
  return next;
}

function sameAddresses(keys: Uint32Array, k: number, s: Uint32Array): boolean {
  for (let i = 0; i < 8; i++) if (keys[k + i] !== s[i]) return false;
  return true;
}

function read32(d: Uint8Array, p: number): number {
  return ((d[p] << 24) | (d[p + 1] << 16) | (d[p + 2] << 8) | d[p + 3]) >>> 0;
}

function mix(h: number, word: number): number {
  h = Math.imul(h ^ word, 0x85ebca6b);
  return h ^ (h >>> 13);
}

function finish(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
