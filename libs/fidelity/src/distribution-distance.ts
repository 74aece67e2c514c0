/**
 * Distances between two empirical distributions (docs/fidelity.md):
 * - `emd1d`: the earth mover's (Wasserstein-1) distance of two weighted samples on a line,
 *   = integral of |F_a(x) - F_b(x)| dx, computed exactly by walking both sorted supports
 *   (what scipy.stats.wasserstein_distance, used by NetShare, computes);
 * - `jsd`: Jensen-Shannon divergence in bits (base 2, so 0 <= JSD <= 1) of two count vectors
 *   over the same categories;
 * - `autoBinEdges` + `binnedJsd`: NetShare's JSD of a continuous field: histogram bins fitted
 *   to the ORIGINAL values by numpy 1.x's 'auto' rule (the narrower of Freedman-Diaconis and
 *   Sturges; numpy >= 2.1 widens FD bins to at least half the sqrt rule's, which NetShare
 *   did not have), the candidate counted in the same bins plus an under- and an overflow bin.
 */

export interface WeightedSample {
  /** Ascending distinct values. */
  values: Float64Array;
  weights: Float64Array;
}

/** A sample from a value -> count map. */
export function sampleOfCounts(counts: ReadonlyMap<number, number>): WeightedSample {
  const values = Float64Array.from(counts.keys()).sort();
  const weights = new Float64Array(values.length);
  values.forEach((v, i) => (weights[i] = counts.get(v)!));
  return { values, weights };
}

/** A sample from raw values (sorted in place), each with weight 1. */
export function sampleOfValues(values: Float64Array): WeightedSample {
  values.sort();
  return { values, weights: new Float64Array(values.length).fill(1) };
}

function total(weights: Float64Array): number {
  let s = 0;
  for (const w of weights) s += w;
  return s;
}

export function emd1d(a: WeightedSample, b: WeightedSample): number {
  const ta = total(a.weights);
  const tb = total(b.weights);
  if (ta === 0 || tb === 0) return ta === tb ? 0 : Number.NaN;
  let i = 0;
  let j = 0;
  let fa = 0;
  let fb = 0;
  let distance = 0;
  let x = Math.min(a.values[0] ?? Infinity, b.values[0] ?? Infinity);
  while (i < a.values.length || j < b.values.length) {
    const next = Math.min(i < a.values.length ? a.values[i]! : Infinity, j < b.values.length ? b.values[j]! : Infinity);
    distance += Math.abs(fa - fb) * (next - x);
    x = next;
    while (i < a.values.length && a.values[i] === next) fa += a.weights[i++]! / ta;
    while (j < b.values.length && b.values[j] === next) fb += b.weights[j++]! / tb;
  }
  return distance;
}

export function jsd(p: ArrayLike<number>, q: ArrayLike<number>): number {
  let sp = 0;
  let sq = 0;
  for (let i = 0; i < p.length; i++) {
    sp += p[i]!;
    sq += q[i]!;
  }
  if (sp === 0 || sq === 0) return sp === sq ? 0 : 1;
  let divergence = 0;
  for (let i = 0; i < p.length; i++) {
    const pi = p[i]! / sp;
    const qi = q[i]! / sq;
    const m = (pi + qi) / 2;
    if (pi > 0) divergence += 0.5 * pi * Math.log2(pi / m);
    if (qi > 0) divergence += 0.5 * qi * Math.log2(qi / m);
  }
  return Math.max(0, Math.min(1, divergence));
}

/** JSD of two category -> count maps (categories missing on one side count 0 there). */
export function categoricalJsd(a: ReadonlyMap<number, number>, b: ReadonlyMap<number, number>): number {
  const keys = [...new Set([...a.keys(), ...b.keys()])];
  return jsd(
    keys.map((k) => a.get(k) ?? 0),
    keys.map((k) => b.get(k) ?? 0),
  );
}

/** Linear-interpolated percentile (numpy's default) of a weighted sample with integer weights. */
export function percentile(s: WeightedSample, q: number): number {
  const n = total(s.weights);
  const position = q * (n - 1);
  const at = (rank: number) => {
    let seen = 0;
    for (let i = 0; i < s.values.length; i++) {
      seen += s.weights[i]!;
      if (rank < seen) return s.values[i]!;
    }
    return s.values[s.values.length - 1]!;
  };
  const lo = Math.floor(position);
  const frac = position - lo;
  return frac === 0 ? at(lo) : at(lo) + frac * (at(lo + 1) - at(lo));
}

/** numpy 1.x histogram_bin_edges(values, bins='auto') of the original sample. */
export function autoBinEdges(s: WeightedSample): Float64Array {
  const n = total(s.weights);
  let first = s.values[0]!;
  let last = s.values[s.values.length - 1]!;
  if (first === last) {
    first -= 0.5;
    last += 0.5;
    return Float64Array.from([first, last]);
  }
  const range = last - first;
  const sturges = range / (Math.log2(n) + 1);
  const fd = (2 * (percentile(s, 0.75) - percentile(s, 0.25))) / Math.cbrt(n);
  const width = fd > 0 ? Math.min(fd, sturges) : sturges;
  const bins = Math.max(1, Math.ceil(range / width));
  const edges = new Float64Array(bins + 1);
  for (let i = 0; i <= bins; i++) edges[i] = first + (range * i) / bins;
  return edges;
}

/** Counts of a sample in [edges) bins (last bin closed), with an under- and an overflow bin at the ends. */
export function binCounts(s: WeightedSample, edges: Float64Array): Float64Array {
  const bins = edges.length - 1;
  const counts = new Float64Array(bins + 2);
  const first = edges[0]!;
  const last = edges[bins]!;
  for (let i = 0; i < s.values.length; i++) {
    const v = s.values[i]!;
    let slot: number;
    if (v < first) slot = 0;
    else if (v > last) slot = bins + 1;
    else slot = 1 + Math.min(bins - 1, Math.floor(((v - first) / (last - first)) * bins));
    counts[slot]! += s.weights[i]!;
  }
  return counts;
}

export function binnedJsd(original: WeightedSample, candidate: WeightedSample): number {
  const edges = autoBinEdges(original);
  return jsd(binCounts(original, edges), binCounts(candidate, edges));
}
