// The IO side of exact replay: ONE reader thread streams the trace from disk through a
// fixed set of buffers (2 x 64 MB by default), parses record boundaries, numbers every
// packet in the global order, computes its due time (pacer.h), binds its flow to a core and,
// for --tag, numbers it within its flow. Generation cores then copy packets out of the
// buffer into mbufs. A buffer is refilled only after every core has released it, i.e. after
// every packet in it was copied: memory does not grow with the trace (issue 3).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>

#include "flow-table.h"
#include "pacer.h"
#include "trace-parser.h"
#include "txcore-failure.h"

namespace txcore {

constexpr unsigned kMaxCores = 64;
constexpr unsigned kTraceBuffers = 2;

struct PacketDesc {
  uint32_t offset;  // of the frame's first byte in the buffer
  uint32_t caplen;
  int64_t dueNs;    // from the run's start
};

struct TagDesc {
  uint64_t flowSeq;
  uint32_t flowId;
  uint32_t payloadOffset;  // first byte after the decoded headers
};

struct alignas(64) TraceBuffer {
  uint8_t* bytes = nullptr;
  size_t capacity = 0;
  PacketDesc* descs = nullptr;
  TagDesc* tags = nullptr;      // only with --tag
  uint32_t* coreIndex = nullptr;  // cores x descCapacity, only with several cores
  uint32_t descCapacity = 0;
  // Written by the reader before it publishes the buffer:
  uint32_t count = 0;
  uint64_t firstSeq = 0;  // global sequence number of descs[0]
  uint32_t coreCount[kMaxCores] = {};
  alignas(64) std::atomic<uint32_t> published{0};  // generation + 1 once readable
  alignas(64) std::atomic<uint32_t> released{0};   // cores done with it
  const uint32_t* indexOf(unsigned core) const { return coreIndex + static_cast<size_t>(core) * descCapacity; }
};

struct StreamConfig {
  std::string path;
  size_t bufferBytes = 64u << 20;
  unsigned cores = 1;
  unsigned loops = 1;
  uint64_t maxPackets = UINT64_MAX;  // the stream ends after this many packets (across loops)
  bool tag = false;
  PacingConfig pacing;
};

class TraceStreamer {
 public:
  TraceStreamer() = default;
  ~TraceStreamer();
  TraceStreamer(const TraceStreamer&) = delete;
  TraceStreamer& operator=(const TraceStreamer&) = delete;

  // Opens the trace, checks its header and allocates (and pre-faults) the buffers.
  TxFailure open(const StreamConfig& config);
  // IO thread: faults the buffers in, then fills each once before the start, so the first
  // packets are on time.
  void prefill(const std::atomic<bool>& stop);
  // IO thread: refills buffers as cores release them, until the end, an error or stop.
  void serve(const std::atomic<bool>& stop);

  // Core side: the buffer of generation `gen`, or nullptr once the stream has ended.
  const TraceBuffer* acquire(uint32_t gen, const std::atomic<bool>& stop) const;
  void release(const TraceBuffer* buffer) const;

  // Total packets in the stream; UINT64_MAX until the reader has reached the end.
  uint64_t endSeq() const { return endSeq_.load(std::memory_order_acquire); }
  bool ended() const { return endGen_.load(std::memory_order_acquire) != kNoEnd; }
  const TxFailure& failure() const { return failure_; }  // valid once ended()
  uint64_t bufferWaits() const { return bufferWaits_.load(std::memory_order_relaxed); }
  uint32_t flows() const { return flows_.flows(); }

 private:
  static constexpr uint32_t kNoEnd = UINT32_MAX;
  bool fill(uint32_t gen, const std::atomic<bool>& stop);
  bool waitForRelease(const TraceBuffer& b, const std::atomic<bool>& stop);
  bool parseInto(TraceBuffer& b, size_t used, size_t* pos, bool* needMore);
  void addPacket(TraceBuffer& b, const TraceRecord& rec, size_t pos);
  bool readMore(TraceBuffer& b, size_t* used);
  bool restartLoop();
  void finish(uint32_t generations);
  void fail(const char* what, const std::string& message, size_t pos);

  StreamConfig config_;
  int fd_ = -1;
  TraceParser parser_;
  Pacer pacer_{PacingConfig{}};
  FlowTable flows_;
  TraceBuffer buffers_[kTraceBuffers];
  uint8_t* arena_ = nullptr;
  size_t arenaBytes_ = 0;
  // Reader state.
  bool eof_ = false;
  unsigned loop_ = 0;
  uint64_t seq_ = 0;
  int64_t recordInFile_ = 0;
  size_t carryFrom_ = 0, carryBytes_ = 0;  // unparsed tail of the previous buffer
  int64_t fileBase_ = 0;                   // file offset of buffer position baseAt_
  size_t baseAt_ = 0;
  uint32_t nextGen_ = 0;
  TxFailure failure_;
  std::atomic<uint64_t> endSeq_{UINT64_MAX};
  std::atomic<uint32_t> endGen_{kNoEnd};
  mutable std::atomic<uint64_t> bufferWaits_{0};
};

}  // namespace txcore
