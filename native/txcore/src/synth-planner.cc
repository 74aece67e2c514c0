#include "synth-planner.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "js-number.h"
#include "synth-count-graph.h"

namespace txcore {
namespace {

constexpr uint32_t kMemberStream = 0x80000000u;  // plan-builder.ts MEMBER_STREAM


}  // namespace

SynthPlanner::SynthPlanner(const SynthPlan& plan)
    : plan_(plan), rounder_(plan.modelPackets.data(), plan.startBin.data(), plan.lastBin.data(), plan.rows), lanes_(plan.rows) {
  uint32_t total = 0;
  for (uint32_t r = 0; r < plan.rows; r++) {
    if (plan.kind[r] != 1) continue;
    lanes_[r].base = total;
    lanes_[r].count = plan.lanes[r];
    total += plan.lanes[r];
  }
  member_.assign(total, -1);
  remaining_.assign(total, 0);
  next_.assign(total, 0);
  pending_.assign(total, -1);
  nextInstance_ = plan.rows;
}

uint64_t SynthPlanner::chunkEnd(uint64_t first) const {
  const uint64_t cycleEnd = (first / plan_.windowBins + 1) * plan_.windowBins;
  return std::min({first + plan_.chunkBins, plan_.totalBins, cycleEnd});
}

void SynthPlanner::startCycle() {
  rounder_.reset();
  std::fill(member_.begin(), member_.end(), -1);
  for (Lanes& l : lanes_) l.cursor = 0;
}

// The pairs (row ascending, then bin) with their expectations, bucketed by window bin in a
// stable counting sort: bin b's rows come out ascending, as PlanBuilder's binRows.
void SynthPlanner::collectPairs(uint32_t b0, uint32_t b1, const float* counts) {
  const uint32_t bins = b1 - b0;
  binStart_.assign(bins + 1, 0);
  size_t pairs = 0;
  for (uint32_t r : active_) {
    const uint32_t from = std::max<uint32_t>(b0, plan_.startBin[r]), to = std::min<uint32_t>(b1 - 1, plan_.lastBin[r]);
    binStart_[from - b0]++;
    if (to + 1 - b0 < bins) binStart_[to + 1 - b0]--;  // a difference array: +1 over [from, to]
    pairs += to - from + 1;
  }
  uint32_t running = 0, at = 0;
  binFill_.resize(bins);
  for (uint32_t i = 0; i < bins; i++) {
    running += binStart_[i];
    binFill_[i] = at;
    binStart_[i] = at;
    at += running;
  }
  binStart_[bins] = at;
  if (binRow_.size() < pairs) binRow_.resize(pairs), binExpected_.resize(pairs);  // grown, never shrunk (no refill)
  size_t k = 0;
  for (uint32_t r : active_) {
    const uint32_t from = std::max<uint32_t>(b0, plan_.startBin[r]), to = std::min<uint32_t>(b1 - 1, plan_.lastBin[r]);
    if (counts != nullptr) {
      for (uint32_t b = from; b <= to; b++, k++) {
        const uint32_t slot = binFill_[b - b0]++;
        binRow_[slot] = r;
        binExpected_[slot] = counts[k];
      }
      continue;
    }
    synthCountRun(plan_, r, from, to, [&](uint32_t i, float value) {
      const uint32_t slot = binFill_[from + i - b0]++;
      binRow_[slot] = r;
      binExpected_[slot] = value;
    });
    k += to - from + 1;
  }
}

std::string SynthPlanner::plan(uint64_t first, uint64_t last, const float* counts, size_t countLen, SynthChunk* out) {
  if (first != nextBin_ || first >= plan_.totalBins || last != chunkEnd(first)) {
    return "count chunk for bins " + std::to_string(first) + ".." + std::to_string(last) + " asked where bins " + std::to_string(nextBin_) + ".." +
           std::to_string(nextBin_ < plan_.totalBins ? chunkEnd(nextBin_) : nextBin_) + " were due";
  }
  if (first % plan_.windowBins == 0) startCycle();
  const uint64_t cycleBase = first / plan_.windowBins * plan_.windowBins;
  const uint32_t b0 = static_cast<uint32_t>(first - cycleBase), b1 = static_cast<uint32_t>(last - cycleBase);
  active_.clear();
  size_t pairs = 0;
  for (uint32_t r = 0; r < plan_.rows; r++) {
    if (static_cast<uint32_t>(plan_.startBin[r]) < b1 && static_cast<uint32_t>(plan_.lastBin[r]) >= b0 && plan_.modelPackets[r] > 0) {
      active_.push_back(r);
      pairs += std::min<uint32_t>(b1 - 1, plan_.lastBin[r]) - std::max<uint32_t>(b0, plan_.startBin[r]) + 1;
    }
  }
  if (counts != nullptr && countLen != pairs) {
    return "count chunk at bin " + std::to_string(first) + ": " + std::to_string(countLen) + " expected counts for " + std::to_string(pairs) + " (row, bin) pairs";
  }
  collectPairs(b0, b1, counts);  // window bins: a chunk never crosses a cycle, so bin mod window is b
  out->firstBin = first;
  out->binCount = b1 - b0;
  out->entryOffset.assign(1, 0);
  for (auto* v : {&out->instance, &out->firstPacket, &out->count, &out->newTemplate, &out->newVariant}) v->clear();
  for (auto* v : {&out->newPackets, &out->newReverse, &out->newStartNs, &out->newEndNs}) v->clear();
  for (uint32_t b = b0; b < b1; b++) {
    const uint32_t from = binStart_[b - b0], n = binStart_[b - b0 + 1] - from;
    rounder_.placeBin(b, binRow_.data() + from, binExpected_.data() + from, n, [&](uint32_t r, double firstPacket, double count) {
      if (plan_.kind[r] == 0) {
        out->instance.push_back(r);
        out->firstPacket.push_back(toUint32(firstPacket));
        out->count.push_back(toUint32(count));
      } else {
        dealToMembers(r, count, out);
      }
    });
    out->entryOffset.push_back(static_cast<uint32_t>(out->instance.size()));
  }
  nextBin_ = last;
  return "";
}

// plan-builder.ts dealToMembers: packet p goes to the lane under the cursor (which then
// moves on); a lane without a member, or whose member has all its packets, starts the next
// member first. One entry per member in the bin, in the order members first get a packet
// (the TypeScript Map's insertion order).
void SynthPlanner::dealToMembers(uint32_t row, double packets, SynthChunk* out) {
  Lanes& lanes = lanes_[row];
  touched_.clear();
  for (double p = 0; p < packets; p++) {
    const uint32_t lane = lanes.base + lanes.cursor;
    lanes.cursor = (lanes.cursor + 1) % lanes.count;
    if (member_[lane] < 0 || remaining_[lane] == 0) {
      if (pending_[lane] >= 0) pending_[lane] = -1;  // the finished member's entry stays as it is
      startMember(row, lanes, lane, out);
    }
    if (pending_[lane] < 0) {
      pending_[lane] = static_cast<int64_t>(out->instance.size());
      touched_.push_back(lane);
      out->instance.push_back(static_cast<uint32_t>(member_[lane]));
      out->firstPacket.push_back(toUint32(next_[lane]));
      out->count.push_back(1);
    } else {
      out->count[static_cast<size_t>(pending_[lane])]++;
    }
    next_[lane] += 1;
    remaining_[lane] -= 1;
  }
  for (uint32_t lane : touched_) pending_[lane] = -1;
}

// plan-builder.ts startMember: the member's size from the class's member-size distribution
// (a bucket by weight, then uniform inside it), its reverse packets in the class's proportion.
void SynthPlanner::startMember(uint32_t row, Lanes& lanes, uint32_t lane, SynthChunk* out) {
  const uint64_t variant = ++lanes.variants;
  rng_.reseed(streamKey(plan_.seed, kMemberStream + row, variant));
  const uint32_t m0 = plan_.memberSizeOffset[row], m1 = plan_.memberSizeOffset[row + 1];
  double size = 1;
  if (m1 > m0) {
    const uint32_t* cum = plan_.memberSizeCum.data();
    const uint32_t e = pickEntry(cum, m0, m1, rng_.below(cum[m1 - 1]));
    const double lo = std::ldexp(1.0, plan_.memberSizeBucket[e]);  // countBucketRange: [2^j, 2^(j+1))
    size = lo + rng_.below(toUint32(std::min(lo, 4294967295.0)));
  }
  const uint32_t h = 2 * row;
  const bool hasReverse = plan_.headerOffset[h + 2] > plan_.headerOffset[h + 1];
  const double n = plan_.modelPackets[row];
  const double reverse = hasReverse && n > 0 ? jsMin(size - 1, jsRound(size * plan_.modelReverse[row] / n)) : 0;
  member_[lane] = static_cast<int32_t>(static_cast<uint32_t>(nextInstance_++));  // an Int32Array in plan-builder.ts
  remaining_[lane] = size;
  next_[lane] = 0;
  out->newTemplate.push_back(row);
  out->newVariant.push_back(static_cast<uint32_t>(variant));
  out->newPackets.push_back(size);
  out->newReverse.push_back(reverse);
  out->newStartNs.push_back(std::numeric_limits<double>::quiet_NaN());
  out->newEndNs.push_back(std::numeric_limits<double>::quiet_NaN());
}

}  // namespace txcore
