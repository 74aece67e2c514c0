// The bounded multi-producer multi-consumer lock-free queue between the time-series
// replay's worker threads and its TX threads (paper 2, section V.B.2: "worker threads and
// TX threads act as producers and consumers"; the paper used Boost's lockfree::queue).
//
// D. Vyukov's bounded MPMC design: a power-of-two array of cells, each with a sequence
// number that says whose turn the cell is. A producer claims position p with one CAS on
// the enqueue counter when cell p's sequence equals p, writes the value and publishes it
// by storing p + 1; a consumer claims p when the sequence is p + 1, reads, and frees the
// cell for the next lap by storing p + capacity. No locks, no allocation after init, and
// a full or empty queue is reported at once (the caller decides how to wait).
//
// close() marks the end of the producers' work: a consumer that finds the queue empty
// after seeing closed() has seen every element (the close is released after the last
// push, and tryPop re-checks after the acquire).
// DPDK-free: test/ts-pipeline-test.cc runs it under ThreadSanitizer.
#pragma once

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <new>
#include <type_traits>

namespace txcore {

template <typename T>
class MpmcQueue {
  static_assert(std::is_trivially_copyable_v<T>, "cells are copied with plain stores");

 public:
  MpmcQueue() = default;
  ~MpmcQueue() { std::free(cells_); }
  MpmcQueue(const MpmcQueue&) = delete;
  MpmcQueue& operator=(const MpmcQueue&) = delete;

  // `capacity` must be a power of two (>= 2).
  bool init(uint32_t capacity) {
    if (capacity < 2 || (capacity & (capacity - 1)) != 0) return false;
    void* mem = std::aligned_alloc(64, ((sizeof(Cell) * capacity + 63) / 64) * 64);
    if (mem == nullptr) return false;
    cells_ = static_cast<Cell*>(mem);
    for (uint32_t i = 0; i < capacity; i++) new (&cells_[i]) Cell{};
    for (uint32_t i = 0; i < capacity; i++) cells_[i].seq.store(i, std::memory_order_relaxed);
    mask_ = capacity - 1;
    return true;
  }
  uint32_t capacity() const { return static_cast<uint32_t>(mask_ + 1); }

  bool tryPush(const T& value) {
    uint64_t pos = enqueuePos_.load(std::memory_order_relaxed);
    for (;;) {
      Cell& cell = cells_[pos & mask_];
      uint64_t seq = cell.seq.load(std::memory_order_acquire);
      int64_t diff = static_cast<int64_t>(seq - pos);
      if (diff == 0) {
        if (enqueuePos_.compare_exchange_weak(pos, pos + 1, std::memory_order_relaxed)) {
          cell.value = value;
          cell.seq.store(pos + 1, std::memory_order_release);
          return true;
        }
      } else if (diff < 0) {
        return false;  // full: the cell still holds last lap's value
      } else {
        pos = enqueuePos_.load(std::memory_order_relaxed);
      }
    }
  }

  bool tryPop(T* out) {
    uint64_t pos = dequeuePos_.load(std::memory_order_relaxed);
    for (;;) {
      Cell& cell = cells_[pos & mask_];
      uint64_t seq = cell.seq.load(std::memory_order_acquire);
      int64_t diff = static_cast<int64_t>(seq - (pos + 1));
      if (diff == 0) {
        if (dequeuePos_.compare_exchange_weak(pos, pos + 1, std::memory_order_relaxed)) {
          *out = cell.value;
          cell.seq.store(pos + mask_ + 1, std::memory_order_release);
          return true;
        }
      } else if (diff < 0) {
        return false;  // empty
      } else {
        pos = dequeuePos_.load(std::memory_order_relaxed);
      }
    }
  }

  // Producers are done (after their last push). Consumers: pop until empty, then ended().
  void close() { closed_.store(true, std::memory_order_release); }
  bool closed() const { return closed_.load(std::memory_order_acquire); }
  // Approximate (racy by nature): for stats only.
  uint64_t sizeApprox() const {
    uint64_t e = enqueuePos_.load(std::memory_order_relaxed), d = dequeuePos_.load(std::memory_order_relaxed);
    return e > d ? e - d : 0;
  }

 private:
  struct Cell {
    std::atomic<uint64_t> seq{0};
    T value{};
  };
  Cell* cells_ = nullptr;
  uint64_t mask_ = 0;
  alignas(64) std::atomic<uint64_t> enqueuePos_{0};
  alignas(64) std::atomic<uint64_t> dequeuePos_{0};
  alignas(64) std::atomic<bool> closed_{false};
};

}  // namespace txcore
