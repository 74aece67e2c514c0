import { DecodedHeaders } from './decoded-headers.ts';
import type { FlowTable } from './flow-table.ts';
import { decodeIp, decodeTransport } from './ip-decoder.ts';
import { decodeLink } from './link-decoder.ts';
import { NO_FLOW, type PacketBatch } from './packet-batch.ts';

/**
 * Fills the decoded fields of a batch (IP version, protocol, offsets, ports, TCP flags,
 * TTL) and each packet's flow id and direction. One pass, typed arrays only.
 */
export class PacketDecoder {
  private readonly headers = new DecodedHeaders();
  /** A DataView over the batch's data, made again only when the reader swaps buffers. */
  private viewOf: Uint8Array | undefined;
  private view: DataView = new DataView(new ArrayBuffer(0));

  constructor(private readonly flows: FlowTable) {}

  /** Decodes packets from..batch.count-1. */
  decode(batch: PacketBatch, from = 0): void {
    const d = batch.data;
    if (d !== this.viewOf) {
      this.viewOf = d;
      this.view = new DataView(d.buffer, d.byteOffset, d.byteLength);
    }
    const view = this.view;
    const h = this.headers;
    const flows = this.flows;
    const { dataOffset, capLen, linkType, ipVersion, proto, l3Offset, l4Offset, srcPort, dstPort, tcpFlags, ttl, flowId, direction } = batch;
    for (let i = from; i < batch.count; i++) {
      const start = dataOffset[i];
      const end = start + capLen[i];
      // Fast path: Ethernet, IPv4 without options, not a fragment, TCP or UDP with ports.
      // Word loads through a DataView: fewer loads and bounds checks than byte by byte.
      if (linkType[i] === 1 && end - start >= 38 && view.getUint32(start + 12) === 0x08004500 && (view.getUint16(start + 20) & 0x3fff) === 0) {
        const p = start + 14;
        const pr = d[p + 9];
        const total = view.getUint16(p + 2);
        const ipEnd = total >= 20 && total < end - p ? p + total : end;
        if ((pr === 6 || pr === 17) && ipEnd - p >= 24) {
          const ports = view.getUint32(p + 20);
          const sp = ports >>> 16;
          const dp = ports & 0xffff;
          ipVersion[i] = 4; proto[i] = pr; l3Offset[i] = 14; l4Offset[i] = 34;
          srcPort[i] = sp; dstPort[i] = dp; ttl[i] = d[p + 8];
          tcpFlags[i] = pr === 6 && ipEnd - p >= 34 ? d[p + 33] : 0;
          flowId[i] = flows.lookupIpv4(view.getUint32(p + 12), view.getUint32(p + 16), pr, sp, dp);
          direction[i] = flows.direction;
          continue;
        }
      }
      const ip = decodeLink(d, start, end, linkType[i]);
      const version = ip & 7;
      if (ip < 0 || !decodeIp(d, (ip - version) / 8, end, version, h) || h.l3 - start > 0xffff) {
        markNotIp(batch, i);
        continue;
      }
      decodeTransport(d, h);
      const l4 = h.l4 === 0 || h.l4 - start > 0xffff ? 0 : h.l4 - start;
      ipVersion[i] = h.ipVersion;
      proto[i] = h.proto;
      l3Offset[i] = h.l3 - start;
      l4Offset[i] = l4;
      srcPort[i] = h.srcPort;
      dstPort[i] = h.dstPort;
      tcpFlags[i] = h.tcpFlags;
      ttl[i] = h.ttl;
      flowId[i] = flows.lookup(d, h.ipVersion, h.l3, h.proto, h.srcPort, h.dstPort);
      direction[i] = flows.direction;
    }
  }
}

/** A packet with no IP header: zero decoded fields, no flow. */
function markNotIp(batch: PacketBatch, i: number): void {
  batch.ipVersion[i] = 0; batch.proto[i] = 0; batch.l3Offset[i] = 0; batch.l4Offset[i] = 0;
  batch.srcPort[i] = 0; batch.dstPort[i] = 0; batch.tcpFlags[i] = 0; batch.ttl[i] = 0;
  batch.flowId[i] = NO_FLOW; batch.direction[i] = 0;
}
