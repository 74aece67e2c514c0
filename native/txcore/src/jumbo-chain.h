// Frames longer than a normal mbuf: a chain of jumbo-pool segments (mbuf-pools.h) for
// exact replay and model synthesis alike. Cold path (large frames only).
#pragma once

#include <rte_mbuf.h>

#include <algorithm>
#include <cstdint>

#include "mbuf-pools.h"

namespace txcore {

// A chain of `frameLen` bytes of jumbo segments, lengths set, data not written yet. Each
// allocation goes through `waitFor(ready)` (the core's wait with its drain duty); nullptr,
// with nothing held, when that gives up (the run stopped).
template <typename Wait>
rte_mbuf* allocJumboChain(const MbufPools& pools, uint32_t frameLen, Wait&& waitFor) {
  rte_mbuf* head = nullptr;
  rte_mbuf* tail = nullptr;
  for (uint32_t left = frameLen; left > 0;) {
    rte_mbuf* m = nullptr;
    if (!waitFor([&] { return (m = rte_pktmbuf_alloc(pools.jumbo)) != nullptr; })) return rte_pktmbuf_free(head), nullptr;
    uint32_t take = std::min(left, pools.jumboRoom);
    m->data_len = static_cast<uint16_t>(take);
    if (head == nullptr) head = m;
    else tail->next = m, head->nb_segs++;
    tail = m;
    left -= take;
  }
  head->pkt_len = frameLen;
  return head;
}

}  // namespace txcore
