// One ordered stream of a run: a sequence ring drained, strictly in position order, into
// one TX queue. Global order (the default) has one; --order flow has one per core.
#pragma once

#include <memory>

#include "ordered-drain.h"
#include "port-sink.h"
#include "sequence-ring.h"

namespace txcore {

struct OrderedStream {
  SequenceRing ring;
  PortSink sink;
  std::unique_ptr<OrderedDrain<PortSink>> drain;

  // A stopped run leaves committed blocks the drain never reached: give their mbufs back to
  // the pools the next run reuses. They all lie within one ring lap after the drain head, and
  // "stamp > position" tells this lap's commits from stale ones (sequence-ring.h).
  void freeUnsent() {
    uint64_t head = drain->head();
    uint64_t pos = head;
    for (; pos < drain->blockEnd(); pos++) rte_pktmbuf_free(static_cast<rte_mbuf*>(ring.slot(pos).item));
    while (pos < head + ring.capacity()) {
      uint64_t end = ring.committedEnd(pos);
      if (end == 0) {
        pos++;
        continue;
      }
      for (; pos < end; pos++) rte_pktmbuf_free(static_cast<rte_mbuf*>(ring.slot(pos).item));
    }
  }
};

}  // namespace txcore
