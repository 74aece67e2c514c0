/**
 * A flow's packet counts over time with bounded memory (issue 4: "from running sufficient
 * statistics so memory does not grow with the trace's length"). Bins of 2^shift time bins
 * from `anchor` (the flow's first bin); when a packet falls beyond `maxBins` histogram bins
 * the histogram halves its resolution by summing neighbours. For the piecewise-constant basis
 * these counts are exactly X^T y, and merging keeps them exact (ridge-fit.ts).
 */
export class TimeHistogram {
  shift = 0;
  counts: number[] = [];

  constructor(
    readonly anchor: number,
    readonly maxBins: number,
  ) {}

  /** Bins of the original resolution per histogram bin. */
  get width(): number {
    return 2 ** this.shift;
  }

  add(bin: number, weight = 1): void {
    const offset = bin > this.anchor ? bin - this.anchor : 0;
    let k = Math.floor(offset / this.width);
    while (k >= this.maxBins) {
      this.halve();
      k = Math.floor(offset / this.width);
    }
    while (this.counts.length <= k) this.counts.push(0);
    this.counts[k]! += weight;
  }

  /** Doubles the bin width (sums neighbour pairs). */
  halve(): void {
    const next: number[] = [];
    for (let i = 0; i < this.counts.length; i += 2) next.push(this.counts[i]! + (this.counts[i + 1] ?? 0));
    this.counts = next;
    this.shift++;
  }

  /** Halves until at most `bins` histogram bins remain. */
  coarsenTo(bins: number): void {
    while (this.counts.length > bins) this.halve();
  }
}
