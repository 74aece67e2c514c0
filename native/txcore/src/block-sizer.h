// MEMOCO's "block sizes follow each core's recent rate" (design.md): a generation core
// reserves about kBlockTargetUs of its recent sending rate per block, so a block is done
// close to when it is due and a slow core does not hold the ring's head for long. One per
// core, on that core only (exact replay and model synthesis).
#pragma once

#include <algorithm>
#include <cstdint>

#include "tsc-waiter.h"

namespace txcore {

struct BlockSizer {
  static constexpr double kBlockTargetUs = 4;  // a block holds about this much of the recent rate

  double packetsPerUs = 1;  // recent sending rate (EWMA)
  uint32_t cap = 8;         // the next block's size limit, from that rate
  uint64_t lastCommitTsc = 0;

  void start() { lastCommitTsc = readTsc(); }
  // After a block of `built` packets was committed; returns the TSC it read.
  uint64_t adapt(uint32_t built, uint64_t tscPerUs, uint32_t maxBlock) {
    const uint64_t now = readTsc();
    const double us = static_cast<double>(now - lastCommitTsc) / static_cast<double>(tscPerUs);
    lastCommitTsc = now;
    const double rate = built / std::max(us, 0.01);
    packetsPerUs = packetsPerUs * 0.875 + rate * 0.125;
    cap = static_cast<uint32_t>(std::clamp(packetsPerUs * kBlockTargetUs, 1.0, static_cast<double>(maxBlock)));
    return now;
  }
};

}  // namespace txcore
