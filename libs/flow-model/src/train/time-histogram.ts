/**
 * A flow's packet counts over time with bounded memory (issue 4: "from running sufficient
 * statistics so memory does not grow with the trace's length"). Bins of 2^shift time bins
 * from `anchor` (the flow's first bin); when a packet falls beyond `maxBins` histogram bins
 * the histogram halves its resolution by summing neighbours. For the piecewise-constant basis
 * these counts are exactly X^T y, and merging keeps them exact (ridge-fit.ts).
 *
 * Stored sparsely (ascending bin indices with their counts): memory follows the bins that
 * hold packets, at most min(packets, maxBins), so a long-lived flow with a few packets costs
 * a few numbers however fine the resolution. The indices and counts live in typed arrays
 * that double when full and are halved in place: no elements-kind changes or garbage on the
 * trainer's per-run path (small-counter.ts says why that matters).
 */
const INITIAL_CAPACITY = 4;

export class TimeHistogram {
  shift = 0;
  /** Bins of the original resolution per histogram bin (2^shift, kept to spare a power per packet). */
  width = 1;
  /** Occupied histogram bins 0 .. size-1: `keys` ascending, `values` their packets (read only outside). */
  size = 0;
  keys: Int32Array;
  values: Float64Array;

  constructor(
    readonly anchor: number,
    readonly maxBins: number,
    capacity = INITIAL_CAPACITY,
  ) {
    this.keys = new Int32Array(capacity);
    this.values = new Float64Array(capacity);
  }

  /** A histogram of `counts` given per bin of 2^shift bins from `anchor` (zeros skipped). */
  static fromDense(anchor: number, maxBins: number, shift: number, counts: Float64Array): TimeHistogram {
    let occupied = 0;
    for (let k = 0; k < counts.length; k++) if (counts[k]! > 0) occupied++;
    const h = new TimeHistogram(anchor, maxBins, Math.max(1, occupied));
    h.shift = shift;
    h.width = 2 ** shift;
    let n = 0;
    for (let k = 0; k < counts.length; k++) {
      if (counts[k]! > 0) {
        h.keys[n] = k;
        h.values[n++] = counts[k]!;
      }
    }
    h.size = n;
    return h;
  }

  /** Histogram bins from the anchor to the last one holding packets. */
  get length(): number {
    return this.size === 0 ? 0 : this.keys[this.size - 1]! + 1;
  }

  add(bin: number, weight = 1): void {
    const offset = bin > this.anchor ? bin - this.anchor : 0;
    let k = Math.floor(offset / this.width);
    while (k >= this.maxBins) {
      this.halve();
      k = Math.floor(offset / this.width);
    }
    const last = this.size - 1;
    if (last < 0 || k > this.keys[last]!) this.append(k, weight);
    else if (k === this.keys[last]) this.values[last]! += weight;
    else this.insert(k, weight);
  }

  private append(k: number, weight: number): void {
    if (this.size === this.keys.length) this.grow();
    this.keys[this.size] = k;
    this.values[this.size++] = weight;
  }

  private grow(): void {
    const keys = new Int32Array(this.keys.length * 2);
    const values = new Float64Array(this.keys.length * 2);
    keys.set(this.keys);
    values.set(this.values);
    this.keys = keys;
    this.values = values;
  }

  /** A packet earlier than the latest one (captures are sometimes out of order). */
  private insert(k: number, weight: number): void {
    let lo = 0;
    let hi = this.size;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.keys[mid]! < k) lo = mid + 1;
      else hi = mid;
    }
    if (this.keys[lo] === k) {
      this.values[lo]! += weight;
      return;
    }
    if (this.size === this.keys.length) this.grow();
    this.keys.copyWithin(lo + 1, lo, this.size);
    this.values.copyWithin(lo + 1, lo, this.size);
    this.keys[lo] = k;
    this.values[lo] = weight;
    this.size++;
  }

  /** Doubles the bin width (sums neighbour pairs), in place. */
  halve(): void {
    const keys = this.keys;
    const values = this.values;
    let n = 0;
    for (let i = 0; i < this.size; i++) {
      const k = keys[i]! >>> 1;
      if (n > 0 && keys[n - 1] === k) values[n - 1]! += values[i]!;
      else {
        keys[n] = k;
        values[n++] = values[i]!;
      }
    }
    this.size = n;
    this.shift++;
    this.width *= 2;
  }

  /** Halves until at most `bins` histogram bins remain. */
  coarsenTo(bins: number): void {
    while (this.length > bins) this.halve();
  }

  /** Dense counts of bins 0 .. length-1. */
  dense(): Float64Array {
    const out = new Float64Array(this.length);
    for (let i = 0; i < this.size; i++) out[this.keys[i]!] = this.values[i]!;
    return out;
  }
}
