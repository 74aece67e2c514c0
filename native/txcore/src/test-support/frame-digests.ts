import { createHash } from 'node:crypto';
import { TraceReader } from '@memoco/pcap';

/**
 * The frames of a capture, in order, as SHA-1 digests of their bytes (link type ignored:
 * net_pcap writes Ethernet framing even for an SLL trace, the bytes are what must match).
 * A capture that ends mid-record yields the frames before the fault.
 */
export async function frameDigests(file: string): Promise<{ digests: string[]; maxFrameBytes: number; fault?: string }> {
  const digests: string[] = [];
  let maxFrameBytes = 0;
  const reader = new TraceReader(file, { decode: false });
  try {
    for await (const batch of reader.batches()) {
      for (let i = 0; i < batch.count; i++) {
        const at = batch.dataOffset[i]!;
        digests.push(createHash('sha1').update(batch.data.subarray(at, at + batch.capLen[i]!)).digest('hex'));
        maxFrameBytes = Math.max(maxFrameBytes, batch.capLen[i]!);
      }
    }
  } catch (error) {
    return { digests, maxFrameBytes, fault: (error as { code?: string }).code ?? String(error) };
  }
  return { digests, maxFrameBytes };
}
