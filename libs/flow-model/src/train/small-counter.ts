/**
 * Many small counters of at most `stride` distinct integer keys each, in order of first
 * appearance: the shape of a flow direction's size atoms, flag mix and size buckets (a
 * handful of keys each, so a linear scan beats a Map). Counter c holds keys
 * keys[c*stride .. c*stride + sizes[c]).
 *
 * One pool of typed arrays for all flows, not an object and two arrays per flow: the
 * trainer meets thousands of flows, and per-flow allocations cost garbage collection in the
 * pass and interpreted code in finish() (issue 4, train speed). Keys are below 2^31
 * (sizes, flag bytes, bucket numbers); counts are exact doubles.
 */
/** One: a pool grows from its second counter on, early (flow-stats.ts `grow` says why). */
const INITIAL_COUNTERS = 1;

export class SmallCounters {
  /** Counters handed out (indices 0 .. used-1). */
  used = 0;
  keys: Int32Array;
  counts: Float64Array;
  sizes: Uint8Array;

  constructor(readonly stride: number, counters = INITIAL_COUNTERS) {
    // Stored twice: V8 treats a field written once as a constant, and the first time
    // `reserve` replaces it (long into a trace) it throws away the code that relied on that.
    this.keys = new Int32Array(0);
    this.counts = new Float64Array(0);
    this.sizes = new Uint8Array(0);
    this.keys = new Int32Array(counters * stride);
    this.counts = new Float64Array(counters * stride);
    this.sizes = new Uint8Array(counters);
  }

  /** A new empty counter. */
  allocate(): number {
    if (this.used === this.sizes.length) this.reserve(Math.max(INITIAL_COUNTERS, this.used * 2));
    return this.used++;
  }

  /** Makes room for counters 0 .. counters-1 (counters indexed by something else, such as a flow direction). */
  reserve(counters: number): void {
    if (counters <= this.sizes.length) return;
    const keys = new Int32Array(counters * this.stride);
    const counts = new Float64Array(counters * this.stride);
    const sizes = new Uint8Array(counters);
    keys.set(this.keys);
    counts.set(this.counts);
    sizes.set(this.sizes);
    this.keys = keys;
    this.counts = counts;
    this.sizes = sizes;
  }

  /** Adds `weight` to `key` in counter c; false (nothing counted) when the key is new and the counter is full. */
  add(c: number, key: number, weight: number): boolean {
    const base = c * this.stride;
    const size = this.sizes[c]!;
    const keys = this.keys;
    for (let at = base; at < base + size; at++) {
      if (keys[at] === key) {
        this.counts[at]! += weight;
        return true;
      }
    }
    if (size >= this.stride) return false;
    keys[base + size] = key;
    this.counts[base + size] = weight;
    this.sizes[c] = size + 1;
    return true;
  }

  /** Position of `key` within counter c, -1 when absent. */
  indexOf(c: number, key: number): number {
    const base = c * this.stride;
    for (let i = 0; i < this.sizes[c]!; i++) if (this.keys[base + i] === key) return i;
    return -1;
  }
}
