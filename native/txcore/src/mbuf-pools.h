// The mbuf pools of a run. Sizes follow from the sequence ring (every slot may hold a
// packet), the TX descriptors and per-lcore caches, so the pools cannot run dry while the
// ring still has room (the cores would otherwise wait on each other). Frames longer than
// a standard mbuf go to a small jumbo pool of single 64 KB segments (net_pcap writes a
// chained mbuf over 16128 bytes truncated; one segment keeps it exact).
// Pools live as long as the EAL (reused by every run): DPDK zeroes a memzone when it is
// freed, so freeing the 90 MB jumbo pool after each run faulted all of it into the RSS.
#pragma once

#include <cstdint>
#include <string>

#include "txcore-failure.h"

struct rte_mempool;

namespace txcore {

struct MbufPools {
  rte_mempool* normal = nullptr;
  rte_mempool* jumbo = nullptr;
  uint32_t normalRoom = 0;  // bytes of frame a normal mbuf holds
  uint32_t jumboRoom = 0;
  uint32_t jumboWindow = 0;  // jumbo frames only within this many positions of the drain head

  // The process's pools, created on first use and grown (replaced) only when a run needs
  // more mbufs than they hold. Every run must return all its mbufs before the next starts.
  static TxFailure acquire(uint32_t ringSlots, uint32_t txDescriptors, unsigned lcores, int socket, MbufPools* out);

 private:
  TxFailure create(const std::string& tag, uint32_t normalCount, uint32_t txDescriptors, int socket);
  void destroy();
};

}  // namespace txcore
