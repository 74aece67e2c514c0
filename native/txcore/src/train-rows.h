// The model's rows drafted from a settled native pass (issue 4, train speed): the twin of
// FlowTrainer.chooseRows in libs/flow-model (flow-trainer.ts) with what it calls,
// model-budget.ts's gapMasks and flowRowSizes and row-draft.ts's rows of modelled flows
// (the flow classes are train-classes.cc's). Same choices, the same double operations in the
// same order, so the RowSet is the TypeScript one entry for entry (train-pass.spec.ts: model
// ids). Running it in C++ spares finish() V8 running thousands of flows' code once, cold.
// DPDK-free.
#pragma once

#include <cstdint>
#include <vector>

#include "train-pass.h"
#include "train-row-set.h"
#include "train-template.h"

namespace txcore {

// The statistics a draft reads: the settled pass and its header templates (per slot).
struct TrainDraftInput {
  const TrainPass* pass = nullptr;
  const std::vector<TrainTemplate>* templates = nullptr;
  const std::vector<uint32_t>* flows = nullptr;  // heaviest first (TrainPass::settle)

  // Slot s's template bytes (0: none).
  uint32_t templateLength(uint32_t s) const { return s < templates->size() ? static_cast<uint32_t>((*templates)[s].bytes.size()) : 0; }
};

// Model-budget constants (model-budget.ts).
constexpr double kTrainRowFixedBytes = 111, kTrainSizeEntryBytes = 8, kTrainSmallEntryBytes = 5, kTrainClassRowEstimateBytes = 800;

// All flows one by one when they fit `avail` bytes with room for coefficients, else the
// heaviest ones plus classes; maxBins: a class histogram's bins (TrainOptions.maxCoefsPerFlow).
TrainRowSet draftTrainRows(const TrainDraftInput& in, double avail, uint32_t maxBins);

// Writers shared with train-classes.cc (row-draft.ts addSizes / addFlags). The counters are
// `atoms` counter `atomsAt` and `buckets` counter `bucketsAt` (kNoCounter: none).
void appendTrainSizes(TrainRowSet* set, const TrainCounters& atoms, uint32_t atomsAt, const TrainCounters& buckets, int32_t bucketsAt, double sizeMin,
                      double sizeMax);
void appendTrainFlags(TrainRowSet* set, const TrainCounters& flags, int32_t flagsAt, double packets, double firstFlags, double lastFlags);

}  // namespace txcore
