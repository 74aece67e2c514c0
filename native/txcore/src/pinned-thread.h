// Pins the calling thread to one CPU for a scope and restores its CPU set after (the run's
// lcores and IO thread are shared with later runs). A CPU < 0 pins nothing.
#pragma once

#include <pthread.h>
#include <sched.h>

#include <vector>

namespace txcore {

class PinnedThread {
 public:
  explicit PinnedThread(int cpu) {
    if (cpu < 0 || pthread_getaffinity_np(pthread_self(), sizeof saved_, &saved_) != 0) return;
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(cpu, &one);
    active_ = pthread_setaffinity_np(pthread_self(), sizeof one, &one) == 0;
  }
  ~PinnedThread() {
    if (active_) pthread_setaffinity_np(pthread_self(), sizeof saved_, &saved_);
  }
  PinnedThread(const PinnedThread&) = delete;
  PinnedThread& operator=(const PinnedThread&) = delete;

 private:
  cpu_set_t saved_;
  bool active_ = false;
};

// The CPUs the process may run on, in order.
inline std::vector<int> processCpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  std::vector<int> ids;
  if (sched_getaffinity(0, sizeof set, &set) != 0) return ids;
  for (int c = 0; c < CPU_SETSIZE; c++) {
    if (CPU_ISSET(c, &set)) ids.push_back(c);
  }
  return ids;
}

}  // namespace txcore
