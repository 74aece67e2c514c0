// The MEMOCO sequence scheduler's ordered TX ring (APNet'22 section 3.1; ARCHITECTURE.md
// "Why order holds"). Every packet has a position in ONE global order (its global sequence
// number, given by the reader). A generation core RESERVES a contiguous block of positions
// (a run of consecutive packets of its own flows, sized from its recent rate), FILLS the
// block's slots, then COMMITS it with one release store of the block's end into its first
// slot. The drainer consumes strictly increasing positions and passes a position only after
// the block holding it was committed, so packets leave in the global order whichever core
// built them, and no lock serialises the cores' work.
//
// - Reservation needs no atomic add: positions are the schedule's own numbers, so two cores
//   can never claim the same slot, and a core with nothing to send claims nothing.
// - Room: a block [start, end) may be filled only when end - drained <= capacity, so a
//   slot is never overwritten before the drainer is done with it.
// - Stale stamps: a slot's stamp from an earlier lap is at most (old start + maxBlock) <=
//   the current position, so "stamp > position" identifies this lap's commit.
// DPDK-free (items are void*): test/sequence-ring-test.cc runs it under ThreadSanitizer.
#pragma once

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <new>

namespace txcore {

struct alignas(64) SequenceSlot {
  std::atomic<uint64_t> blockEnd{0};  // at a block's first slot: its end; the commit
  void* item = nullptr;
  std::atomic<uint64_t> dueTsc{0};  // atomic only so a stale peek from readyAt() is not a data race
  uint32_t bytes = 0;
  uint16_t owner = 0;  // generation core that built it (per-core stats)
};

class SequenceRing {
 public:
  SequenceRing() = default;
  ~SequenceRing() { std::free(slots_); }
  SequenceRing(const SequenceRing&) = delete;
  SequenceRing& operator=(const SequenceRing&) = delete;

  // `capacity` must be a power of two; blocks may not exceed it.
  bool init(uint32_t capacity) {
    if (capacity == 0 || (capacity & (capacity - 1)) != 0) return false;
    void* mem = std::aligned_alloc(64, sizeof(SequenceSlot) * capacity);
    if (mem == nullptr) return false;
    slots_ = static_cast<SequenceSlot*>(mem);
    for (uint32_t i = 0; i < capacity; i++) new (&slots_[i]) SequenceSlot();
    capacity_ = capacity;
    mask_ = capacity - 1;
    return true;
  }
  uint32_t capacity() const { return capacity_; }

  // --- producer side (any generation core) ---
  bool hasRoom(uint64_t end) const { return end - drained_.load(std::memory_order_acquire) <= capacity_; }
  SequenceSlot& slot(uint64_t pos) { return slots_[pos & mask_]; }
  // seq_cst, not just release: in flush mode the committer then reads the drain head and
  // the drainer, after publishing its head, re-reads this stamp (OrderedDrain::tryDrain);
  // with both sides seq_cst one of them must see the other (no store-buffer reordering).
  void commit(uint64_t start, uint64_t end) { slots_[start & mask_].blockEnd.store(end, std::memory_order_seq_cst); }

  // --- consumer side (one drainer at a time) ---
  // The end of the committed block starting at `pos`, or 0 when it is not committed yet.
  uint64_t committedEnd(uint64_t pos, std::memory_order order = std::memory_order_acquire) const {
    uint64_t end = slots_[pos & mask_].blockEnd.load(order);
    return end > pos ? end : 0;
  }
  const SequenceSlot& at(uint64_t pos) const { return slots_[pos & mask_]; }
  // Everything before `pos` has been handed to the port: producers may reuse those slots.
  void release(uint64_t pos) { drained_.store(pos, std::memory_order_release); }
  uint64_t drained() const { return drained_.load(std::memory_order_acquire); }

 private:
  SequenceSlot* slots_ = nullptr;
  uint32_t capacity_ = 0;
  uint64_t mask_ = 0;
  alignas(64) std::atomic<uint64_t> drained_{0};
  char pad_[64 - sizeof(std::atomic<uint64_t>)];
};

}  // namespace txcore
