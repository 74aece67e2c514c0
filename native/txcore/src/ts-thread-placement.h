// Where the time-series replay's threads run, and at what priority (docs/timeseries.md
// "Threads"). A TX thread spins close to each record's due time, so any time-slice another
// thread takes on its CPU is a burst of time violations (at one record per us, a 3 ms CFS
// slice is 3,000 drops). So, per run (system calls at start and end, never per record):
// - with at least as many CPUs as TX threads, TX thread k is pinned to CPU n-1-k and the
//   worker and IO threads to the CPUs left (all of them when none is left);
// - TX threads get SCHED_FIFO 1 (no CFS thread preempts them; the kernel still lends CFS
//   tasks starved on that CPU up to 5% of each second) or nice -20 (the most CFS weight;
//   yet on a loaded host a nice-0 neighbour still takes whole 4 ms ticks: 11 ms stalls were
//   measured here, none over 0.2 ms with SCHED_FIFO); workers and the IO thread get nice -20
//   (a worker behind hands the TX thread late records). Both need root or CAP_SYS_NICE;
//   without, the thread keeps its priority and the figures say so.
// Everything is undone when the thread leaves the run: lcores and the IO thread are shared
// with other runs.
#pragma once

#include <pthread.h>
#include <sched.h>

#include <atomic>
#include <cstdint>

namespace txcore {

class TsThreadPlacement {
 public:
  enum Priority : uint8_t { kAuto, kRealtime, kNice };
  // `cpus`: the CPUs the run's lcores may use; `txThreads`: normal + out-of-order. kAuto is
  // SCHED_FIFO when every TX thread has a CPU of its own and a CPU is left for the rest,
  // else nice -20.
  void plan(const cpu_set_t& cpus, unsigned txThreads, Priority priority);
  bool pinned() const { return pinned_; }

  // Called on TX thread `k` at its start / end.
  struct Saved {
    cpu_set_t cpus;
    int policy = SCHED_OTHER;
    sched_param param{};
    int nice = 0;
    bool raised = false;
  };
  Saved enterTx(unsigned k) const;
  void leave(const Saved& saved) const;
  // Worker threads (for good) and the IO thread (undone with leave()).
  Saved enterOther() const;
  // 0: priority unchanged, 1: nice -20, 2: SCHED_FIFO (set by the TX threads).
  int priority() const { return priority_.load(std::memory_order_relaxed); }

 private:
  cpu_set_t tx_[64] = {};
  cpu_set_t others_ = {};
  bool pinned_ = false;
  bool realtime_ = false;
  mutable std::atomic<int> priority_{0};
};

}  // namespace txcore
