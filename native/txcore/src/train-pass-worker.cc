#include "train-pass-worker.h"

#include <pthread.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>

namespace txcore {

void TemplateSelector::select(const TrainBatch& b, std::vector<uint32_t>* out) {
  for (uint32_t i = 0; i < b.count; i++) {
    const uint32_t id = b.flowId[i];
    if (id == TrainPass::kNoFlow || b.ipVersion[i] == 0) continue;
    if (id >= kind_.size()) {
      const size_t next = std::max<size_t>(size_t{id} + 1, kind_.size() * 2);
      kind_.resize(next, 0);
      wants_.resize(next * 2, 0);
    }
    if (kind_[id] == 0) {  // the flow's first packet (an IP version is never 0)
      kind_[id] = static_cast<uint16_t>((b.ipVersion[i] << 8) | b.proto[i]);
      wants_[2 * size_t{id}] = wants_[2 * size_t{id} + 1] = 1;
    }
    const uint32_t slot = id * 2 + b.direction[i];
    if (wants_[slot] == 0) continue;
    const bool syn = (kind_[id] & 0xff) == 6 && (b.tcpFlags[i] & 0x02) != 0;
    if (wants_[slot] == 2 && syn) continue;
    if (out != nullptr) {
      out->push_back(slot);
      out->push_back(i);
      out->push_back(kind_[id]);
    }
    if (b.data != nullptr) {
      if (slot >= templates_.size()) templates_.resize(std::max<size_t>(size_t{slot} + 1, templates_.size() * 2));
      captureTrainTemplate(b.data, b.dataLen, b.dataOffset[i], b.capLen[i], b.linkType[i], kind_[id] >> 8, kind_[id] & 0xff, b.l3Offset[i], b.l4Offset[i], &templates_[slot]);
    }
    wants_[slot] = syn ? 2 : 0;
  }
}

void TrainPassWorker::Columns::copy(const TrainBatch& b) {
  count = b.count;
  flowId.assign(b.flowId, b.flowId + b.count);
  ipVersion.assign(b.ipVersion, b.ipVersion + b.count);
  proto.assign(b.proto, b.proto + b.count);
  tsSec.assign(b.tsSec, b.tsSec + b.count);
  tsNsec.assign(b.tsNsec, b.tsNsec + b.count);
  origLen.assign(b.origLen, b.origLen + b.count);
  direction.assign(b.direction, b.direction + b.count);
  tcpFlags.assign(b.tcpFlags, b.tcpFlags + b.count);
}

TrainBatch TrainPassWorker::Columns::view() const {
  TrainBatch b;
  b.count = count;
  b.flowId = flowId.data();
  b.ipVersion = ipVersion.data();
  b.proto = proto.data();
  b.tsSec = tsSec.data();
  b.tsNsec = tsNsec.data();
  b.origLen = origLen.data();
  b.direction = direction.data();
  b.tcpFlags = tcpFlags.data();
  return b;
}

TrainPassWorker::TrainPassWorker(const TrainPassConfig& config) : pass_(config), buffers_(kBuffers) {
  for (size_t k = 0; k < kBuffers; k++) free_.push_back(k);
  thread_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "memoco-train");  // in top and perf beside V8's threads
    // Lowest priority (Linux keeps nice per thread): woken at normal priority, this thread
    // preempted the reader on its own CPU instead of waiting for the other one, and training
    // a 1.22 GB trace took 0.85 s instead of 0.73 (medians of 7, bench train's child). At
    // nice 19 it still gets a share of a busy machine, so it is never starved; the reader
    // runs ahead by up to kBuffers batches.
    setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), 19);
    run();
  });
}

TrainPassWorker::~TrainPassWorker() { stop(); }

void TrainPassWorker::addBatch(const TrainBatch& b, std::vector<uint32_t>* templates) {
  selector_.select(b, templates);
  size_t k;
  {
    std::unique_lock<std::mutex> lock(mu_);
    changed_.wait(lock, [this] { return !free_.empty(); });
    k = free_.back();
    free_.pop_back();
  }
  buffers_[k].copy(b);  // outside the lock: the thread only reads queued buffers
  {
    std::lock_guard<std::mutex> lock(mu_);
    queued_.push_back(k);
  }
  changed_.notify_all();
}

TrainPass& TrainPassWorker::drain() {
  stop();
  return pass_;
}

void TrainPassWorker::stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    closing_ = true;
  }
  changed_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void TrainPassWorker::run() {
  for (;;) {
    size_t k;
    {
      std::unique_lock<std::mutex> lock(mu_);
      changed_.wait(lock, [this] { return !queued_.empty() || closing_; });
      if (queued_.empty()) return;  // closing, and every batch counted
      k = queued_.front();
      queued_.pop_front();
    }
    pass_.addBatch(buffers_[k].view(), nullptr);
    {
      std::lock_guard<std::mutex> lock(mu_);
      free_.push_back(k);
    }
    changed_.notify_all();
  }
}

}  // namespace txcore
