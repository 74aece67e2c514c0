// JavaScript's Math functions on doubles, for the native twins of TypeScript code that must
// give the same numbers (the planner, the coupled rounder, the training draft). DPDK-free.
#pragma once

#include <cmath>

namespace txcore {

// Math.round: the nearest integer, ties toward +infinity.
inline double jsRound(double x) {
  double f = __builtin_floor(x);
  return x - f >= 0.5 ? f + 1 : f;
}

// Math.min / Math.max: NaN when either is; -0 below +0.
inline double jsMin(double a, double b) {
  if (std::isnan(a) || std::isnan(b)) return __builtin_nan("");
  if (a == b) return std::signbit(a) ? a : b;
  return a < b ? a : b;
}
inline double jsMax(double a, double b) {
  if (std::isnan(a) || std::isnan(b)) return __builtin_nan("");
  if (a == b) return std::signbit(a) ? b : a;
  return a > b ? a : b;
}

}  // namespace txcore
