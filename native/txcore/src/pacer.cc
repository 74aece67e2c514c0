#include "pacer.h"

#include <algorithm>

namespace txcore {

void Pacer::beginLoop(unsigned loop) {
  if (loop > 0 && config_.mode == PacingConfig::kSpeed && haveFirst_) {
    double span = static_cast<double>(maxTs_ - firstTs_);
    double meanGap = firstLoopPackets_ > 1 ? span / static_cast<double>(firstLoopPackets_ - 1) : 0;
    loopBaseNs_ += (span + meanGap) / config_.value;
  }
  loop_ = loop;
}

int64_t Pacer::dueNs(int64_t tsNs, bool hasTs, uint32_t bytes) {
  double due = 0;
  switch (config_.mode) {
    case PacingConfig::kTopspeed:
      return 0;
    case PacingConfig::kSpeed:
      if (!hasTs) tsNs = lastTs_;  // pcapng SPB: no timestamp, due with its predecessor
      if (!haveFirst_) {
        haveFirst_ = true;
        firstTs_ = maxTs_ = tsNs;
      }
      lastTs_ = tsNs;
      if (loop_ == 0) {
        maxTs_ = std::max(maxTs_, tsNs);
        firstLoopPackets_++;
      }
      due = loopBaseNs_ + static_cast<double>(tsNs - firstTs_) / config_.value;
      break;
    case PacingConfig::kPps:
      due = static_cast<double>(seq_) * 1e9 / config_.value;
      break;
    case PacingConfig::kMbps:
      due = bytesBefore_ * 8000.0 / config_.value;
      bytesBefore_ += bytes;
      break;
  }
  seq_++;
  int64_t ns = std::max<int64_t>(static_cast<int64_t>(due), prevDue_);
  prevDue_ = ns;
  return ns;
}

}  // namespace txcore
