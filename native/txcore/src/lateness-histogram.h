// Lateness (send time - due time) in ns, in log2 buckets with 8 linear sub-buckets per
// octave (HDR-style: about 9% resolution from 8 ns to hours) plus the exact maximum.
// Written by the drainers (one per stream: several with --order flow), read by the
// JavaScript thread without stopping them. Only paced runs record, so an atomic add per
// packet costs nothing that matters.
#pragma once

#include <atomic>
#include <cstdint>

namespace txcore {

class LatenessHistogram {
 public:
  static constexpr unsigned kBuckets = 496;

  static unsigned bucketOf(uint64_t ns) {
    if (ns < 8) return static_cast<unsigned>(ns);
    unsigned msb = 63u - static_cast<unsigned>(__builtin_clzll(ns));
    return (msb - 2) * 8 + static_cast<unsigned>((ns >> (msb - 3)) & 7);
  }
  // Smallest ns value that falls in `bucket`.
  static uint64_t lowerBound(unsigned bucket) {
    if (bucket < 8) return bucket;
    unsigned msb = bucket / 8 + 2;
    return (8ULL + bucket % 8) << (msb - 3);
  }

  void record(uint64_t ns) {
    counts_[bucketOf(ns)].fetch_add(1, std::memory_order_relaxed);
    uint64_t seen = max_.load(std::memory_order_relaxed);
    while (ns > seen && !max_.compare_exchange_weak(seen, ns, std::memory_order_relaxed)) {
    }
  }
  uint64_t count(unsigned bucket) const { return counts_[bucket].load(std::memory_order_relaxed); }
  uint64_t maxNs() const { return max_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> counts_[kBuckets] = {};
  std::atomic<uint64_t> max_{0};
};

}  // namespace txcore
