#include "synth-chunk-queue.h"


namespace txcore {
namespace {

constexpr auto kPoll = std::chrono::milliseconds(1);  // stop() sets a flag only: waits re-check it this often

}  // namespace

std::string SynthChunk::check() const {
  if (binCount < 1) return "chunk.binCount must be >= 1";
  if (entryOffset.size() != size_t{binCount} + 1 || entryOffset[0] != 0 || entryOffset[binCount] != instance.size()) {
    return "chunk.entryOffset must hold binCount + 1 ascending offsets from 0 to the entry count";
  }
  for (uint32_t i = 0; i < binCount; i++) {
    if (entryOffset[i] > entryOffset[i + 1]) return "chunk.entryOffset is not ascending";
  }
  if (firstPacket.size() != instance.size() || count.size() != instance.size()) return "chunk.instance, firstPacket and count must be parallel";
  size_t n = newTemplate.size();
  if (newVariant.size() != n || newPackets.size() != n || newReverse.size() != n || newStartNs.size() != n || newEndNs.size() != n) {
    return "chunk.newInstances arrays must be parallel";
  }
  return "";
}

SynthChunk* SynthChunkQueue::beginPush() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (closed_ || ended_ || aborted_ || filling_ || pushed_ - released_ >= slots_.size()) return nullptr;
  filling_ = true;
  return &slots_[pushed_ % slots_.size()];
}

void SynthChunkQueue::commitPush(bool keep) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    filling_ = false;
    if (keep) pushed_++;
  }
  changed_.notify_all();
}

bool SynthChunkQueue::waitRoom() {
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    if (closed_ || ended_ || aborted_) return false;
    if (pushed_ - released_ < slots_.size()) return true;
    changed_.wait_for(lock, kPoll);
  }
}

void SynthChunkQueue::endInput() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    ended_ = true;
  }
  changed_.notify_all();
}

void SynthChunkQueue::abortInput(const std::string& message) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!aborted_) abortMessage_ = message;
    aborted_ = true;
  }
  changed_.notify_all();
}

const SynthChunk* SynthChunkQueue::pop(const std::atomic<bool>& stop, std::chrono::steady_clock::time_point deadline) {
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    if (aborted_ || stop.load(std::memory_order_relaxed)) return nullptr;
    if (popped_ < pushed_) return &slots_[popped_++ % slots_.size()];
    if (ended_ || std::chrono::steady_clock::now() >= deadline) return nullptr;
    changed_.wait_for(lock, kPoll);
  }
}

const SynthChunk* SynthChunkQueue::tryPop() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (aborted_ || popped_ >= pushed_) return nullptr;
  return &slots_[popped_++ % slots_.size()];
}

void SynthChunkQueue::release() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    released_++;
  }
  changed_.notify_all();
}

bool SynthChunkQueue::inputEnded() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return ended_ && popped_ >= pushed_;
}

bool SynthChunkQueue::aborted(std::string* message) const {
  std::lock_guard<std::mutex> lock(mutex_);
  if (aborted_ && message != nullptr) *message = abortMessage_;
  return aborted_;
}

void SynthChunkQueue::close() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    closed_ = true;
  }
  changed_.notify_all();
}

}  // namespace txcore
