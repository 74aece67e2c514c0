#include "ts-thread-placement.h"

#include <sys/resource.h>
#include <unistd.h>

namespace txcore {

void TsThreadPlacement::plan(const cpu_set_t& cpus, unsigned txThreads, Priority priority) {
  unsigned ids[CPU_SETSIZE];
  unsigned n = 0;
  for (unsigned c = 0; c < CPU_SETSIZE; c++) {
    if (CPU_ISSET(c, &cpus)) ids[n++] = c;
  }
  pinned_ = txThreads >= 1 && txThreads <= n && txThreads <= 64;
  realtime_ = priority == kRealtime || (priority == kAuto && pinned_ && txThreads < n);
  CPU_ZERO(&others_);
  if (!pinned_) {
    others_ = cpus;
    return;
  }
  for (unsigned k = 0; k < txThreads; k++) {
    CPU_ZERO(&tx_[k]);
    CPU_SET(ids[n - 1 - k], &tx_[k]);
  }
  for (unsigned i = 0; i + txThreads < n; i++) CPU_SET(ids[i], &others_);
  if (CPU_COUNT(&others_) == 0) others_ = cpus;
}

TsThreadPlacement::Saved TsThreadPlacement::enterTx(unsigned k) const {
  Saved s;
  pthread_getaffinity_np(pthread_self(), sizeof s.cpus, &s.cpus);
  pthread_getschedparam(pthread_self(), &s.policy, &s.param);
  s.nice = getpriority(PRIO_PROCESS, static_cast<id_t>(gettid()));
  if (pinned_) pthread_setaffinity_np(pthread_self(), sizeof tx_[k], &tx_[k]);
  if (realtime_) {
    sched_param p{};
    p.sched_priority = 1;
    s.raised = pthread_setschedparam(pthread_self(), SCHED_FIFO, &p) == 0;
    if (s.raised) priority_.store(2, std::memory_order_relaxed);
  } else {
    s.raised = setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), -20) == 0;
    int none = 0;
    if (s.raised) priority_.compare_exchange_strong(none, 1, std::memory_order_relaxed);
  }
  return s;
}

void TsThreadPlacement::leave(const Saved& s) const {
  pthread_setaffinity_np(pthread_self(), sizeof s.cpus, &s.cpus);
  if (!s.raised) return;
  pthread_setschedparam(pthread_self(), s.policy, &s.param);
  setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), s.nice);
}

TsThreadPlacement::Saved TsThreadPlacement::enterOther() const {
  Saved s;
  pthread_getaffinity_np(pthread_self(), sizeof s.cpus, &s.cpus);
  pthread_getschedparam(pthread_self(), &s.policy, &s.param);
  s.nice = getpriority(PRIO_PROCESS, static_cast<id_t>(gettid()));
  if (pinned_) pthread_setaffinity_np(pthread_self(), sizeof others_, &others_);
  // nice -20, never SCHED_FIFO: a worker waiting for the IO thread on the same CPU must not
  // shut it out. A worker that falls behind makes the TX thread find its records late.
  s.raised = setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), -20) == 0;
  return s;
}

}  // namespace txcore
