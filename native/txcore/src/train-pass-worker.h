// The training pass on a thread of its own (issue 4, train speed). The reader's thread hands
// each batch over (a copy of the eight columns the pass reads, into one of a few reused
// buffers: ~30 bytes a packet) and goes back to reading while this thread counts it, so with
// a second CPU the per-packet pass costs no time beside reading the trace. The header
// templates are chosen on the caller's thread (TemplateSelector) while the batch's bytes are
// still the reader's. Only the batch hand-over takes a lock (once per batch of thousands).
// DPDK-free.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

#include "train-pass.h"
#include "train-template.h"

namespace txcore {

// Which packets become their direction's header template: FlowAccumulator.offerTemplate's
// rule, which depends only on the order of a direction's packets, their TCP flags and the
// flow's protocol (its first packet's). Appends (slot, packet index, version << 8 | protocol)
// to `out` when given, and captures the template (train-template.cc) when the batch has bytes.
class TemplateSelector {
 public:
  void select(const TrainBatch& b, std::vector<uint32_t>* out);
  // Per slot: the latest template captured (empty bytes: none).
  const std::vector<TrainTemplate>& templates() const { return templates_; }

 private:
  std::vector<TrainTemplate> templates_;
  std::vector<uint16_t> kind_;  // per flow: version << 8 | protocol of its first packet, 0: none yet
  std::vector<uint8_t> wants_;  // per slot: 1 no template yet, 2 a SYN's, 0 done (flow-stats.ts WANTS_TEMPLATE)
};

class TrainPassWorker {
 public:
  explicit TrainPassWorker(const TrainPassConfig& config);
  ~TrainPassWorker();
  TrainPassWorker(const TrainPassWorker&) = delete;
  TrainPassWorker& operator=(const TrainPassWorker&) = delete;

  // Queues a copy of the batch (waiting while every buffer is queued) and appends the
  // template triples of its packets.
  void addBatch(const TrainBatch& b, std::vector<uint32_t>* templates);
  // Waits until every queued batch is counted and stops the thread: the pass is the caller's.
  TrainPass& drain();
  const std::vector<TrainTemplate>& templates() const { return selector_.templates(); }

 private:
  struct Columns {
    uint32_t count = 0;
    std::vector<uint32_t> flowId, tsNsec, origLen;
    std::vector<uint8_t> ipVersion, proto, direction, tcpFlags;
    std::vector<double> tsSec;
    void copy(const TrainBatch& b);
    TrainBatch view() const;
  };
  static constexpr size_t kBuffers = 16;  // ~4 MB: the reader may run this far ahead of the low-priority counting

  void run();
  void stop();

  TrainPass pass_;
  TemplateSelector selector_;
  std::vector<Columns> buffers_;
  std::mutex mu_;
  std::condition_variable changed_;
  std::deque<size_t> queued_;   // buffers to count, oldest first
  std::vector<size_t> free_;    // buffers to fill
  bool closing_ = false;
  std::thread thread_;
};

}  // namespace txcore
