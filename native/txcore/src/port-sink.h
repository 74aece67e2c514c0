// The drain's sink for a DPDK port: rte_eth_tx_burst on the run's one TX queue, and the
// per-packet accounting (sent counters of the core that built it, lateness when paced).
#pragma once

#include <rte_ethdev.h>

#include "sequence-ring.h"
#include "tx-stats.h"

namespace txcore {

struct PortSink {
  uint16_t port = 0;
  uint16_t queue = 0;
  bool paced = false;
  uint64_t nsPerTscQ32 = 0;  // ns per TSC tick, 32.32 fixed point
  uint64_t lateThresholdNs = 0;
  TxStats* stats = nullptr;

  uint32_t send(void** items, uint32_t n) {
    uint16_t sent = rte_eth_tx_burst(port, queue, reinterpret_cast<rte_mbuf**>(items), static_cast<uint16_t>(n));
    if (sent > 0) {
      uint64_t now = rte_rdtsc();
      uint64_t none = 0;
      if (stats->firstSendTsc.load(std::memory_order_relaxed) == 0) {
        stats->firstSendTsc.compare_exchange_strong(none, now, std::memory_order_relaxed);
      }
      stats->lastSendTsc.store(now, std::memory_order_relaxed);  // several drains: any recent one will do
    }
    return sent;
  }

  // Topspeed packets sent without the ring (OrderedDrain::sendAtHead): counted per block.
  void accountSent(uint32_t n, uint64_t bytes, uint16_t owner) {
    SentCounters& c = stats->sent[owner];
    bump(c.packets, n);
    bump(c.bytes, bytes);
  }

  uint64_t bytesOf(void* const* items, uint32_t n) const {
    uint64_t bytes = 0;
    for (uint32_t i = 0; i < n; i++) bytes += static_cast<const rte_mbuf*>(items[i])->pkt_len;
    return bytes;
  }

  void account(const SequenceSlot& slot, uint64_t now) {
    SentCounters& c = stats->sent[slot.owner];
    bump(c.packets);
    bump(c.bytes, slot.bytes);
    if (!paced) return;
    uint64_t due = slot.dueTsc.load(std::memory_order_relaxed);
    uint64_t lateNs = now > due ? static_cast<uint64_t>((static_cast<unsigned __int128>(now - due) * nsPerTscQ32) >> 32) : 0;
    stats->lateness.record(lateNs);
    if (lateNs > lateThresholdNs) bump(c.late);
  }
};

}  // namespace txcore
