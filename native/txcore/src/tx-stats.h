// Per-core counters of a run, readable from JavaScript while the cores run (issue 3:
// "stats per core read from TypeScript without stopping the cores"). Each group sits on
// its own cache line and has ONE writer at a time, so updates are plain relaxed stores:
// - SentCounters: written by whoever drains the core's stream (the drain lcore, or the
//   flush-lock holder), attributed to the core that built the packet;
// - BuildCounters: written by the generation core itself.
#pragma once

#include <atomic>
#include <cstdint>

#include "lateness-histogram.h"
#include "trace-streamer.h"

namespace txcore {

inline void bump(std::atomic<uint64_t>& c, uint64_t by = 1) {
  c.store(c.load(std::memory_order_relaxed) + by, std::memory_order_relaxed);
}

struct alignas(64) SentCounters {
  std::atomic<uint64_t> packets{0};
  std::atomic<uint64_t> bytes{0};
  std::atomic<uint64_t> late{0};
};

struct alignas(64) BuildCounters {
  std::atomic<uint64_t> built{0};
  std::atomic<uint64_t> blocks{0};      // commits: built / blocks is the mean block size
  std::atomic<uint64_t> ringStalls{0};  // blocks that waited for room in the sequence ring
  std::atomic<uint64_t> poolStalls{0};  // waits for a free mbuf
  std::atomic<uint64_t> directBlocks{0};  // blocks handed to the port without the ring (sendAtHead)
};

struct TxStats {
  SentCounters sent[kMaxCores];
  BuildCounters build[kMaxCores];
  LatenessHistogram lateness;
  alignas(64) std::atomic<uint64_t> firstSendTsc{0};
  std::atomic<uint64_t> lastSendTsc{0};
};

}  // namespace txcore
