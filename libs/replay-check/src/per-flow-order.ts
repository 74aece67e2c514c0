import { outOfOrderCount } from './longest-increasing.ts';

type Sequence = Int32Array | Float64Array;

/** Flow number of packets that belong to no flow (non-IP): they are left out of per-flow order. */
export const NO_FLOW = 0xffffffff;

/**
 * Sum over flows of the out-of-order count within each flow: the sequence guarantee's weaker
 * form (per-flow order), which holds even when cores interleave flows differently.
 * `flows[i]` is a dense flow number (< flowCount) or NO_FLOW. A counting sort groups the
 * values by flow keeping their received order, so the whole pass is O(n log n) with two
 * arrays of n as its memory.
 */
export function flowOutOfOrderCount(seq: Sequence, flows: Uint32Array, count: number, flowCount: number): number {
  const starts = new Uint32Array(flowCount + 1);
  for (let i = 0; i < count; i++) {
    const flow = flows[i]!;
    if (flow !== NO_FLOW) starts[flow + 1]!++;
  }
  for (let f = 0; f < flowCount; f++) starts[f + 1]! += starts[f]!;
  const grouped = new (seq.constructor as new (n: number) => Sequence)(starts[flowCount]!);
  const fill = starts.slice(0, flowCount);
  for (let i = 0; i < count; i++) {
    const flow = flows[i]!;
    if (flow !== NO_FLOW) grouped[fill[flow]!++] = seq[i]!;
  }
  const tails = new (seq.constructor as new (n: number) => Sequence)(grouped.length);
  let total = 0;
  for (let f = 0; f < flowCount; f++) total += outOfOrderCount(grouped, starts[f]!, starts[f + 1]!, tails);
  return total;
}
