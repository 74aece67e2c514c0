// Count chunks from expected packets: the native twin of libs/flow-model's PlanBuilder after
// inference (plan-builder.ts; docs/flow-models.md "Regeneration" step 2), so TypeScript's
// per-packet work is gone: for a chunk of bins (never across a window cycle) it lists the
// (row, bin) pairs of the rows active there in PlanBuilder's order (row ascending, then bin),
// takes their expected packets (onnxruntime's output for those pairs, or the count graph
// evaluated here: synth-count-graph.h), rounds them bin by bin with the CoupledRounder, deals
// class rows' packets round-robin to their lanes (each lane cutting them into member flows
// whose sizes come from the class's member-size distribution, stream (seed, 0x80000000 +
// row, variant)) and writes the chunk (entries per bin, new class members) straight into a
// slot of the chunk queue. The same model, seed and chunk size give the chunks PlanBuilder
// gives, array for array (test/synthesis-test.cc `plan` compares them).
// One instance per run, on the thread that produces chunks (the JavaScript thread, inside
// pushCounts). Scratch grows to the largest chunk once; the state is per row and per lane,
// so memory does not grow with the duration. DPDK-free.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "synth-chunk-queue.h"
#include "synth-coupled-rounder.h"
#include "synth-plan.h"
#include "synth-prng.h"

namespace txcore {

class SynthPlanner {
 public:
  explicit SynthPlanner(const SynthPlan& plan);
  // The chunk after the previous one: bins [first, last) with first = the previous last and
  // last = min(first + chunkBins, totalBins, end of first's window cycle) (PlanBuilder's
  // chunks()). `counts`: the graph's output for the chunk's pairs in order (countLen of them),
  // or nullptr to evaluate the graph here. Returns "" or what is wrong (out of place, or a
  // count array of the wrong length).
  std::string plan(uint64_t first, uint64_t last, const float* counts, size_t countLen, SynthChunk* out);
  uint64_t nextBin() const { return nextBin_; }
  bool done() const { return nextBin_ >= plan_.totalBins; }
  uint64_t chunkEnd(uint64_t first) const;

 private:
  struct Lanes {            // one class row's lanes (plan-builder.ts ClassLanes)
    uint32_t base = 0;      // first lane in the flat arrays
    uint32_t count = 0;
    uint32_t cursor = 0;
    uint64_t variants = 0;  // members started so far (never reset: variants stay distinct)
  };
  void startCycle();
  void collectPairs(uint32_t b0, uint32_t b1, const float* counts);
  void dealToMembers(uint32_t row, double packets, SynthChunk* out);
  void startMember(uint32_t row, Lanes& lanes, uint32_t lane, SynthChunk* out);

  const SynthPlan& plan_;
  CoupledRounder rounder_;
  Xoshiro128ss rng_;
  std::vector<Lanes> lanes_;                 // [T] (count 0 for flow rows)
  std::vector<int32_t> member_;              // per lane: the member instance (< 0: none yet)
  std::vector<double> remaining_, next_;     // per lane: packets the member still has, its next index
  std::vector<int64_t> pending_;             // per lane: its entry in this bin's output (-1: none)
  std::vector<uint32_t> touched_;            // lanes with a pending entry
  uint64_t nextBin_ = 0;
  uint64_t nextInstance_ = 0;
  // Chunk scratch: active rows, then the pairs bucketed by window bin (row order kept).
  std::vector<uint32_t> active_;
  std::vector<uint32_t> binStart_, binFill_, binRow_;
  std::vector<double> binExpected_;
};

}  // namespace txcore
