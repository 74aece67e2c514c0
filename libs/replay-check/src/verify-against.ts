import type { PacketBatch } from '@memoco/pcap';
import { GrowableArray } from './growable-array.ts';
import { HashQueueTable, TAKE } from './hash-queue-table.ts';
import { outOfOrderCount } from './longest-increasing.ts';
import { OrderTracker } from './order-tracker.ts';
import { hashPacketBytes } from './packet-hash.ts';
import { flowOutOfOrderCount, NO_FLOW } from './per-flow-order.ts';
import { ExampleCollector, finishResult, VERIFY_MODES, type VerifyResult } from './verify-result.ts';

export interface CompareOptions {
  /** Examples of each kind to keep (default 5). */
  exampleLimit: number;
  /** Called after each batch with the phase and the packets read so far in it. */
  onProgress?: (phase: 'trace' | 'capture', packets: number) => void;
}

/** The trace, indexed: content hash -> expected places, and each place's flow. */
interface ExpectedIndex {
  table: HashQueueTable;
  flowOf: Uint32Array;
  flowCount: number;
}

/**
 * Checks a capture against the trace it replays by packet BYTES (link type ignored: a Linux
 * SLL trace replayed through net_pcap is captured as Ethernet with the same bytes). The
 * trace's order is the expected order; each received packet is matched to a not yet matched
 * expected packet with the same content (for identical copies, the one nearest the highest
 * place matched so far), so identical packets sent several times are matched one for one.
 */
export async function compareWithTrace(capture: AsyncIterable<PacketBatch>, trace: AsyncIterable<PacketBatch>, options: CompareOptions): Promise<VerifyResult> {
  const index = await indexTrace(trace, options);
  const expected = index.table.size;
  const examples = new ExampleCollector(options.exampleLimit);
  const tracker = new OrderTracker(examples, index.flowCount);
  const matchedSeq = new GrowableArray(Int32Array, 1024);
  const matchedFlag = new Uint8Array(expected);
  const hash = new Uint32Array(2);
  const taken = new Int32Array(1);
  let received = 0;
  let duplicates = 0;
  let unexpected = 0;
  let cursor = -1; // highest place matched so far
  for await (const batch of capture) {
    for (let i = 0; i < batch.count; i++, received++) {
      hashPacketBytes(batch.data, batch.dataOffset[i]!, batch.capLen[i]!, hash);
      const found = index.table.take(hash[0]!, hash[1]!, cursor, taken);
      if (found === TAKE.MATCHED) {
        const place = taken[0]!;
        matchedSeq.push(place);
        matchedFlag[place] = 1;
        if (place > cursor) cursor = place;
        tracker.observe(received, place, index.flowOf[place]!);
      } else if (found === TAKE.EXHAUSTED) {
        duplicates++;
        examples.add('duplicates', { received, expected: index.table.lastTaken() });
      } else {
        unexpected++;
        examples.add('unexpected', received);
      }
    }
    options.onProgress?.('capture', received);
  }
  const seq = matchedSeq.view();
  const flows = flowsOfMatched(seq, index.flowOf);
  for (let place = 0; place < expected && examples.wants('missing'); place++) if (!matchedFlag[place]) examples.add('missing', place);
  return finishResult({
    mode: VERIFY_MODES.AGAINST,
    expected,
    received,
    matched: seq.length,
    missing: expected - seq.length,
    duplicates,
    unexpected,
    outOfOrder: outOfOrderCount(seq, 0, seq.length, new Int32Array(seq.length)),
    flowOutOfOrder: flowOutOfOrderCount(seq, flows, seq.length, index.flowCount),
    flows: index.flowCount,
    examples: examples.examples,
  });
}

async function indexTrace(trace: AsyncIterable<PacketBatch>, options: CompareOptions): Promise<ExpectedIndex> {
  const table = new HashQueueTable();
  const flowOf = new GrowableArray(Uint32Array, 1024);
  const hash = new Uint32Array(2);
  let flowCount = 0;
  for await (const batch of trace) {
    for (let i = 0; i < batch.count; i++) {
      hashPacketBytes(batch.data, batch.dataOffset[i]!, batch.capLen[i]!, hash);
      table.append(hash[0]!, hash[1]!);
      const flow = batch.flowId[i]!;
      flowOf.push(flow);
      if (flow !== NO_FLOW && flow >= flowCount) flowCount = flow + 1;
    }
    options.onProgress?.('trace', table.size);
  }
  table.seal();
  return { table, flowOf: flowOf.view(), flowCount };
}

function flowsOfMatched(seq: Int32Array, flowOf: Uint32Array): Uint32Array {
  const flows = new Uint32Array(seq.length);
  for (let i = 0; i < seq.length; i++) flows[i] = flowOf[seq[i]!]!;
  return flows;
}

