/**
 * Which direction each packet of an instance takes (docs/flow-models.md, "Expansion"): no
 * randomness, so every regenerated flow has exactly its model's direction mix. Packet 0
 * goes forward (it opened the flow); among packets 1 .. n-1 the n1 reverse ones are spread
 * evenly, Bresenham-style, with phase (n-1) - n1 so that packet 1 is a reply when the flow
 * has replies at all (the SYN-ACK after a SYN):
 *
 *   reverseBefore(j) = floor(((j-1) * n1 + (n-1-n1)) / (n-1))   for j >= 2, else 0
 *   direction(j)     = reverseBefore(j+1) - reverseBefore(j)
 *
 * Exact integer arithmetic: the numerator stays below n^2, so uint64_t in C++ for any
 * n < 2^32; here float64 below 2^53 and BigInt beyond.
 */
const SAFE = 2 ** 53;

function floorMulAddDiv(a: number, b: number, c: number, d: number): number {
  const product = a * b;
  if (product + c < SAFE) return Math.floor((product + c) / d);
  return Number((BigInt(a) * BigInt(b) + BigInt(c)) / BigInt(d));
}

/** Reverse-direction packets among indices [0, j) of an instance with n packets, n1 of them reverse. */
export function reverseBefore(j: number, n: number, n1: number): number {
  if (j <= 1 || n1 <= 0 || n <= 1) return 0;
  return floorMulAddDiv(j - 1, n1, n - 1 - n1, n - 1);
}

export function directionOf(j: number, n: number, n1: number): number {
  if (j === 0) return 0;
  return reverseBefore(j + 1, n, n1) - reverseBefore(j, n, n1);
}

/** Packets of direction d among indices [0, j). */
export function directionBefore(d: number, j: number, n: number, n1: number): number {
  const reverse = reverseBefore(j, n, n1);
  return d === 1 ? reverse : j - reverse;
}
