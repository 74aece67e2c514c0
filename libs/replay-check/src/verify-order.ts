import { TraceReader, type TraceSource } from '@memoco/pcap';
import { compareWithTrace } from './verify-against.ts';
import { checkTags } from './verify-tags.ts';
import { parseVerifyOrderOptions, type VerifyOrderOptions } from './verify-order-options.ts';
import type { VerifyResult } from './verify-result.ts';

/**
 * Checks that a capture of a replay holds the replayed packets in the sequence-guaranteed
 * order (design: "every replay is verifiable"): against the trace itself (by packet bytes),
 * or from the sequence trailers a tagged replay wrote. Both inputs are streamed; memory is a
 * few typed-array entries per packet (about 50 bytes per trace packet, 16 per captured one).
 */
export async function verifyOrder(capture: TraceSource, options: VerifyOrderOptions): Promise<VerifyResult> {
  const parsed = parseVerifyOrderOptions(options);
  // The capture is only hashed or read for its trailer: no header decoding needed.
  const captured = new TraceReader(capture, { decode: false }).batches();
  if (parsed.mode === 'tags') {
    return checkTags(captured, { expectedCount: parsed.expectedCount, exampleLimit: parsed.exampleLimit, onProgress: parsed.onProgress });
  }
  // The trace is decoded for its flows (per-flow order).
  const trace = new TraceReader(parsed.against).batches();
  return compareWithTrace(captured, trace, { exampleLimit: parsed.exampleLimit, onProgress: parsed.onProgress });
}
