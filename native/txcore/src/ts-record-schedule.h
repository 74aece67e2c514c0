// WHEN a time-series record is due, in ns from the run's start (how to wait is
// tsc-waiter.h; the drift check is ts-drift-window.h). Paper 2, section V.B.4 and V.C:
// - time-conforming (default): (T_n - T_g), T_g being the FIRST record's timestamp (the
//   global reference), T_n this record's; records earlier than T_g are due before the
//   start (so they are late);
// - fast_forward F: (T_n - T_g) / F, rounded down to the ns (F > 1 is faster);
// - tight_loop N: record n (its number in the file) is due at n x N ns, timestamps ignored;
// - probabilistic out-of-order (V.C.1): record n is chosen with probability P and then
//   sent up to W us late: its due time gains a delay drawn uniformly from 0..W whole us.
//   Both draws come from a counter-based generator keyed by (seed, n), so the choice does
//   not depend on which worker handled the record, and a run is repeatable.
// DPDK-free (test/ts-pipeline-test.cc).
#pragma once

#include <cmath>
#include <cstdint>

namespace txcore {

struct TsScheduleConfig {
  enum Mode : uint8_t { kTimestamps, kTightLoop };
  Mode mode = kTimestamps;
  double fastForward = 1;
  uint64_t tightLoopNs = 0;
  double oooProbability = 0;
  uint32_t oooWindowUs = 0;
  uint64_t seed = 1;
};

// splitmix64 (Steele, Lea, Flood): a full-period mix of a 64-bit counter.
inline uint64_t tsMix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

class TsSchedule {
 public:
  TsSchedule() = default;
  explicit TsSchedule(const TsScheduleConfig& c) : c_(c) {
    // P as a 53-bit threshold: record n is chosen when its draw's top 53 bits are below it.
    oooThreshold_ = c.oooProbability >= 1 ? (1ull << 53) : static_cast<uint64_t>(std::ldexp(c.oooProbability, 53));
  }
  void setFirstTimestamp(int64_t utcUs) { firstUs_ = utcUs; }
  int64_t firstTimestamp() const { return firstUs_; }

  int64_t dueNs(int64_t utcUs, uint64_t record) const {
    if (c_.mode == TsScheduleConfig::kTightLoop) return static_cast<int64_t>(record * c_.tightLoopNs);
    int64_t elapsedUs = utcUs - firstUs_;
    if (c_.fastForward == 1) return elapsedUs * 1000;
    return static_cast<int64_t>(std::floor(static_cast<double>(elapsedUs) * 1000.0 / c_.fastForward));
  }

  // Whether record n takes the out-of-order path, and its extra delay (whole us, 0..W).
  bool outOfOrder(uint64_t record, uint32_t* delayUs) const {
    if (oooThreshold_ == 0) return false;
    uint64_t draw = tsMix64(c_.seed * 0xD1B54A32D192ED03ull ^ record);
    if ((draw >> 11) >= oooThreshold_) return false;
    *delayUs = static_cast<uint32_t>(tsMix64(draw) % (static_cast<uint64_t>(c_.oooWindowUs) + 1));
    return true;
  }

 private:
  TsScheduleConfig c_;
  uint64_t oooThreshold_ = 0;
  int64_t firstUs_ = 0;
};

}  // namespace txcore
