import type { PacketBatch } from '@memoco/pcap';
import { NO_FLOW } from './per-flow-order.ts';

/**
 * Test fixtures: PacketBatch streams built from frames in memory, shaped exactly like the
 * trace reader's (struct of arrays, one shared data buffer), so the checker's core is tested
 * on known packets without files. Not exported from the package.
 */
export interface FixturePacket {
  bytes: Uint8Array;
  /** Flow id as the reader would give it (default NO_FLOW). */
  flow?: number;
}

export async function* fixtureBatches(packets: readonly FixturePacket[], batchSize = 3): AsyncGenerator<PacketBatch> {
  for (let start = 0; start < packets.length; start += batchSize) {
    yield makeBatch(packets.slice(start, start + batchSize), start);
  }
}

function makeBatch(packets: readonly FixturePacket[], firstIndex: number): PacketBatch {
  const n = packets.length;
  const total = packets.reduce((sum, p) => sum + p.bytes.length, 0);
  const data = new Uint8Array(total + 7); // an offset into a bigger buffer, as the reader's are
  const batch: PacketBatch = {
    count: n, firstIndex, data,
    dataOffset: new Uint32Array(n), capLen: new Uint32Array(n), origLen: new Uint32Array(n), fileOffset: new Float64Array(n),
    tsSec: new Float64Array(n), tsNsec: new Uint32Array(n), linkType: new Uint16Array(n).fill(1),
    ipVersion: new Uint8Array(n), proto: new Uint8Array(n), l3Offset: new Uint16Array(n), l4Offset: new Uint16Array(n),
    srcPort: new Uint16Array(n), dstPort: new Uint16Array(n), tcpFlags: new Uint8Array(n), ttl: new Uint8Array(n),
    flowId: new Uint32Array(n), direction: new Uint8Array(n),
  };
  let at = 7;
  packets.forEach((p, i) => {
    data.set(p.bytes, at);
    batch.dataOffset[i] = at;
    batch.capLen[i] = batch.origLen[i] = p.bytes.length;
    batch.flowId[i] = p.flow ?? NO_FLOW;
    at += p.bytes.length;
  });
  return batch;
}

/** A distinct 64-byte frame per (id): bytes that differ only in a counter, like a replay's. */
export function frame(id: number, length = 64): Uint8Array {
  const bytes = new Uint8Array(length);
  bytes.fill(0xab);
  new DataView(bytes.buffer).setUint32(length - 8, id);
  return bytes;
}
