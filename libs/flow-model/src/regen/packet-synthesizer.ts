/**
 * Builds the bytes of an expanded packet from its row's header template (issue 4: "headers
 * from the template, valid IPv4/IPv6/TCP/UDP checksums"), as the native engine's txonly-like
 * synthesis does:
 *   - frame = template, then zero payload up to the wire size (never shorter than the
 *     template, plus 24 bytes when tagging; at most 65535 bytes of IP);
 *   - class members (variant v >= 1): the client port (forward source = reverse
 *     destination) becomes 1024 + ((port + 7919 v) mod 64512), and the client address's
 *     last byte moves by floor(v / 64512), so members are distinct flows;
 *   - IPv4 total length and identification (template id + packets sent in that direction),
 *     IPv6 payload length, UDP length;
 *   - TCP flags from the expander; sequence numbers advance by payload (+1 for SYN and FIN)
 *     per direction from the template's, and the acknowledgement echoes the other
 *     direction's next sequence number when ACK is set;
 *   - `--tag`: the 24-byte replay-check trailer "MCSQ" | instance | global seq | flow seq
 *     (libs/replay-check tag-trailer.ts) as the frame's last bytes;
 *   - checksums last: IPv4 header, then TCP/UDP/ICMP/ICMPv6 over the pseudo-header.
 */
import { writeIpv4HeaderChecksum, writeTransportChecksum } from './checksum.ts';
import type { PlanInstances, PlanTemplates } from './regeneration-plan.ts';

export const TAG_BYTES = 24;
const TAG_MAGIC = 0x4d435351;
const MAX_IP_BYTES = 65535;
const PORT_STRIDE = 7919;
const EPHEMERAL_PORTS = 64512;
const TCP_SYN = 0x02;
const TCP_FIN = 0x01;
const TCP_ACK = 0x10;

/** Per-instance state that advances packet by packet (so instances are expanded in order). */
export class InstanceState {
  /** Per instance: packets sent in direction 0 and 1, TCP sequence advance per direction (mod 2^32), packets sent. */
  private sent = new Float64Array(0);
  private seqAdvance = new Float64Array(0);
  private total = new Float64Array(0);

  ensure(instances: number): void {
    if (this.total.length >= instances) return;
    const capacity = Math.max(instances, this.total.length * 2, 1024);
    const grow = (a: Float64Array, per: number) => {
      const next = new Float64Array(capacity * per);
      next.set(a);
      return next;
    };
    this.sent = grow(this.sent, 2);
    this.seqAdvance = grow(this.seqAdvance, 2);
    this.total = grow(this.total, 1);
  }

  sentIn(instance: number, d: number): number {
    return this.sent[2 * instance + d]!;
  }
  advance(instance: number, d: number): number {
    return this.seqAdvance[2 * instance + d]!;
  }
  flowSeq(instance: number): number {
    return this.total[instance]!;
  }
  record(instance: number, d: number, seqBytes: number): void {
    this.sent[2 * instance + d]! += 1;
    this.seqAdvance[2 * instance + d] = (this.seqAdvance[2 * instance + d]! + seqBytes) % 4294967296;
    this.total[instance]! += 1;
  }
}

export interface SynthesisInput {
  instance: number;
  direction: number;
  size: number;
  flags: number;
  globalSeq: number;
}

function u16(b: Uint8Array, at: number): number {
  return (b[at]! << 8) | b[at + 1]!;
}
function u32(b: Uint8Array, at: number): number {
  return ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
}
function put16(b: Uint8Array, at: number, v: number): void {
  b[at] = (v >>> 8) & 0xff;
  b[at + 1] = v & 0xff;
}
function put32(b: Uint8Array, at: number, v: number): void {
  put16(b, at, Math.floor(v / 65536) & 0xffff);
  put16(b, at + 2, v & 0xffff);
}

export function variantPort(port: number, variant: number): number {
  return variant === 0 ? port : 1024 + ((port + PORT_STRIDE * variant) % EPHEMERAL_PORTS);
}

