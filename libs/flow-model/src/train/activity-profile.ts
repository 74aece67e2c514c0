/**
 * The trace's aggregate packet count per time bin, kept at the finest resolution that fits
 * `maxEntries` values: when the trace outgrows it, neighbouring entries are summed and each
 * entry covers twice as many bins (memory stays bounded however long the trace). It becomes
 * the model's activity profile r (count-graph.ts), the burst model of docs/flow-models.md.
 */
export class ActivityProfile {
  shift = 0;
  /** Bins per entry (2^shift). `counts` and `width` are read by the trainer's per-packet loop. */
  width = 1;
  /** From one entry, so that growing first happens at the trace's second bin (flow-stats.ts `grow` says why). */
  counts = new Float64Array(1);

  constructor(readonly maxEntries: number) {}

  add(bin: number, weight = 1): void {
    let index = Math.floor(bin / this.width);
    while (index >= this.maxEntries) {
      this.halve();
      index = Math.floor(bin / this.width);
    }
    if (index >= this.counts.length) {
      const grown = new Float64Array(Math.min(this.maxEntries, Math.max(index + 1, this.counts.length * 2)));
      grown.set(this.counts);
      this.counts = grown;
    }
    this.counts[index]! += weight;
  }

  halve(): void {
    // Entries up to the last one holding packets (the per-packet loop does not track it).
    let used = this.counts.length;
    while (used > 0 && this.counts[used - 1] === 0) used--;
    const half = Math.ceil(used / 2);
    for (let i = 0; i < half; i++) this.counts[i] = this.counts[2 * i]! + (2 * i + 1 < used ? this.counts[2 * i + 1]! : 0);
    this.counts.fill(0, half);
    this.shift++;
    this.width *= 2;
  }

  /** Entries covering `windowBins` bins at the current resolution (a copy). */
  entries(windowBins: number): Float64Array {
    const length = Math.ceil(windowBins / 2 ** this.shift);
    const out = new Float64Array(length);
    out.set(this.counts.subarray(0, Math.min(length, this.counts.length)));
    return out;
  }
}
