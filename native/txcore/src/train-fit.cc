#include "train-fit.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace txcore {
namespace {

// ridge-fit.ts solveRidgeRow: Y = counts[at, at + n), R[0, n); out[at, at + n).
void solveRidgeRow(const double* counts, size_t at, size_t n, const double* R, double ridge, double* out, std::vector<double>& c, std::vector<double>& d) {
  if (n == 0) return;
  if (n == 1) {
    out[at] = R[0] > 0 ? counts[at] / R[0] : 0;
    return;
  }
  double meanR = 0;
  for (size_t k = 0; k < n; k++) meanR += R[k];
  meanR /= static_cast<double>(n);
  const double lambda = std::max(std::max(ridge * meanR, meanR * 1e-9), 1e-12);
  if (c.size() < n) {
    c.resize(n * 2);
    d.resize(n * 2);
  }
  for (size_t k = 0; k < n; k++) {
    const double diag = R[k] + lambda * (k == 0 || k == n - 1 ? 1 : 2);
    const double lower = k > 0 ? -lambda : 0;
    const double denom = diag - lower * (k > 0 ? c[k - 1] : 0);
    c[k] = -lambda / denom;
    d[k] = (counts[at + k] - lower * (k > 0 ? d[k - 1] : 0)) / denom;
  }
  double next = d[n - 1];
  out[at + n - 1] = next < 0 ? 0 : next;
  for (size_t k = n - 1; k-- > 0;) {
    const double w = d[k] - c[k] * next;
    out[at + k] = w < 0 ? 0 : w;
    next = w;
  }
}

double prefixUpTo(const std::vector<double>& prefix, const std::vector<double>& padded, double width, double bin) {
  const double entries = static_cast<double>(padded.size() - 1);
  const double at = std::floor(bin / width);
  const double p = at < entries ? at : entries;
  const size_t i = static_cast<size_t>(p);
  return prefix[i] + (bin - p * width) * padded[i];
}

void coverage(const TrainFitRows& rows, uint32_t i, const std::vector<double>& prefix, const std::vector<double>& padded, double width, double* out) {
  const int32_t n = rows.coefBase[i + 1] - rows.coefBase[i];
  const double end = rows.lastBin[i] + 1;
  const double start = rows.startBin[i];
  const double binsPerCoef = rows.binsPerCoef[i];
  double reuseAt = std::numeric_limits<double>::quiet_NaN();
  double reused = 0;
  for (int32_t k = 0; k < n; k++) {
    const double b0 = start + k * binsPerCoef;
    const double b1 = k == n - 1 ? end : std::min(end, b0 + binsPerCoef);
    double covered = 0;
    if (b1 > b0) {
      const double upToB1 = prefixUpTo(prefix, padded, width, b1);
      covered = upToB1 - (b0 == reuseAt ? reused : prefixUpTo(prefix, padded, width, b0));
      reuseAt = b1;
      reused = upToB1;
    }
    out[k] = covered;
  }
}

void addCoverage(std::vector<double>& acc, std::vector<double>& diff, double width, double b0, double b1, double w) {
  const size_t p0 = static_cast<size_t>(std::floor(b0 / width));
  const size_t p1 = static_cast<size_t>(std::floor((b1 - 1) / width));
  // Past the profile's end is dropped, as a Float64Array drops such a write (rows end in it).
  auto add = [](std::vector<double>& v, size_t i, double x) {
    if (i < v.size()) v[i] += x;
  };
  if (p0 == p1) {
    add(acc, p0, w * (b1 - b0));
    return;
  }
  add(acc, p0, w * ((static_cast<double>(p0) + 1) * width - b0));
  add(acc, p1, w * (b1 - static_cast<double>(p1) * width));
  if (p1 > p0 + 1) {
    add(diff, p0 + 1, w * width);
    add(diff, p1, -(w * width));
  }
}

void addRowCoverage(const TrainFitRows& rows, uint32_t i, const std::vector<double>& coefs, std::vector<double>& acc, std::vector<double>& diff, double width) {
  const int32_t base = rows.coefBase[i];
  const int32_t n = rows.coefBase[i + 1] - base;
  const double end = rows.lastBin[i] + 1;
  const double start = rows.startBin[i];
  const double binsPerCoef = rows.binsPerCoef[i];
  for (int32_t k = 0; k < n; k++) {
    const double b0 = start + k * binsPerCoef;
    const double b1 = k == n - 1 ? end : std::min(end, b0 + binsPerCoef);
    if (b1 > b0) addCoverage(acc, diff, width, b0, b1, coefs[static_cast<size_t>(base + k)]);
  }
}

}  // namespace

void trainFitRowsToProfile(const TrainFitRows& rows, const std::vector<double>& aggregate, uint32_t shift, double ridge, uint32_t rounds,
                           std::vector<double>* profile, std::vector<double>* coefsOut) {
  const double width = std::ldexp(1.0, static_cast<int>(shift));
  std::vector<double>& r = *profile;
  r = aggregate;
  std::vector<double>& coefs = *coefsOut;
  coefs.assign(rows.countsLength, 0.0);
  int32_t longest = 1;
  for (uint32_t i = 0; i < rows.rows; i++) longest = std::max(longest, rows.coefBase[i + 1] - rows.coefBase[i]);
  std::vector<double> scratch(static_cast<size_t>(longest)), c(64), d(64), prefix, padded, acc, diff;
  auto round = [&](bool sum) {
    prefix.assign(r.size() + 1, 0.0);
    for (size_t p = 0; p < r.size(); p++) prefix[p + 1] = prefix[p] + r[p] * width;
    padded.assign(r.size() + 1, 0.0);
    std::copy(r.begin(), r.end(), padded.begin());
    for (uint32_t i = 0; i < rows.rows; i++) {
      coverage(rows, i, prefix, padded, width, scratch.data());
      solveRidgeRow(rows.counts, static_cast<size_t>(rows.coefBase[i]), static_cast<size_t>(rows.coefBase[i + 1] - rows.coefBase[i]), scratch.data(), ridge,
                    coefs.data(), c, d);
      if (sum) addRowCoverage(rows, i, coefs, acc, diff, width);
    }
  };
  for (uint32_t k = 0; k < rounds; k++) {
    acc.assign(r.size(), 0.0);
    diff.assign(r.size() + 1, 0.0);
    round(true);
    double running = 0;  // profile-fit.ts rescaleProfile
    for (size_t p = 0; p < r.size(); p++) {
      running += diff[p];
      const double predicted = r[p] * (acc[p] + running);
      if (aggregate[p] == 0) r[p] = 0;
      else if (predicted > 0) r[p] = (r[p] * aggregate[p]) / predicted;
    }
  }
  round(false);
}

}  // namespace txcore
