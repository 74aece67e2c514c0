/**
 * Counts of at most `capacity` distinct integer keys, in order of first appearance: the
 * shape of a flow's size atoms, flag mix and size buckets (a handful of keys each, so a
 * linear scan beats a Map and allocates nothing per packet).
 *
 * Typed arrays of fixed length, not growing JS arrays: a growing array changes its
 * elements kind (small integers, then doubles) and its storage as it fills, and every
 * such change sends the optimised per-packet code back to the interpreter (issue 4, train
 * speed). Keys are below 2^31 (sizes, flag bytes, bucket numbers); counts are exact doubles.
 */
export class SmallCounter {
  /** Keys 0 .. size-1 are in use. */
  size = 0;
  readonly keys: Int32Array;
  readonly counts: Float64Array;
  /** Index of the key last added: packets of a flow repeat sizes and flags in runs. */
  private last = 0;

  constructor(readonly capacity: number) {
    this.keys = new Int32Array(capacity);
    this.counts = new Float64Array(capacity);
  }

  /** Adds `weight` to `key`; false (nothing counted) when the key is new and the counter is full. */
  add(key: number, weight = 1): boolean {
    const keys = this.keys;
    const size = this.size;
    if (this.last < size && keys[this.last] === key) {
      this.counts[this.last]! += weight;
      return true;
    }
    for (let i = 0; i < size; i++) {
      if (keys[i] === key) {
        this.counts[i]! += weight;
        this.last = i;
        return true;
      }
    }
    if (size >= this.capacity) return false;
    keys[size] = key;
    this.counts[size] = weight;
    this.size = size + 1;
    return true;
  }

  /** Index of `key`, -1 when absent. */
  indexOf(key: number): number {
    for (let i = 0; i < this.size; i++) if (this.keys[i] === key) return i;
    return -1;
  }

  /** Index of the key with the smallest count (the earliest among ties), -1 when empty. */
  rarest(): number {
    const counts = this.counts;
    let best = -1;
    let least = 0;
    for (let i = 0; i < this.size; i++) {
      if (best < 0 || counts[i]! < least) {
        best = i;
        least = counts[i]!;
      }
    }
    return best;
  }
}
