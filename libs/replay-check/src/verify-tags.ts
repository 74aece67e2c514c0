import type { PacketBatch } from '@memoco/pcap';
import { GrowableArray } from './growable-array.ts';
import { outOfOrderCount } from './longest-increasing.ts';
import { OrderTracker } from './order-tracker.ts';
import { flowOutOfOrderCount, NO_FLOW } from './per-flow-order.ts';
import { SeqSet } from './seq-set.ts';
import { readTagTrailer, TAG_NON_IP_FLOW_ID, type DecodedTag } from './tag-trailer.ts';
import { ExampleCollector, finishResult, VERIFY_MODES, type VerifyResult } from './verify-result.ts';

export interface TagCheckOptions {
  /** Packets the replay sent (global sequence numbers 0 .. expectedCount-1). Default: highest tag + 1, so loss at the very end goes unseen. */
  expectedCount?: number;
  exampleLimit: number;
  onProgress?: (phase: 'capture', packets: number) => void;
}

/**
 * Checks a capture of a tagged replay from the capture alone: each frame's trailer carries
 * its global sequence number and flow, so order, loss and duplicates follow without the
 * trace. Frames without a trailer (the kernel's own traffic on a veth) count as unexpected.
 */
export async function checkTags(capture: AsyncIterable<PacketBatch>, options: TagCheckOptions): Promise<VerifyResult> {
  const examples = new ExampleCollector(options.exampleLimit);
  const tracker = new OrderTracker(examples);
  const seen = new SeqSet();
  const seqs = new GrowableArray(Float64Array, 1024);
  const flows = new GrowableArray(Uint32Array, 1024);
  const denseFlow = new Map<number, number>();
  const tag: DecodedTag = { flowId: 0, globalSeq: 0, flowSeq: 0 };
  const limit = options.expectedCount ?? Number.POSITIVE_INFINITY;
  let received = 0;
  let duplicates = 0;
  let unexpected = 0;
  let highest = -1;
  for await (const batch of capture) {
    for (let i = 0; i < batch.count; i++, received++) {
      if (!readTagTrailer(batch.data, batch.dataOffset[i]!, batch.capLen[i]!, tag) || tag.globalSeq >= limit) {
        unexpected++;
        examples.add('unexpected', received);
        continue;
      }
      if (!seen.add(tag.globalSeq)) {
        duplicates++;
        examples.add('duplicates', { received, expected: tag.globalSeq });
        continue;
      }
      const flow = tag.flowId === TAG_NON_IP_FLOW_ID ? NO_FLOW : denseId(denseFlow, tag.flowId);
      seqs.push(tag.globalSeq);
      flows.push(flow);
      tracker.observe(received, tag.globalSeq, flow);
      if (tag.globalSeq > highest) highest = tag.globalSeq;
    }
    options.onProgress?.('capture', received);
  }
  const expected = options.expectedCount ?? highest + 1;
  const seq = seqs.view();
  for (let place = 0; place < expected && examples.wants('missing'); place++) if (!seen.has(place)) examples.add('missing', place);
  return finishResult({
    mode: VERIFY_MODES.TAGS,
    expected,
    received,
    matched: seq.length,
    missing: expected - seq.length,
    duplicates,
    unexpected,
    outOfOrder: outOfOrderCount(seq, 0, seq.length, new Float64Array(seq.length)),
    flowOutOfOrder: flowOutOfOrderCount(seq, flows.view(), seq.length, denseFlow.size),
    flows: denseFlow.size,
    examples: examples.examples,
  });
}

function denseId(map: Map<number, number>, flowId: number): number {
  let id = map.get(flowId);
  if (id === undefined) {
    id = map.size;
    map.set(flowId, id);
  }
  return id;
}
