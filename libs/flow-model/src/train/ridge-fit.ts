/**
 * One row's regression (issue 4: "linear regression ... with regularisation, from running
 * sufficient statistics"). The row's expected count in bin b is w[k(b)] * r(b): coefficient
 * k covers a run of bins, r is the activity profile. Weighted least squares with Poisson
 * weights 1/r(b) (the variance of a count is its mean) has sufficient statistics
 *   X^T W X = diag(R), R[k] = sum of r over coefficient k's bins,
 *   X^T W y = Y,       Y[k] = the row's packets in those bins (its time histogram),
 * and the ridge penalty lambda * sum (w[k+1] - w[k])^2 smooths neighbouring coefficients.
 * The normal equations (diag(R) + lambda D^T D) w = Y are tridiagonal; they are solved by the
 * Thomas algorithm. Two properties the regenerator relies on:
 *   - the penalty ignores a constant shift, so sum_k R[k] w[k] = sum_k Y[k]: the row's
 *     predicted total equals its packet count exactly;
 *   - the matrix is an M-matrix, so Y >= 0 gives w >= 0: no negative counts.
 * lambda = ridge * mean(R), so `ridge` is a fraction of one coefficient's own weight.
 */
let cScratch = new Float64Array(64);
let dScratch = new Float64Array(64);

/** Solves one row: Y = counts[at .. at + n), R = R[0 .. n), the coefficients into out[at .. at + n). */
export function solveRidgeRow(counts: Float64Array, at: number, n: number, R: Float64Array, ridge: number, out: Float64Array): void {
  if (n === 0) return;
  if (n === 1) {
    out[at] = R[0]! > 0 ? counts[at]! / R[0]! : 0;
    return;
  }
  let meanR = 0;
  for (let k = 0; k < n; k++) meanR += R[k]!;
  meanR /= n;
  // A tiny floor keeps the system regular when a coefficient covers no activity at all.
  const lambda = Math.max(ridge * meanR, meanR * 1e-9, 1e-12);
  if (cScratch.length < n) {
    cScratch = new Float64Array(n * 2);
    dScratch = new Float64Array(n * 2);
  }
  const c = cScratch;
  const d = dScratch;
  for (let k = 0; k < n; k++) {
    const diag = R[k]! + lambda * (k === 0 || k === n - 1 ? 1 : 2);
    const lower = k > 0 ? -lambda : 0;
    const denom = diag - lower * (k > 0 ? c[k - 1]! : 0);
    c[k] = -lambda / denom;
    d[k] = (counts[at + k]! - lower * (k > 0 ? d[k - 1]! : 0)) / denom;
  }
  // Back substitution on the unclamped values, each clamped at 0 as it is stored (one pass).
  let next = d[n - 1]!;
  out[at + n - 1] = next < 0 ? 0 : next;
  for (let k = n - 2; k >= 0; k--) {
    const w = d[k]! - c[k]! * next;
    out[at + k] = w < 0 ? 0 : w;
    next = w;
  }
}
