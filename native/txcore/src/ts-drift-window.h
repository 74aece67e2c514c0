// The drifted time window (paper 2, section V.C.4): a record may be sent if the current
// time is no later than its time + T_d; otherwise it is dropped and counted as a time
// violation. The archive's timestamps have 1 us resolution, so the comparison is in WHOLE
// MICROSECONDS from the TX thread's start TSC C_h:
//     nowUs = floor((now_tsc - C_h) / tsc_per_us),  dueUs = floor(dueNs / 1000),
//     send iff nowUs <= dueUs + T_d.
// With T_d = 0 a record due at 12 us may leave from 12.000 us up to 12.999... us: the
// record's own microsecond (the paper's literal "C_n > C_d + C_h" would drop all but the
// packets sent in the very tick of their due TSC). A record is never sent before its due
// TSC (the TX thread waits for it), so the window is [due, start of tick dueUs + T_d + 1).
// DPDK-free (test/ts-pipeline-test.cc checks the boundaries).
#pragma once

#include <cstdint>

namespace txcore {

inline int64_t tsFloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

class TsDriftWindow {
 public:
  TsDriftWindow() = default;
  // driftUs < 0: no window (nothing is ever dropped).
  TsDriftWindow(int64_t driftUs, uint64_t startTsc, uint64_t tscHz) : driftUs_(driftUs), startTsc_(startTsc), tscHz_(tscHz) {}
  bool enabled() const { return driftUs_ >= 0; }
  // Whole microseconds since the start at `tsc` (negative before it).
  int64_t nowUs(uint64_t tsc) const {
    __int128 delta = static_cast<__int128>(tsc) - static_cast<__int128>(startTsc_);
    __int128 scaled = delta * 1000000;
    int64_t us = static_cast<int64_t>(scaled / static_cast<__int128>(tscHz_));
    return (scaled < 0 && scaled % static_cast<__int128>(tscHz_) != 0) ? us - 1 : us;
  }
  // The last whole microsecond in which a record due at `dueNs` may still be sent.
  int64_t lastUs(int64_t dueNs) const { return tsFloorDiv(dueNs, 1000) + driftUs_; }
  bool allows(int64_t dueNs, uint64_t tsc) const { return !enabled() || nowUs(tsc) <= lastUs(dueNs); }
  // The first TSC at which a record due at `dueNs` is a violation (UINT64_MAX: none).
  uint64_t deadlineTsc(int64_t dueNs) const {
    if (!enabled()) return UINT64_MAX;
    __int128 us = static_cast<__int128>(lastUs(dueNs)) + 1;
    __int128 scaled = us * static_cast<__int128>(tscHz_);
    __int128 ticks = scaled >= 0 ? (scaled + 999999) / 1000000 : scaled / 1000000;  // ceil: the tick's first TSC
    __int128 tsc = static_cast<__int128>(startTsc_) + ticks;
    return tsc < 0 ? 0 : static_cast<uint64_t>(tsc);
  }

 private:
  int64_t driftUs_ = -1;
  uint64_t startTsc_ = 0;
  uint64_t tscHz_ = 1;
};

}  // namespace txcore