function applyVariant(frame: Uint8Array, t: PlanTemplates, row: number, d: number, variant: number): void {
  if (variant === 0) return;
  const l3 = t.l3Offset[2 * row + d]!;
  const l4 = t.l4Offset[2 * row + d]!;
  const proto = t.proto[row]!;
  if ((proto === 6 || proto === 17) && l4 + 4 <= frame.length) {
    const at = d === 0 ? l4 : l4 + 2;
    put16(frame, at, variantPort(u16(frame, at), variant));
  }
  const shift = Math.floor(variant / EPHEMERAL_PORTS) & 0xff;
  if (shift === 0) return;
  const v4 = t.ipVersion[row] === 4;
  const clientLast = d === 0 ? l3 + (v4 ? 15 : 23) : l3 + (v4 ? 19 : 39);
  frame[clientLast] = (frame[clientLast]! + shift) & 0xff;
}

/** The frame of one packet; `out` is reused when large enough. Returns the frame (a view of `out` or a new buffer). */
export function synthesizePacket(t: PlanTemplates, instances: PlanInstances, state: InstanceState, input: SynthesisInput, tag: boolean, out: Uint8Array): Uint8Array {
  const { instance, direction: d } = input;
  const row = instances.template[instance]!;
  const slot = 2 * row + d;
  const h0 = t.headerOffset[slot]!;
  const headerLength = t.headerOffset[slot + 1]! - h0;
  const l3 = t.l3Offset[slot]!;
  const l4 = t.l4Offset[slot]!;
  const minimum = headerLength + (tag ? TAG_BYTES : 0);
  const length = Math.min(Math.max(input.size, minimum), l3 + MAX_IP_BYTES);
  const frame = out.length >= length ? out.subarray(0, length) : new Uint8Array(length);
  frame.set(t.headerBytes.subarray(h0, h0 + headerLength));
  frame.fill(0, headerLength);
  applyVariant(frame, t, row, d, instances.variant[instance]!);
  const proto = t.proto[row]!;
  const ipVersion = t.ipVersion[row]!;
  if (ipVersion === 4) {
    put16(frame, l3 + 2, length - l3);
    put16(frame, l3 + 4, (u16(frame, l3 + 4) + state.sentIn(instance, d)) & 0xffff);
  } else {
    put16(frame, l3 + 4, length - l3 - 40);
  }
  let seqBytes = 0;
  if (proto === 6 && l4 + 20 <= headerLength) {
    const payload = length - headerLength;
    frame[l4 + 13] = input.flags;
    put32(frame, l4 + 4, (u32(frame, l4 + 4) + state.advance(instance, d)) % 4294967296);
    if (input.flags & TCP_ACK) put32(frame, l4 + 8, otherSideNext(t, state, instance, row, d, frame, l4));
    seqBytes = payload + (input.flags & TCP_SYN ? 1 : 0) + (input.flags & TCP_FIN ? 1 : 0);
  } else if (proto === 17 && l4 + 8 <= headerLength) {
    put16(frame, l4 + 4, length - l4);
  }
  if (tag) writeTag(frame, instance, input.globalSeq, state.flowSeq(instance));
  if (ipVersion === 4) writeIpv4HeaderChecksum(frame, l3);
  if (l4 > l3) writeTransportChecksum(frame, l3, l4, length, ipVersion, proto);
  state.record(instance, d, seqBytes);
  return frame;
}

/** The next sequence number of the other direction (its template's plus what it has sent), or the template's ack when it has no template. */
function otherSideNext(t: PlanTemplates, state: InstanceState, instance: number, row: number, d: number, frame: Uint8Array, l4: number): number {
  const other = 2 * row + (1 - d);
  const start = t.headerOffset[other]!;
  if (t.headerOffset[other + 1]! - start < t.l4Offset[other]! + 20) return u32(frame, l4 + 8);
  const otherSeq = u32(t.headerBytes, start + t.l4Offset[other]! + 4);
  return (otherSeq + state.advance(instance, 1 - d)) % 4294967296;
}

function writeTag(frame: Uint8Array, instance: number, globalSeq: number, flowSeq: number): void {
  const at = frame.length - TAG_BYTES;
  put32(frame, at, TAG_MAGIC);
  put32(frame, at + 4, instance);
  put32(frame, at + 8, Math.floor(globalSeq / 4294967296));
  put32(frame, at + 12, globalSeq % 4294967296);
  put32(frame, at + 16, Math.floor(flowSeq / 4294967296));
  put32(frame, at + 20, flowSeq % 4294967296);
}
