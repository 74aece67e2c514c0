/**
 * A flow's packet counts over time with bounded memory (issue 4: "from running sufficient
 * statistics so memory does not grow with the trace's length"). Bins of 2^shift time bins
 * from `anchor` (the flow's first bin); when a packet falls beyond `maxBins` histogram bins
 * the histogram halves its resolution by summing neighbours. For the piecewise-constant basis
 * these counts are exactly X^T y, and merging keeps them exact (ridge-fit.ts).
 *
 * Stored sparsely (ascending bin indices with their counts): memory follows the bins that
 * hold packets, at most min(packets, maxBins), so a long-lived flow with a few packets costs
 * a few numbers however fine the resolution. Plain arrays (allocated on the JS heap, growing
 * cheaply) of one fixed elements kind each: indices are small integers, counts always doubles
 * (`doubles()`), so the code that reads them never meets a second kind and deoptimises.
 */
/** An empty array whose elements kind is already "doubles". */
function doubles(): number[] {
  const a = [0.5];
  a.pop();
  return a;
}

export class TimeHistogram {
  shift = 0;
  /** Bins of the original resolution per histogram bin (2^shift, kept to spare a power per packet). */
  width = 1;
  /** Occupied histogram bins, ascending, and their packets (read only outside). */
  keys: number[] = [];
  values: number[] = doubles();

  constructor(
    readonly anchor: number,
    readonly maxBins: number,
  ) {}

  /** A histogram of `counts` given per bin of 2^shift bins from `anchor` (zeros skipped). */
  static fromDense(anchor: number, maxBins: number, shift: number, counts: Float64Array): TimeHistogram {
    const h = new TimeHistogram(anchor, maxBins);
    h.shift = shift;
    h.width = 2 ** shift;
    for (let k = 0; k < counts.length; k++) {
      if (counts[k]! > 0) {
        h.keys.push(k);
        h.values.push(counts[k]!);
      }
    }
    return h;
  }

  /** A histogram of occupied bins keys[from, to) with their values (ascending keys; a native pass's, packet-pass.ts). */
  static fromSparse(anchor: number, maxBins: number, shift: number, keys: ArrayLike<number>, values: ArrayLike<number>, from: number, to: number): TimeHistogram {
    const h = new TimeHistogram(anchor, maxBins);
    h.shift = shift;
    h.width = 2 ** shift;
    for (let i = from; i < to; i++) {
      h.keys.push(keys[i]!);
      h.values.push(values[i]!);
    }
    return h;
  }

  /** Histogram bins from the anchor to the last one holding packets. */
  get length(): number {
    return this.keys.length === 0 ? 0 : this.keys[this.keys.length - 1]! + 1;
  }

  add(bin: number, weight = 1): void {
    const offset = bin > this.anchor ? bin - this.anchor : 0;
    let k = Math.floor(offset / this.width);
    while (k >= this.maxBins) {
      this.halve();
      k = Math.floor(offset / this.width);
    }
    const keys = this.keys;
    const last = keys.length - 1;
    if (last < 0 || k > keys[last]!) {
      keys.push(k);
      this.values.push(weight);
    } else if (k === keys[last]) {
      this.values[last]! += weight;
    } else {
      this.insert(k, weight);
    }
  }

  /** A packet earlier than the latest one (captures are sometimes out of order). */
  private insert(k: number, weight: number): void {
    let lo = 0;
    let hi = this.keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.keys[mid]! < k) lo = mid + 1;
      else hi = mid;
    }
    if (this.keys[lo] === k) this.values[lo]! += weight;
    else {
      this.keys.splice(lo, 0, k);
      this.values.splice(lo, 0, weight);
    }
  }

  /** Doubles the bin width (sums neighbour pairs), in place. */
  halve(): void {
    const keys = this.keys;
    const values = this.values;
    let n = 0;
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i]! >>> 1;
      if (n > 0 && keys[n - 1] === k) values[n - 1]! += values[i]!;
      else {
        keys[n] = k;
        values[n++] = values[i]!;
      }
    }
    keys.length = n;
    values.length = n;
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
    for (let i = 0; i < this.keys.length; i++) out[this.keys[i]!] = this.values[i]!;
    return out;
  }
}
