/** Test support: reads a whole capture into plain objects (fine for tests, not for the hot path). */
import { MemocoError } from '@memoco/protocol';
import { TraceReader, type TraceSource } from '../trace-reader.ts';
import type { TraceReaderOptions } from '../trace-reader-options.ts';

export interface ReadPacket {
  index: number;
  data: Uint8Array;
  capLen: number;
  origLen: number;
  fileOffset: number;
  tsSec: number;
  tsNsec: number;
  linkType: number;
  ipVersion: number;
  proto: number;
  l3Offset: number;
  l4Offset: number;
  srcPort: number;
  dstPort: number;
  tcpFlags: number;
  ttl: number;
  flowId: number;
  direction: number;
}

export interface ReadAllResult {
  packets: ReadPacket[];
  error: MemocoError | undefined;
  reader: TraceReader;
}

/** Reads everything; a MemocoError ends the read and is returned, anything else is thrown. */
export async function readAll(source: TraceSource, options?: TraceReaderOptions): Promise<ReadAllResult> {
  const reader = new TraceReader(source, options);
  const packets: ReadPacket[] = [];
  try {
    for await (const b of reader.batches()) {
      for (let i = 0; i < b.count; i++) {
        const at = b.dataOffset[i];
        packets.push({
          index: b.firstIndex + i, data: b.data.slice(at, at + b.capLen[i]), capLen: b.capLen[i], origLen: b.origLen[i],
          fileOffset: b.fileOffset[i], tsSec: b.tsSec[i], tsNsec: b.tsNsec[i], linkType: b.linkType[i],
          ipVersion: b.ipVersion[i], proto: b.proto[i], l3Offset: b.l3Offset[i], l4Offset: b.l4Offset[i],
          srcPort: b.srcPort[i], dstPort: b.dstPort[i], tcpFlags: b.tcpFlags[i], ttl: b.ttl[i],
          flowId: b.flowId[i], direction: b.direction[i],
        });
      }
    }
  } catch (error) {
    if (!(error instanceof MemocoError)) throw error;
    return { packets, error, reader };
  }
  return { packets, error: undefined, reader };
}
