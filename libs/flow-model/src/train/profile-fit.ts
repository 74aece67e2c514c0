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
  private readonly prefix: Float64Array;
  private readonly width: number;

  constructor(
    private readonly r: Float64Array,
    shift: number,
  ) {
    this.width = 2 ** shift;
    this.prefix = new Float64Array(r.length + 1);
    for (let p = 0; p < r.length; p++) this.prefix[p + 1] = this.prefix[p]! + r[p]! * this.width;
  }

  upTo(bin: number): number {
    const p = Math.floor(bin / this.width);
    if (p >= this.r.length) return this.prefix[this.r.length]!;
    return this.prefix[p]! + (bin - p * this.width) * this.r[p]!;
  }
}

/** First bin of coefficient k and the end (exclusive) of its range, clipped to the row's span. */
function coefStart(row: FitRow, k: number): number {
  return row.startBin + k * row.binsPerCoef;
}
function coefEnd(row: FitRow, k: number): number {
  const end = row.lastBin + 1;
  return k === row.counts.length - 1 ? end : Math.min(end, coefStart(row, k) + row.binsPerCoef);
}

/** Activity covered by each coefficient of the row (R of ridge-fit.ts), into `out`. */
export function coverage(row: FitRow, prefix: ProfilePrefix, out: Float64Array): void {
  for (let k = 0; k < row.counts.length; k++) {
    const b0 = coefStart(row, k);
    const b1 = coefEnd(row, k);
    out[k] = b1 > b0 ? prefix.upTo(b1) - prefix.upTo(b0) : 0;
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

function fitAll(rows: readonly FitRow[], r: Float64Array, shift: number, ridge: number, coefs: Float64Array[]): void {
  const prefix = new ProfilePrefix(r, shift);
  let scratch = new Float64Array(64);
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    if (scratch.length < row.counts.length) scratch = new Float64Array(row.counts.length * 2);
    const R = scratch.subarray(0, row.counts.length);
    coverage(row, prefix, R);
    solveRidgeRow(row.counts, R, ridge, coefs[i]!);
  }
}

/** One IPF step: r(p) *= A(p) / (r(p) * sum of covering coefficients). */
function rescaleProfile(rows: readonly FitRow[], coefs: Float64Array[], aggregate: Float64Array, r: Float64Array, shift: number): void {
  const width = 2 ** shift;
  const acc = new Float64Array(r.length);
  const diff = new Float64Array(r.length + 1);
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    const w = coefs[i]!;
    for (let k = 0; k < row.counts.length; k++) {
      const b0 = coefStart(row, k);
      const b1 = coefEnd(row, k);
      if (b1 > b0) addCoverage(acc, diff, width, b0, b1, w[k]!);
    }
  }
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
  for (let round = 0; round < rounds; round++) {
    fitAll(rows, r, shift, ridge, coefs);
    rescaleProfile(rows, coefs, aggregate, r, shift);
  }
  fitAll(rows, r, shift, ridge, coefs);
  return { profile: r, coefs };
}
