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
 *
 * All rows live in flat typed arrays (row i's coefficients are [coefBase[i], coefBase[i+1])),
 * so a fit allocates a handful of arrays, not a few per row (issue 4, train speed).
 */
import { solveRidgeRow } from './ridge-fit.ts';

export interface FitRows {
  startBin: Float64Array;
  lastBin: Float64Array;
  binsPerCoef: Int32Array;
  /** rows + 1 offsets into counts (and the coefficients). */
  coefBase: Int32Array;
  /** Packets per coefficient (each row's time histogram, coarsened to its coefficient count). */
  counts: Float64Array;
}

export interface ProfileFit {
  profile: Float64Array;
  /** Coefficients of all rows, laid out as FitRows.counts. */
  coefs: Float64Array;
}

/** prefix[b] = sum of r over profile entries [0, b), each entry covering `width` bins. */
function profilePrefix(r: Float64Array, width: number): Float64Array {
  const prefix = new Float64Array(r.length + 1);
  for (let p = 0; p < r.length; p++) prefix[p + 1] = prefix[p]! + r[p]! * width;
  return prefix;
}

/**
 * Sum of r over bins [0, bin) where r is piecewise constant over `width` bins; `padded` is r
 * with a zero after its last entry, so a bin at or past the end gives prefix[r.length] (plus
 * zero) without a branch of its own: a branch first taken after V8 optimised this code sent
 * it back to the interpreter.
 */
function prefixUpTo(prefix: Float64Array, padded: Float64Array, width: number, bin: number): number {
  const entries = padded.length - 1;
  const at = Math.floor(bin / width);
  const p = at < entries ? at : entries;
  return prefix[p]! + (bin - p * width) * padded[p]!;
}

/**
 * Activity covered by each coefficient of row i (R of ridge-fit.ts), into out[0 ..):
 * coefficient k covers bins [start + k * width, end of the row or of its width). Where a
 * coefficient starts at its predecessor's end, the sum up to there is reused (the same
 * number: this halves the work, not the precision).
 */
function coverage(rows: FitRows, i: number, prefix: Float64Array, padded: Float64Array, width: number, out: Float64Array): void {
  const n = rows.coefBase[i + 1]! - rows.coefBase[i]!;
  const end = rows.lastBin[i]! + 1;
  const start = rows.startBin[i]!;
  const binsPerCoef = rows.binsPerCoef[i]!;
  let reuseAt = Number.NaN;
  let reused = 0;
  for (let k = 0; k < n; k++) {
    const b0 = start + k * binsPerCoef;
    const b1 = k === n - 1 ? end : Math.min(end, b0 + binsPerCoef);
    let covered = 0;
    if (b1 > b0) {
      const upToB1 = prefixUpTo(prefix, padded, width, b1);
      covered = upToB1 - (b0 === reuseAt ? reused : prefixUpTo(prefix, padded, width, b0));
      reuseAt = b1;
      reused = upToB1;
    }
    out[k] = covered;
  }
}

/**
 * One round: fits every row against r and, when `acc` is given, adds the fitted row's
 * predicted activity to acc/diff (the IPF step's sums, rows in order as before: the same
 * numbers). A row's fit needs r only, so fitting and summing it in one visit changes nothing
 * but the number of passes over the coefficients. The work is in per-row functions called
 * many times, each compiled once (issue 4, train speed).
 */
function fitRound(rows: FitRows, r: Float64Array, width: number, ridge: number, coefs: Float64Array, scratch: Float64Array, acc: Float64Array | undefined, diff: Float64Array): void {
  const prefix = profilePrefix(r, width);
  const padded = new Float64Array(r.length + 1);
  padded.set(r);
  const count = rows.startBin.length;
  for (let i = 0; i < count; i++) {
    coverage(rows, i, prefix, padded, width, scratch);
    solveRidgeRow(rows.counts, rows.coefBase[i]!, rows.coefBase[i + 1]! - rows.coefBase[i]!, scratch, ridge, coefs);
    if (acc) addRowCoverage(rows, i, coefs, acc, diff, width);
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

/** Adds row i's predicted activity, w times the bins of each coefficient, per profile entry. */
function addRowCoverage(rows: FitRows, i: number, coefs: Float64Array, acc: Float64Array, diff: Float64Array, width: number): void {
  const base = rows.coefBase[i]!;
  const n = rows.coefBase[i + 1]! - base;
  const end = rows.lastBin[i]! + 1;
  const start = rows.startBin[i]!;
  const binsPerCoef = rows.binsPerCoef[i]!;
  for (let k = 0; k < n; k++) {
    const b0 = start + k * binsPerCoef;
    const b1 = k === n - 1 ? end : Math.min(end, b0 + binsPerCoef);
    if (b1 > b0) addCoverage(acc, diff, width, b0, b1, coefs[base + k]!);
  }
}

/** One IPF step from the round's sums: r(p) *= A(p) / (r(p) * sum of covering coefficients). */
function rescaleProfile(acc: Float64Array, diff: Float64Array, aggregate: Float64Array, r: Float64Array): void {
  let running = 0;
  for (let p = 0; p < r.length; p++) {
    running += diff[p]!;
    const predicted = r[p]! * (acc[p]! + running);
    if (aggregate[p] === 0) r[p] = 0;
    else if (predicted > 0) r[p] = (r[p]! * aggregate[p]!) / predicted;
  }
}

/** What fits the rows of an attempt: fitRowsToProfile, or a twin of it (native/txcore train-fit.cc) with the same result bit for bit. */
export type ProfileFitter = (rows: FitRows, aggregate: Float64Array, shift: number, ridge: number, rounds: number) => ProfileFit;

export function fitRowsToProfile(rows: FitRows, aggregate: Float64Array, shift: number, ridge: number, rounds: number): ProfileFit {
  const width = 2 ** shift;
  const r = Float64Array.from(aggregate);
  const coefs = new Float64Array(rows.counts.length);
  let longest = 1;
  for (let i = 0; i + 1 < rows.coefBase.length; i++) longest = Math.max(longest, rows.coefBase[i + 1]! - rows.coefBase[i]!);
  const scratch = new Float64Array(longest);
  for (let round = 0; round < rounds; round++) {
    const acc = new Float64Array(r.length);
    const diff = new Float64Array(r.length + 1);
    fitRound(rows, r, width, ridge, coefs, scratch, acc, diff);
    rescaleProfile(acc, diff, aggregate, r);
  }
  fitRound(rows, r, width, ridge, coefs, scratch, undefined, scratch);
  return { profile: r, coefs };
}
