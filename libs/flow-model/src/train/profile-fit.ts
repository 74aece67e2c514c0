/**
 * Fits every row's coefficients and the activity profile together: the burst model of
 * docs/flow-models.md. Rows alone are coarse (a few coefficients over a flow's life); the
 * profile r carries the trace's fine-grained aggregate rate. Starting from r = the aggregate
 * count A, each round
 *   1. fits every row against r (ridge-fit.ts, exact per-row totals),
 *   2. predicts the aggregate  A^(p) = r(p) * sum over rows of w covering p,
 *   3. rescales r(p) *= A(p) / A^(p),
 * (iterative proportional fitting: rows keep their totals, the profile pulls the sum of
 * rows back onto the observed aggregate). A last fit against the final r fixes the
 * coefficients. Each round costs O(coefficients + profile entries).
 */
import { solveRidgeRow } from './ridge-fit.ts';

export interface FitRow {
  startBin: number;
  lastBin: number;
  binsPerCoef: number;
  /** Packets per coefficient (the row's time histogram, coarsened to its coefficient count). */
  counts: Float64Array;
}

export interface ProfileFit {
  profile: Float64Array;
  coefs: Float64Array[];
}

/** Sum of r over bins [0, b) where r is piecewise constant over 2^shift bins. */
export class ProfilePrefix {
  readonly prefix: Float64Array;
  readonly width: number;

  constructor(
    readonly r: Float64Array,
    shift: number,
  ) {
    this.width = 2 ** shift;
    this.prefix = new Float64Array(r.length + 1);
    for (let p = 0; p < r.length; p++) this.prefix[p + 1] = this.prefix[p]! + r[p]! * this.width;
  }

  upTo(bin: number): number {
    return prefixUpTo(this.prefix, this.r, this.width, bin);
  }
}

function prefixUpTo(prefix: Float64Array, r: Float64Array, width: number, bin: number): number {
  const p = Math.floor(bin / width);
  if (p >= r.length) return prefix[r.length]!;
  return prefix[p]! + (bin - p * width) * r[p]!;
}

/**
 * Activity covered by each coefficient of the row (R of ridge-fit.ts), into `out`:
 * coefficient k covers bins [start + k * width, end of the row or of its width). Where a
 * coefficient starts at its predecessor's end, the sum up to there is reused (the same
 * number: this halves the work, not the precision).
 */
export function coverage(row: FitRow, prefix: ProfilePrefix, out: Float64Array): void {
  const n = row.counts.length;
  const end = row.lastBin + 1;
  const { prefix: sums, r, width } = prefix;
  let reuseAt = Number.NaN;
  let reused = 0;
  for (let k = 0; k < n; k++) {
    const b0 = row.startBin + k * row.binsPerCoef;
    const b1 = k === n - 1 ? end : Math.min(end, b0 + row.binsPerCoef);
    if (b1 > b0) {
      const upToB1 = prefixUpTo(sums, r, width, b1);
      out[k] = upToB1 - (b0 === reuseAt ? reused : prefixUpTo(sums, r, width, b0));
      reuseAt = b1;
      reused = upToB1;
    } else out[k] = 0;
  }
}

/** Adds w times the number of bins of [b0, b1) inside each profile entry. */
function addCoverage(acc: Float64Array, diff: Float64Array, width: number, b0: number, b1: number, w: number): void {
  const p0 = Math.floor(b0 / width);
  const p1 = Math.floor((b1 - 1) / width);
  if (p0 === p1) {
    acc[p0]! += w * (b1 - b0);
    return;
  }
  acc[p0]! += w * ((p0 + 1) * width - b0);
  acc[p1]! += w * (b1 - p1 * width);
  if (p1 > p0 + 1) {
    diff[p0 + 1]! += w * width;
    diff[p1]! -= w * width;
  }
}

/**
 * Fits every row against r. The work is in per-row functions called many times (each
 * compiled once), not in long loops inside a function called a few times (compiled once
 * while its loop runs and again for the next call: issue 4, train speed).
 */
function fitAll(rows: readonly FitRow[], r: Float64Array, shift: number, ridge: number, coefs: Float64Array[], scratch: Float64Array): void {
  const prefix = new ProfilePrefix(r, shift);
  for (let i = 0; i < rows.length; i++) {
    const R = scratch.subarray(0, rows[i]!.counts.length);
    coverage(rows[i]!, prefix, R);
    solveRidgeRow(rows[i]!.counts, R, ridge, coefs[i]!);
  }
}

/** Adds one row's predicted activity, w times the bins of each coefficient, per profile entry. */
function addRowCoverage(row: FitRow, w: Float64Array, acc: Float64Array, diff: Float64Array, width: number): void {
  const n = row.counts.length;
  const end = row.lastBin + 1;
  for (let k = 0; k < n; k++) {
    const b0 = row.startBin + k * row.binsPerCoef;
    const b1 = k === n - 1 ? end : Math.min(end, b0 + row.binsPerCoef);
    if (b1 > b0) addCoverage(acc, diff, width, b0, b1, w[k]!);
  }
}

/** One IPF step: r(p) *= A(p) / (r(p) * sum of covering coefficients). */
function rescaleProfile(rows: readonly FitRow[], coefs: Float64Array[], aggregate: Float64Array, r: Float64Array, shift: number): void {
  const width = 2 ** shift;
  const acc = new Float64Array(r.length);
  const diff = new Float64Array(r.length + 1);
  for (let i = 0; i < rows.length; i++) addRowCoverage(rows[i]!, coefs[i]!, acc, diff, width);
  let running = 0;
  for (let p = 0; p < r.length; p++) {
    running += diff[p]!;
    const predicted = r[p]! * (acc[p]! + running);
    if (aggregate[p] === 0) r[p] = 0;
    else if (predicted > 0) r[p] = (r[p]! * aggregate[p]!) / predicted;
  }
}

export function fitRowsToProfile(rows: readonly FitRow[], aggregate: Float64Array, shift: number, ridge: number, rounds: number): ProfileFit {
  const r = Float64Array.from(aggregate);
  const coefs = rows.map((row) => new Float64Array(row.counts.length));
  let longest = 1;
  for (const row of rows) longest = Math.max(longest, row.counts.length);
  const scratch = new Float64Array(longest);
  for (let round = 0; round < rounds; round++) {
    fitAll(rows, r, shift, ridge, coefs, scratch);
    rescaleProfile(rows, coefs, aggregate, r, shift);
  }
  fitAll(rows, r, shift, ridge, coefs, scratch);
  return { profile: r, coefs };
}
