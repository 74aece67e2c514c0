// The bounded queue between TypeScript's PlanBuilder (ONNX inference -> count chunks) and
// the feeder thread. A fixed number of chunk slots whose arrays are reused (they grow to the
// largest chunk seen, which the model bounds, never the duration): JavaScript copies a chunk
// in only when a slot is free, else it awaits waitRoom(), so a feeder that is behind holds
// the producer back (back-pressure) and memory stays fixed however long the run.
// One producer (the JavaScript thread), one consumer (the feeder); per chunk, not per packet,
// so a mutex is fine. DPDK-free.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

namespace txcore {

// A CountChunk (libs/flow-model regeneration-plan.ts) as copied across.
struct SynthChunk {
  uint64_t firstBin = 0;
  uint32_t binCount = 0;
  std::vector<uint32_t> entryOffset, instance, firstPacket, count;
  // newInstances: class members first used here, numbered on from the previous count.
  std::vector<uint32_t> newTemplate, newVariant;
  std::vector<double> newPackets, newReverse, newStartNs, newEndNs;

  // Shape checks (sizes, ascending offsets); "" or what is wrong.
  std::string check() const;
};

class SynthChunkQueue {
 public:
  explicit SynthChunkQueue(unsigned slots = 3) : slots_(slots) {}

  // --- producer (JavaScript thread) ---
  // A free slot to fill, or nullptr when the queue is full or closed; then commitPush()
  // (keep = false gives the slot back unused, e.g. when the chunk failed its checks).
  SynthChunk* beginPush();
  void commitPush(bool keep = true);
  // Blocks until a slot is free (true) or the queue was closed (false): the run ended or
  // was stopped (stop() closes it too).
  bool waitRoom();
  void endInput();
  // The producer failed (ONNX, a bad model): the run ends after what it already has.
  void abortInput(const std::string& message);

  // --- consumer (feeder) ---
  // The next chunk, waiting for one; nullptr at the end of input, on abort or stop, or
  // (with a deadline) when none came in time.
  const SynthChunk* pop(const std::atomic<bool>& stop, std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max());
  const SynthChunk* tryPop();
  void release();  // done with the chunk pop() returned
  bool inputEnded() const;
  bool aborted(std::string* message) const;
  // No more chunks will be taken (the run ended or stopped): waitRoom() returns false.
  void close();

 private:
  std::vector<SynthChunk> slots_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  uint64_t pushed_ = 0, popped_ = 0, released_ = 0;
  bool filling_ = false, ended_ = false, closed_ = false, aborted_ = false;
  std::string abortMessage_;
};

}  // namespace txcore
