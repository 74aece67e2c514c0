// The flow model's count graph (libs/flow-model/src/model/count-graph.ts) evaluated from its
// own tables, bit for bit what onnxruntime computes for the standard graph (issue 4: "its
// graph computes expected packet counts for (flow, time bin) inputs"). The TypeScript side
// uses this only for a model whose file re-encodes to the same bytes, i.e. whose graph IS
// COUNT_GRAPH_NODES over these tables (synthesis-count-source.ts); any other file is run
// through onnxruntime. Why the values are equal, node by node (ONNX opset 13 semantics):
//   Mod(bin, window), fmod = 0, int64: bin >= 0 and window >= 1, so bin % window;
//   Gather + Cast of the int32 tables: exact; Sub, GreaterOrEqual, LessOrEqual, And: exact;
//   Div(rel, width), int64: truncation; Max(., 0), Min(., coefCount - 1): the clamp, so the
//     Gather index is in range for every pair, inside or not (validated tables);
//   Div(b, 2^profileShift): b >= 0, so b >> profileShift;
//   Mul(w, r), float32: one IEEE-754 binary32 multiplication, correctly rounded (to nearest,
//     even) in onnxruntime's vectorised kernel and here alike (x86-64 SSE, FLT_EVAL_METHOD 0,
//     no contraction: there is no add); denormals are kept on both sides (onnxruntime flushes
//     them only with session.set_denormal_as_zero, which CountSession does not set);
//   Where(inside, value, 0): +0.0f outside the row's span.
// Tested against onnxruntime on every (row, bin) of trained models (synthesis-counts.spec.ts).
// DPDK-free.
#pragma once

#include <algorithm>
#include <cstdint>

#include "synth-plan.h"

namespace txcore {

inline float synthCount(const SynthPlan& p, uint32_t row, uint64_t bin) {
  // (the planner evaluates whole runs of bins with synthCountRun below; both are tested equal)
  const int64_t b = static_cast<int64_t>(bin % p.windowBins);
  const int64_t start = p.startBin[row], last = p.lastBin[row];
  const int64_t rel = b - start;
  if (!(rel >= 0 && b <= last)) return 0.0f;
  int64_t k = rel / p.binsPerCoef[row];
  k = std::min<int64_t>(std::max<int64_t>(k, 0), p.coefCount[row] - 1);
  const float w = p.coef[static_cast<size_t>(p.coefBase[row] + k)];
  const float r = p.profile[static_cast<size_t>(b >> p.profileShift)];
  return w * r;
}

// synthCount(p, row, cycleBase + b) for b = from .. to (window bins inside the row's span:
// startBin <= from <= to <= lastBin), written to out[0 ..], without a division per bin: the
// coefficient index (b - start) div binsPerCoef steps by one every binsPerCoef bins.
template <typename Out>
inline void synthCountRun(const SynthPlan& p, uint32_t row, uint32_t from, uint32_t to, Out&& out) {
  const int64_t start = p.startBin[row], width = p.binsPerCoef[row], kLast = p.coefCount[row] - 1;
  const float* coef = p.coef.data() + p.coefBase[row];
  const float* profile = p.profile.data();
  const uint32_t shift = p.profileShift;
  int64_t k = (static_cast<int64_t>(from) - start) / width, rem = (static_cast<int64_t>(from) - start) % width;
  for (uint32_t b = from, i = 0; b <= to; b++, i++) {
    const float w = coef[k < kLast ? k : kLast];
    out(i, w * profile[b >> shift]);
    if (++rem == width) rem = 0, k++;
  }
}

}  // namespace txcore
