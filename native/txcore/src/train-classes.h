// Flow classes drafted from a settled native pass (issue 4: "the rest grouped into classes
// that still regenerate distinct flows"): the twin of libs/flow-model's flow-classes.ts and
// counter-merger.ts. Light flows are grouped by (IP version, protocol, service port); a
// class row sums its members' histograms and distributions in member order, as the
// TypeScript draft does, so the rows are the same entry for entry. DPDK-free.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "train-row-set.h"
#include "train-rows.h"

namespace txcore {

// assignClasses: flows ids[0 .. n) (heaviest first) in at most maxClasses groups; the busiest
// keys keep their own class, the rest share one.
std::vector<std::vector<uint32_t>> assignTrainClasses(const TrainDraftInput& in, const uint32_t* ids, size_t n, size_t maxClasses);

// addClassRows: a row per group, appended to `set`; maxBins bounds a class histogram;
// gapMasks per flow id (train-rows.cc).
void addTrainClassRows(TrainRowSet* set, const TrainDraftInput& in, const std::vector<std::vector<uint32_t>>& groups, uint32_t maxBins,
                       const std::vector<uint32_t>& gapMasks);

}  // namespace txcore
