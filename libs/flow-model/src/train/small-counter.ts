/**
 * Counts of at most `capacity` distinct integer keys, in order of first appearance: the
 * shape of a flow's size atoms, flag mix and size buckets (a handful of keys each, so a
 * linear scan beats a Map and allocates nothing per packet).
 */
export class SmallCounter {
  keys: number[] = [];
  counts: number[] = [];
  /** Index of the key last added: packets of a flow repeat sizes and flags in runs. */
  private last = 0;

  constructor(readonly capacity: number) {}

  /** Adds `weight` to `key`; false (nothing counted) when the key is new and the counter is full. */
  add(key: number, weight = 1): boolean {
    const keys = this.keys;
    if (keys[this.last] === key) {
      this.counts[this.last]! += weight;
      return true;
    }
    for (let i = 0; i < keys.length; i++) {
      if (keys[i] === key) {
        this.counts[i]! += weight;
        this.last = i;
        return true;
      }
    }
    if (keys.length >= this.capacity) return false;
    keys.push(key);
    this.counts.push(weight);
    return true;
  }

  /** Removes `weight` from `key` if present (never below 0). */
  remove(key: number, weight = 1): void {
    const i = this.keys.indexOf(key);
    if (i >= 0) this.counts[i] = Math.max(0, this.counts[i]! - weight);
  }

  /** Index of the key with the smallest count (the earliest among ties), -1 when empty. */
  rarest(): number {
    let best = -1;
    for (let i = 0; i < this.counts.length; i++) if (best < 0 || this.counts[i]! < this.counts[best]!) best = i;
    return best;
  }

  get total(): number {
    let sum = 0;
    for (const c of this.counts) sum += c;
    return sum;
  }

  /** Adds every key of `other` (keys that do not fit are dropped and returned as a count). */
  merge(other: SmallCounter): number {
    let dropped = 0;
    for (let i = 0; i < other.keys.length; i++) if (!this.add(other.keys[i]!, other.counts[i]!)) dropped += other.counts[i]!;
    return dropped;
  }
}
