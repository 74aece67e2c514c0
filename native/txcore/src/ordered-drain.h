// Drains the sequence ring into a sink (the port's TX queue) strictly in position order,
// only committed blocks, and with pacing only packets whose due TSC has passed. Two modes
// (design.md "who drains"; measured in docs/txcore.md):
// - a dedicated drain lcore calls drainOnce() in a loop;
// - "flush": every generation core calls tryDrain() after each commit and while it waits;
//   a try-lock lets one of them drain at a time, and a re-check after unlocking catches a
//   commit that found the lock taken, so nothing committed waits for the next commit.
// Templated on the sink so test/sequence-ring-test.cc runs it without DPDK.
#pragma once

#include <atomic>
#include <cstdint>

#include "sequence-ring.h"

namespace txcore {

constexpr uint32_t kMaxDrainBurst = 64;

// Sink: uint32_t send(void** items, uint32_t n)  -- how many it took, in order
//       void account(const SequenceSlot& slot, uint64_t nowTsc)  -- per packet it took
//       void accountSent(uint32_t n, uint64_t bytes, uint16_t owner)  -- sendAtHead's block
//       uint64_t bytesOf(void* const* items, uint32_t n)  -- of items not sent (still ours)
template <typename Sink>
class OrderedDrain {
 public:
  OrderedDrain(SequenceRing& ring, Sink& sink, bool paced, uint32_t burst)
      : ring_(ring), sink_(sink), paced_(paced), burst_(burst > kMaxDrainBurst ? kMaxDrainBurst : burst) {}

  // One drainer at a time (the drain lcore, or the holder of the flush lock).
  uint32_t drainOnce(uint64_t now) {
    void* items[kMaxDrainBurst];
    uint32_t n = 0;
    uint64_t pos = head_;
    while (n < burst_) {
      if (pos == curEnd_) {
        uint64_t end = ring_.committedEnd(pos);
        if (end == 0) break;
        curEnd_ = end;
        curEndPublic_.store(end, std::memory_order_relaxed);
      }
      const SequenceSlot& s = ring_.at(pos);
      if (paced_ && s.dueTsc.load(std::memory_order_relaxed) > now) break;
      items[n++] = s.item;
      pos++;
    }
    if (n == 0) return 0;
    uint32_t sent = sink_.send(items, n);
    for (uint32_t i = 0; i < sent; i++) sink_.account(ring_.at(head_ + i), now);
    head_ += sent;
    publishHead();
    return sent;
  }

  // The sole producer's shortcut (one core at topspeed, flush mode): its block [pos, pos + n),
  // when it starts at the head (everything before it has left), goes to the sink straight
  // from the builder's array, never through the ring's slots. One try: returns how many the
  // sink took, and the head moves past them as if they had drained; the caller commits the
  // rest to the ring, at the head. `bytes`: the block's (a sent item may be freed already).
  uint32_t sendAtHead(uint64_t pos, void** items, uint32_t n, uint64_t bytes, uint16_t owner) {
    uint32_t sent = sink_.send(items, n);
    sink_.accountSent(sent, sent == n ? bytes : bytes - sink_.bytesOf(items + sent, n - sent), owner);
    head_ = curEnd_ = pos + sent;
    curEndPublic_.store(head_, std::memory_order_relaxed);
    publishHead();
    return sent;
  }

  // Flush mode: drain what is ready unless another core is already at it.
  uint32_t tryDrain(uint64_t now, uint32_t maxBursts = 4) {
    uint32_t total = 0;
    for (int round = 0; round < 2; round++) {
      if (busy_.load(std::memory_order_relaxed) || busy_.exchange(true, std::memory_order_acquire)) return total;
      for (uint32_t b = 0; b < maxBursts; b++) {
        uint32_t got = drainOnce(now);
        total += got;
        if (got < burst_) break;
      }
      busy_.store(false, std::memory_order_release);
      if (!readyAt(now)) break;  // a commit that found us busy, or not at the head, is picked up here
    }
    return total;
  }

  // Whether the head packet is committed (and due): readable from any thread.
  bool readyAt(uint64_t now) const {
    uint64_t h = headPublic_.load(std::memory_order_seq_cst);
    if (h >= curEndPublic_.load(std::memory_order_relaxed) && ring_.committedEnd(h, std::memory_order_seq_cst) == 0) return false;
    return !paced_ || ring_.at(h).dueTsc.load(std::memory_order_relaxed) <= now;
  }
  // TSC at which the head packet is due; UINT64_MAX when nothing is committed.
  uint64_t nextDueTsc() const {
    uint64_t h = headPublic_.load(std::memory_order_acquire);
    if (h >= curEndPublic_.load(std::memory_order_relaxed) && ring_.committedEnd(h) == 0) return UINT64_MAX;
    return paced_ ? ring_.at(h).dueTsc.load(std::memory_order_relaxed) : 0;
  }
  uint64_t head() const { return headPublic_.load(std::memory_order_seq_cst); }
  // End of the committed block the head is in (== head between blocks).
  uint64_t blockEnd() const { return curEndPublic_.load(std::memory_order_relaxed); }

 private:
  // After head_ moved: readers see it, producers may reuse the slots before it.
  void publishHead() {
    headPublic_.store(head_, std::memory_order_seq_cst);  // see SequenceRing::commit
    ring_.release(head_);
  }

  SequenceRing& ring_;
  Sink& sink_;
  const bool paced_;
  const uint32_t burst_;
  alignas(64) std::atomic<bool> busy_{false};
  alignas(64) uint64_t head_ = 0;  // drainer-owned
  uint64_t curEnd_ = 0;            // end of the committed block the head is in
  alignas(64) std::atomic<uint64_t> headPublic_{0};
  std::atomic<uint64_t> curEndPublic_{0};
};

}  // namespace txcore
