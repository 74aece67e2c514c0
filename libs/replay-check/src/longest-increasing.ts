type Sequence = Int32Array | Uint32Array | Float64Array;

/**
 * Length of the longest strictly increasing subsequence of seq[start .. end), by patience
 * sorting: O(n log n) time, and `tails` (at least end - start long) as the only memory.
 * `length - LIS` is the fewest packets whose removal leaves the rest in order: the
 * out-of-order count verify-order reports (one late packet counts 1, not the many it passed).
 */
export function longestIncreasingLength(seq: Sequence, start: number, end: number, tails: Sequence): number {
  let length = 0;
  for (let i = start; i < end; i++) {
    const value = seq[i]!;
    // First tail >= value: replace it (keeps tails minimal); none: extend.
    let lo = 0;
    let hi = length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (tails[mid]! < value) lo = mid + 1;
      else hi = mid;
    }
    tails[lo] = value;
    if (lo === length) length++;
  }
  return length;
}

/** Packets out of order in seq[start .. end): how many must go for the rest to be increasing. */
export function outOfOrderCount(seq: Sequence, start: number, end: number, tails: Sequence): number {
  return end - start - longestIncreasingLength(seq, start, end, tails);
}
