import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { longestIncreasingLength, outOfOrderCount } from './longest-increasing.ts';
import { flowOutOfOrderCount, NO_FLOW } from './per-flow-order.ts';

/** The O(n^2) textbook DP, as the reference. */
function lisReference(values: number[]): number {
  const best = values.map(() => 1);
  for (let i = 0; i < values.length; i++) for (let j = 0; j < i; j++) if (values[j]! < values[i]!) best[i] = Math.max(best[i]!, best[j]! + 1);
  return Math.max(0, ...best);
}

const lis = (values: number[]) => longestIncreasingLength(Int32Array.from(values), 0, values.length, new Int32Array(values.length));

describe('longestIncreasingLength', () => {
  it('counts one late packet as one, however many it was passed by', () => {
    expect(outOfOrderCount(Int32Array.from([1, 2, 3, 4, 5, 0]), 0, 6, new Int32Array(6))).toBe(1);
    expect(outOfOrderCount(Int32Array.from([5, 0, 1, 2, 3, 4]), 0, 6, new Int32Array(6))).toBe(1);
    expect(outOfOrderCount(Int32Array.from([1, 0, 3, 2, 5, 4]), 0, 6, new Int32Array(6))).toBe(3);
  });

  it('is strict: equal values do not extend the sequence', () => {
    expect(lis([2, 2, 2])).toBe(1);
  });

  it('agrees with the quadratic reference on random sequences', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 50 }), { maxLength: 60 }), (values) => lis(values) === lisReference(values)));
  });

  it('works on a sub-range and on Float64 values beyond 2^32', () => {
    const seq = Float64Array.from([9, 2 ** 40 + 1, 2 ** 40, 2 ** 40 + 2, 0]);
    expect(longestIncreasingLength(seq, 1, 4, new Float64Array(3))).toBe(2);
  });
});

describe('flowOutOfOrderCount', () => {
  it('counts order within each flow only, and leaves non-IP packets out', () => {
    // Flow 0 gets 0,2,4 in order; flow 1 gets 3 before 1: one late packet. Flows interleave freely.
    const seq = Int32Array.from([3, 0, 2, 1, 4, 6, 5]);
    const flows = Uint32Array.from([1, 0, 0, 1, 0, NO_FLOW, NO_FLOW]);
    expect(flowOutOfOrderCount(seq, flows, seq.length, 2)).toBe(1);
    expect(outOfOrderCount(seq, 0, seq.length, new Int32Array(seq.length))).toBe(3);
  });

  it('is never more than the global count', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 200 }), { maxLength: 80 }), fc.integer({ min: 1, max: 5 }), (values, flowCount) => {
        const seq = Int32Array.from(values);
        const flows = Uint32Array.from(values.map((v) => v % flowCount));
        return flowOutOfOrderCount(seq, flows, seq.length, flowCount) <= outOfOrderCount(seq, 0, seq.length, new Int32Array(seq.length));
      }),
    );
  });
});
