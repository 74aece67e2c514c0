#include "eal-runtime.h"

#include <pthread.h>
#include <sched.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>

#include "dpdk-log-capture.h"

namespace txcore {

EalRuntime& EalRuntime::instance() {
  static EalRuntime runtime;
  return runtime;
}

TxFailure EalRuntime::init(const std::vector<std::string>& args, bool echoLogs) {
  if (attempted_) {
    return TxFailure::make(stage::kEalInit, EALREADY,
                           ready_ ? "EAL is already running in this process (one EAL per process)"
                                  : "EAL failed to start earlier in this process and cannot be restarted");
  }
  attempted_ = true;
  DpdkLogCapture::install(echoLogs);
  argStore_ = args;
  argv_.clear();
  for (std::string& a : argStore_) argv_.push_back(a.data());
  argv_.push_back(nullptr);

  cpu_set_t saved;
  bool haveAffinity = pthread_getaffinity_np(pthread_self(), sizeof saved, &saved) == 0;
  uint64_t mark = DpdkLogCapture::mark();
  int rc = rte_eal_init(static_cast<int>(argStore_.size()), argv_.data());
  if (haveAffinity) pthread_setaffinity_np(pthread_self(), sizeof saved, &saved);
  if (rc < 0) {
    std::string why = DpdkLogCapture::linesSince(mark);
    return TxFailure::make(stage::kEalInit, rte_errno,
                           "rte_eal_init failed: " + (why.empty() ? std::string(rte_strerror(rte_errno)) : why));
  }
  ready_ = true;
  info_.mainLcore = rte_get_main_lcore();
  info_.tscHz = rte_get_tsc_hz();
  unsigned lcore;
  RTE_LCORE_FOREACH_WORKER(lcore) { info_.workerLcores.push_back(lcore); }
  return {};
}

}  // namespace txcore
