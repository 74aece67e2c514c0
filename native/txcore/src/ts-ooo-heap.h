// The out-of-order TX threads' pending records (paper 2, section V.C.1): records arrive
// from the out-of-order queue in file order, each with its own random delay, so they are
// due in another order; a fixed-size binary min-heap on the due time hands them out in the
// order they are due. Fixed capacity (no allocation after init): when it is full the
// thread stops taking from the queue until the earliest is sent. DPDK-free.
#pragma once

#include <cstdint>
#include <vector>

#include "ts-record-pipeline.h"

namespace txcore {

class TsOooHeap {
 public:
  explicit TsOooHeap(uint32_t capacity = 8192) : items_(capacity) {}
  bool full() const { return size_ == items_.size(); }
  bool empty() const { return size_ == 0; }
  uint32_t size() const { return size_; }
  const TsRecordDesc& top() const { return items_[0]; }

  void push(const TsRecordDesc& d) {
    uint32_t i = size_++;
    while (i > 0) {
      uint32_t parent = (i - 1) / 2;
      if (!before(d, items_[parent])) break;
      items_[i] = items_[parent];
      i = parent;
    }
    items_[i] = d;
  }

  TsRecordDesc pop() {
    TsRecordDesc out = items_[0];
    TsRecordDesc last = items_[--size_];
    uint32_t i = 0;
    for (;;) {
      uint32_t child = 2 * i + 1;
      if (child >= size_) break;
      if (child + 1 < size_ && before(items_[child + 1], items_[child])) child++;
      if (!before(items_[child], last)) break;
      items_[i] = items_[child];
      i = child;
    }
    if (size_ > 0) items_[i] = last;
    return out;
  }

 private:
  static bool before(const TsRecordDesc& a, const TsRecordDesc& b) { return a.dueNs < b.dueNs || (a.dueNs == b.dueNs && a.record < b.record); }
  std::vector<TsRecordDesc> items_;
  uint32_t size_ = 0;
};

}  // namespace txcore
