#include "flow-table.h"

namespace txcore {

FlowTable::FlowTable() : entries_(1024) {}

void FlowTable::next(bool isIp, uint64_t flowHash, uint32_t* flowId, uint64_t* flowSeq) {
  if (!isIp) {
    *flowId = kNonIpFlowId;
    *flowSeq = nonIpSeq_++;
    return;
  }
  if ((used_ + 1) * 2 > entries_.size()) grow();
  size_t mask = entries_.size() - 1;
  for (size_t i = flowHash & mask;; i = (i + 1) & mask) {
    Entry& e = entries_[i];
    if (e.hash == flowHash) {
      *flowId = e.id;
      *flowSeq = e.nextSeq++;
      return;
    }
    if (e.hash == 0) {
      e.hash = flowHash;
      e.id = used_++;
      e.nextSeq = 1;
      *flowId = e.id;
      *flowSeq = 0;
      return;
    }
  }
}

void FlowTable::grow() {
  std::vector<Entry> old(entries_.size() * 2);
  old.swap(entries_);
  size_t mask = entries_.size() - 1;
  for (const Entry& e : old) {
    if (e.hash == 0) continue;
    size_t i = e.hash & mask;
    while (entries_[i].hash != 0) i = (i + 1) & mask;
    entries_[i] = e;
  }
}

}  // namespace txcore
