// The platform layer's entry: DPDK's EAL, started once per process from arguments that
// TypeScript validated and built (eal-options.ts). Design invariant: one EAL per process for
// the life of the process (DPDK cannot re-initialise); ports are hot-plugged per run.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "txcore-failure.h"

namespace txcore {

struct EalInfo {
  unsigned mainLcore = 0;
  std::vector<unsigned> workerLcores;  // lcores a run may launch engines on
  uint64_t tscHz = 0;
};

class EalRuntime {
 public:
  static EalRuntime& instance();

  // Starts EAL with `args` (argv[0] included). A second call fails with EAL_INIT and says so.
  // Restores the calling (JavaScript) thread's CPU affinity afterwards: rte_eal_init pins the
  // caller to the main lcore, which would starve Node's event loop of the other CPUs.
  TxFailure init(const std::vector<std::string>& args, bool echoLogs);

  bool ready() const { return ready_; }
  const EalInfo& info() const { return info_; }

 private:
  EalRuntime() = default;
  bool attempted_ = false;
  bool ready_ = false;
  EalInfo info_;
  // EAL keeps pointers into argv for the life of the process: the strings live here.
  std::vector<std::string> argStore_;
  std::vector<char*> argv_;
};

}  // namespace txcore
