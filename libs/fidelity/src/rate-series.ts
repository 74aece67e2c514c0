/**
 * Aggregate packet rate of a trace as counts per fixed bin from its first IP packet, and the
 * normalised RMSE between two such series (design.md: "aggregate packet-rate NRMSE at
 * 10 ms, 100 ms and 1 s bins"): sqrt(mean((o - c)^2)) / mean(o), both series over
 * max(length) bins, the shorter one padded with zeros.
 */
export const RATE_BINS = { '10ms': 10e6, '100ms': 100e6, '1s': 1e9 } as const;
export type RateBin = keyof typeof RATE_BINS;

/** Packets per bin of `widthNs` of ascending relative times (ns), over `bins` bins. */
export function rateSeries(times: Float64Array, widthNs: number, bins: number): Float64Array {
  const series = new Float64Array(bins);
  for (const t of times) {
    const b = Math.floor(t / widthNs);
    if (b < bins) series[b]! += 1;
  }
  return series;
}

export function binsCovering(times: Float64Array, widthNs: number): number {
  return times.length === 0 ? 0 : Math.floor(times[times.length - 1]! / widthNs) + 1;
}

export function nrmse(original: Float64Array, candidate: Float64Array): number {
  const n = Math.max(original.length, candidate.length);
  if (n === 0) return 0;
  let squared = 0;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const o = original[i] ?? 0;
    const c = candidate[i] ?? 0;
    squared += (o - c) ** 2;
    sum += o;
  }
  const mean = sum / n;
  return mean > 0 ? Math.sqrt(squared / n) / mean : Number.NaN;
}

/** NRMSE of the two traces' rate series at `widthNs`. */
export function rateNrmse(original: Float64Array, candidate: Float64Array, widthNs: number): number {
  const bins = Math.max(binsCovering(original, widthNs), binsCovering(candidate, widthNs));
  return nrmse(rateSeries(original, widthNs, bins), rateSeries(candidate, widthNs, bins));
}
