/**
 * Percentiles from the native lateness histogram (lateness-histogram.h: log2 buckets of ns
 * with 8 linear sub-buckets each). A percentile is reported as the middle of its bucket
 * (about +-5%), never above the exact maximum.
 */
export interface LatenessSummary {
  p50Us: number;
  p99Us: number;
  maxUs: number;
}

function bucketUpper(lowerNs: number): number {
  if (lowerNs < 8) return lowerNs + 1;
  const msb = Math.floor(Math.log2(lowerNs));
  return lowerNs + 2 ** (msb - 3);
}

export function latenessSummary(buckets: readonly (readonly [number, number])[], maxNs: number): LatenessSummary {
  const total = buckets.reduce((sum, [, n]) => sum + n, 0);
  const at = (q: number): number => {
    if (total === 0) return 0;
    const rank = Math.ceil(q * total);
    let seen = 0;
    for (const [lower, n] of buckets) {
      seen += n;
      if (seen >= rank) return Math.min((lower + bucketUpper(lower)) / 2, maxNs);
    }
    return maxNs;
  };
  const us = (ns: number) => Math.round(ns / 10) / 100;
  return { p50Us: us(at(0.5)), p99Us: us(at(0.99)), maxUs: us(maxNs) };
}
