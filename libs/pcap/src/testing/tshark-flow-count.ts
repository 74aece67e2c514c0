/**
 * Test support: counts bidirectional flows the way the corpus MANIFEST does (tshark,
 * innermost IP header by last field occurrence), which differs from the reader's rule in one
 * place: an ICMP/ICMPv6 error message (unreachable, time exceeded, redirect, ...) quotes
 * the IP header of the packet that caused it, and tshark's innermost header is that quoted
 * one, so the ICMP packet is counted under the quoted packet's 5-tuple. The reader keys
 * the ICMP packet on its own header with ports 0 (it is an ICMP packet on the wire, and a
 * replay must send it as one).
 */
import { DecodedHeaders } from '../decoded-headers.ts';
import { decodeIp, decodeTransport, IP_PROTO } from '../ip-decoder.ts';
import type { PacketBatch } from '../packet-batch.ts';

const ICMP_ERRORS = new Set([3, 4, 5, 11, 12]);
const ICMPV6_ERRORS = new Set([1, 2, 3, 4]);

export class TsharkFlowCount {
  readonly keys = new Set<string>();
  /** Packets that were ICMP errors keyed on their quoted header. */
  quotedPackets = 0;
  private readonly headers = new DecodedHeaders();

  add(batch: PacketBatch): void {
    for (let i = 0; i < batch.count; i++) {
      if (batch.ipVersion[i] === 0) continue;
      const start = batch.dataOffset[i];
      const quoted = this.quotedKey(batch, i, start);
      if (quoted !== undefined) {
        this.quotedPackets++;
        this.keys.add(quoted);
        continue;
      }
      const l3 = start + batch.l3Offset[i];
      this.keys.add(flowKey(batch.data, batch.ipVersion[i], l3, batch.proto[i], batch.srcPort[i], batch.dstPort[i]));
    }
  }

  private quotedKey(batch: PacketBatch, i: number, start: number): string | undefined {
    const proto = batch.proto[i];
    const l4 = batch.l4Offset[i];
    if (l4 === 0 || (proto !== IP_PROTO.ICMP && proto !== IP_PROTO.ICMPV6)) return undefined;
    const type = batch.data[start + l4];
    if (!(proto === IP_PROTO.ICMP ? ICMP_ERRORS : ICMPV6_ERRORS).has(type)) return undefined;
    const end = start + batch.capLen[i];
    const inner = start + l4 + 8;
    const h = this.headers;
    if (end - inner < 1 || !decodeIp(batch.data, inner, end, batch.data[inner] >> 4, h)) return undefined;
    decodeTransport(batch.data, h);
    return flowKey(batch.data, h.ipVersion, h.l3, h.proto, h.srcPort, h.dstPort);
  }
}

function flowKey(d: Uint8Array, version: number, l3: number, proto: number, srcPort: number, dstPort: number): string {
  const [srcAt, length] = version === 4 ? [l3 + 12, 4] : [l3 + 8, 16];
  const src = `${Buffer.from(d.subarray(srcAt, srcAt + length)).toString('hex')}:${srcPort}`;
  const dst = `${Buffer.from(d.subarray(srcAt + length, srcAt + 2 * length)).toString('hex')}:${dstPort}`;
  return `${proto} ${[src, dst].sort().join(' ')}`;
}
