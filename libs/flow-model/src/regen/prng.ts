/**
 * The random numbers of regeneration (issue 4: "deterministic for a given seed"). The native
 * engine reproduces these bit for bit, so everything is 32-bit integer arithmetic that C++
 * writes the same way (uint32_t with wrap-around; `Math.imul` is a 32-bit multiply).
 *
 * - `fmix32`: MurmurHash3's finaliser, a bijection on uint32 that mixes every input bit.
 * - `streamKey(seed, a, b)`: the key of one independent stream, e.g. (instance, absolute bin):
 *   fmix32(fmix32(fmix32(seed ^ 0x9E3779B9) ^ a) + b). Streams are keyed rather than drawn
 *   from one global generator so that any core can expand any (flow, bin) on its own and
 *   still produce exactly the packets a single core would.
 * - `Xoshiro128ss`: xoshiro128** 1.1 (Blackman & Vigna), state filled by four SplitMix32
 *   outputs of the key (SplitMix32 = Weyl step 0x9E3779B9, then fmix32-style mixing).
 * - `mulHi32(u, range)`: floor(u * range / 2^32) for u, range < 2^32, computed exactly in
 *   float64 by splitting `range` in 16-bit halves (C++: (uint64_t)u * range >> 32).
 */

export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export function streamKey(seed: number, a: number, b: number): number {
  const k0 = fmix32((seed ^ 0x9e3779b9) >>> 0);
  const k1 = fmix32((k0 ^ a) >>> 0);
  return fmix32((k1 + b) >>> 0);
}

export function mulHi32(u: number, range: number): number {
  const high = u * (range >>> 16);
  const low = u * (range & 0xffff);
  const highTop = Math.floor(high / 65536);
  const highBottom = high - highTop * 65536;
  return highTop + Math.floor((highBottom * 65536 + low) / 4294967296);
}

export class Xoshiro128ss {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;

  constructor(key = 0) {
    this.reseed(key);
  }

  /** Restarts the generator on the stream of `key` (no allocation: the expander reuses one). */
  reseed(key: number): void {
    let x = key >>> 0;
    const next = () => {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** The next uint32. */
  next(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /**
   * A uniform integer in [0, range) for 0 <= range < 2^32; 0 when range is 0 or 1. Always
   * consumes exactly one draw, so the stream's position never depends on the range.
   */
  below(range: number): number {
    return mulHi32(this.next(), range);
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
