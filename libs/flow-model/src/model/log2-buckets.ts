/**
 * Fixed log2 buckets shared by training and regeneration.
 *
 * Gap buckets (intra-flow inter-arrival times, ns): bucket 0 is [0, 1024); bucket i in
 * 1..31 is [2^(9+i), 2^(10+i)), the last one also taking everything longer.
 *
 * Count buckets (member flow sizes, packets): bucket j is [2^j, 2^(j+1)), j in 0..40.
 */
export const GAP_BUCKETS = 32;
export const COUNT_BUCKETS = 41;

export function floorLog2(value: number): number {
  if (value < 1) return -1;
  if (value < 4294967296) return 31 - Math.clz32(value);
  return 32 + floorLog2(Math.floor(value / 4294967296));
}

export function gapBucket(gapNs: number): number {
  if (gapNs < 1024) return 0;
  return Math.min(GAP_BUCKETS - 1, floorLog2(gapNs) - 9);
}

/** [lo, lo + span) of a gap bucket, ns. */
export function gapBucketRange(bucket: number): { lo: number; span: number } {
  if (bucket === 0) return { lo: 0, span: 1024 };
  const lo = 2 ** (9 + bucket);
  return { lo, span: lo };
}

export function countBucket(count: number): number {
  return Math.min(COUNT_BUCKETS - 1, Math.max(0, floorLog2(count)));
}

export function countBucketRange(bucket: number): { lo: number; span: number } {
  const lo = 2 ** bucket;
  return { lo, span: lo };
}
