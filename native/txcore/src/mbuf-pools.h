// The mbuf pools of a run. Sizes follow from the sequence ring (every slot may hold a
// packet), the TX descriptors and per-lcore caches, so the pools cannot run dry while the
// ring still has room (the cores would otherwise wait on each other). Frames longer than
// a standard mbuf go to a small jumbo pool of single 64 KB segments (net_pcap writes a
// chained mbuf over 16128 bytes truncated; one segment keeps it exact).
// Pools live as long as the EAL (reused by every run): DPDK zeroes a memzone when it is
// freed, so freeing the 90 MB jumbo pool after each run faulted all of it into the RSS.
// Normal mbufs come in data rooms of 128, 256, 512, 1024 and 2048 bytes, one pool each (made
// on first use): a run whose longest frame is known (a flow model's plan) takes the smallest
// that holds it. A 64-byte frame in a 2 KB mbuf spreads a burst of 64 mbufs over 40 pages of
// 4 KB; in 128-byte mbufs over 7, which the TLB holds (docs/txcore.md "mbufs sized to the
// frames").
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
  // `largestFrame`: the longest frame the run can build (0: not known, standard mbufs).
  static TxFailure acquire(uint32_t ringSlots, uint32_t txDescriptors, unsigned lcores, int socket, uint32_t largestFrame, MbufPools* out);
};

}  // namespace txcore
