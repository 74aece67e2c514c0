// WHEN a packet is due, in ns from the run's absolute start: never a sum of sleeps
// (tcpreplay's calc_sleep_time split; how to wait lives in tsc-waiter.h). Called by the
// reader thread in trace order, so cumulative state (bytes for --mbps, the loop offset for
// --loop) needs no locking. Due times never go backwards: a packet whose capture time is
// earlier than its predecessor's is due with it (the order is the trace order, issue 3).
#pragma once

#include <cstdint>

namespace txcore {

struct PacingConfig {
  enum Mode : uint8_t { kTopspeed, kSpeed, kPps, kMbps };
  Mode mode = kTopspeed;
  double value = 0;  // speed multiplier, packets/s or Mbit/s
};

class Pacer {
 public:
  explicit Pacer(const PacingConfig& config) : config_(config) {}
  bool paced() const { return config_.mode != PacingConfig::kTopspeed; }
  // Before the first packet of loop `loop` (0-based). Loop k of original timing starts at
  // k x (trace duration + one mean inter-packet gap): the timeline continues (issue 3).
  void beginLoop(unsigned loop);
  // The due time of the next packet in the global order.
  int64_t dueNs(int64_t tsNs, bool hasTs, uint32_t bytes);

 private:
  PacingConfig config_;
  uint64_t seq_ = 0;
  double bytesBefore_ = 0;
  bool haveFirst_ = false;
  int64_t firstTs_ = 0, lastTs_ = 0, maxTs_ = 0;
  uint64_t firstLoopPackets_ = 0;
  unsigned loop_ = 0;
  double loopBaseNs_ = 0;
  int64_t prevDue_ = 0;
};

}  // namespace txcore
