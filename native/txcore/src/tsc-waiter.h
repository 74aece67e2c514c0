// HOW to wait, split from WHEN (pacer.h computes due times): spin on the TSC close to the
// deadline, sleep when it is far, so a paced run at low rate leaves the CPU to others (the
// 2-core machines here share CPUs between lcores, the reader and Node's event loop).
// DPDK-free so the sequence-ring test builds without it.
#pragma once

#include <sched.h>
#include <time.h>
#include <x86intrin.h>

#include <atomic>
#include <cstdint>

namespace txcore {

inline void cpuRelax() { _mm_pause(); }
inline uint64_t readTsc() { return __rdtsc(); }

inline void sleepNs(uint64_t ns) {
  timespec ts{static_cast<time_t>(ns / 1000000000ULL), static_cast<long>(ns % 1000000000ULL)};
  nanosleep(&ts, nullptr);
}

// Escalating wait for cold paths (a buffer not yet read, the end of a run): spin, then
// yield, then sleep 50 us per round. Never on the per-packet path.
class Backoff {
 public:
  void pause() {
    if (rounds_ < 512) {
      cpuRelax();
    } else if (rounds_ < 640) {
      sched_yield();
    } else {
      sleepNs(50000);
    }
    rounds_++;
  }
  void reset() { rounds_ = 0; }
  bool waited() const { return rounds_ > 0; }

 private:
  uint32_t rounds_ = 0;
};

// Passes time until `wake`: sleeps in slices of <= 1 ms while it is over 200 us away (a
// sleep wakes 50-100 us late), spins on the rest. With `shareCpu` (more busy lcores than
// CPUs for them) it yields instead of spinning while over 20 us away: at 100 kpps, 2 cores
// + a drain lcore on 2 CPUs had a p99 lateness of 6 ms spinning, 3 ms yielding; a single
// core keeps spinning (yielding gave the reader a slice and raised its p99 from 20 to 86 us).
inline void passTimeUntil(uint64_t wake, uint64_t now, uint64_t tscPerUs, bool shareCpu) {
  if (wake > now + 200 * tscPerUs) {
    uint64_t ns = (wake - now - 200 * tscPerUs) * 1000 / tscPerUs;
    sleepNs(ns > 1000000 ? 1000000 : ns);
  } else if (shareCpu && wake > now + 20 * tscPerUs) {
    sched_yield();
  } else {
    cpuRelax();
  }
}

// Waits until the TSC reaches `deadline` (true) or `stop` is set (false). `duty(now)` runs
// between checks (a core's share of draining the TX ring) and returns the TSC at which it
// next has work (UINT64_MAX: none).
template <typename Duty>
inline bool waitUntilTsc(uint64_t deadline, uint64_t tscPerUs, bool shareCpu, const std::atomic<bool>& stop, Duty&& duty) {
  for (;;) {
    uint64_t now = readTsc();
    if (now >= deadline) return true;
    if (stop.load(std::memory_order_relaxed)) return false;
    uint64_t next = duty(now);
    passTimeUntil(next < deadline ? next : deadline, now, tscPerUs, shareCpu);
  }
}

}  // namespace txcore
