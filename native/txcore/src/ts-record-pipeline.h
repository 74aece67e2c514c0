// The IO and worker side of time-series replay (paper 2, section V.B, Figure 7):
//
//   archive --pread--> IO thread --chunks--> per-worker double buffers --> worker threads
//        --record descriptors--> MPMC queue (normal) + MPMC queue (out-of-order) --> TX threads
//
// - ONE IO thread reads the archive in chunks of `bufferBytes` (64 MB by default) into the
//   workers' buffers, chunk k into worker k mod W's buffer (k / W) mod 2. It scans each
//   chunk's Length fields and cuts it after the last whole record; the next read starts at
//   the first incomplete record (the paper adjusts the file cursor the same way), so no
//   buffer ever holds a partial record. Bad lengths and a file ending mid-record are found
//   here.
// - Worker threads decode their chunk's timestamps in parallel (BCD -> UTC us), then, in
//   chunk order (a push ticket: chunk k is pushed only after chunk k-1), map each Device ID
//   to its flow, choose the out-of-order records and push one descriptor per record
//   (offset, size, device, flow, buffer: V.B.2) into the normal or the out-of-order queue.
//   The ticket keeps the queues in file order however many workers there are; decoding is
//   what the workers share.
// - TX threads (ts-replay-engine.h) pop descriptors and copy the record out of its buffer
//   into a frame; done() counts it off, and a buffer is refilled only when every record of
//   its chunk is done with. Memory is the buffers, the queues and the flow tables: it does
//   not grow with the archive.
// Stop, end and failure: the IO thread stops at the end, a bad record or stop(); a worker
// stops pushing at a bad timestamp; either way every record before the first bad one is
// pushed, then the queues are closed. DPDK-free: test/ts-pipeline-test.cc runs all of it
// under ThreadSanitizer.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "mpmc-queue.h"
#include "ts-flow-table.h"
#include "ts-record-schedule.h"
#include "ts-thread-placement.h"
#include "txcore-failure.h"

namespace txcore {

namespace stage {
inline constexpr const char* kArchiveOpen = "ARCHIVE_OPEN";
inline constexpr const char* kArchiveBadLength = "ARCHIVE_BAD_LENGTH";
inline constexpr const char* kArchiveBadBcd = "ARCHIVE_BAD_BCD";
inline constexpr const char* kArchiveBadDate = "ARCHIVE_BAD_DATE";
inline constexpr const char* kArchiveTruncated = "ARCHIVE_TRUNCATED";
inline constexpr const char* kFlowLimit = "FLOW_LIMIT";
}  // namespace stage

constexpr unsigned kTsMaxWorkers = 16;
constexpr uint16_t kTsOutOfOrder = 1;

// One record in a queue: paper 2's entry (record offset, size, device, flow, buffer) plus
// its due time and its number in the file.
struct TsRecordDesc {
  int64_t dueNs;    // from the run's start (ts-record-schedule.h), out-of-order delay included
  uint64_t record;  // 0-based number in the archive
  uint32_t offset;  // of the record's first byte in its buffer
  uint16_t length;  // the record's total length
  uint16_t flow;
  uint16_t buffer;  // worker x 2 + half
  uint16_t flags;   // kTsOutOfOrder
  uint32_t device;  // in order of first appearance
};
static_assert(sizeof(TsRecordDesc) == 32);

struct TsPipelineConfig {
  std::string path;
  size_t bufferBytes = 64u << 20;
  unsigned workers = 1;
  uint32_t queueSlots = 8192;
  TsScheduleConfig schedule;
  TsFlowConfig flows;
  const TsThreadPlacement* placement = nullptr;  // worker threads take its "other" CPUs
};

struct alignas(64) TsChunkBuffer {
  uint8_t* bytes = nullptr;
  int64_t* utcUs = nullptr;  // the worker's decoded timestamps, one per record
  // Written by the IO thread before it publishes the chunk; the worker copies them out.
  uint64_t chunk = 0;
  uint64_t firstRecord = 0;
  int64_t fileOffset = 0;
  uint32_t count = 0;
  alignas(64) std::atomic<uint64_t> published{0};    // chunk + 1 once readable
  alignas(64) std::atomic<uint32_t> outstanding{0};  // records of the chunk not done with yet
};

class TsRecordPipeline {
 public:
  TsRecordPipeline() = default;
  ~TsRecordPipeline();
  TsRecordPipeline(const TsRecordPipeline&) = delete;
  TsRecordPipeline& operator=(const TsRecordPipeline&) = delete;

  // Opens the archive, allocates buffers, queues and flow tables. Any thread, before the start.
  TxFailure open(const TsPipelineConfig& config);
  // IO thread, before the start: faults the buffers in, reads the first chunks (T_g is the
  // first record's timestamp), starts the workers (which fill the queues up).
  void prefill(const std::atomic<bool>& stop);
  // IO thread: reads until the end, a bad record or stop; joins the workers; closes the queues.
  void serve(const std::atomic<bool>& stop);
  // After every TX thread is done: unmaps the buffers (the run object may outlive the run
  // until JavaScript collects it; the next run must not pay for this one's buffers).
  void releaseBuffers();

  MpmcQueue<TsRecordDesc>& queue() { return queue_; }
  MpmcQueue<TsRecordDesc>& oooQueue() { return oooQueue_; }
  const uint8_t* recordBytes(const TsRecordDesc& d) const { return buffers_[d.buffer].bytes + d.offset; }
  // A TX thread is done with `records` records of buffer `buffer` (copied or dropped).
  void done(uint16_t buffer, uint32_t records) { buffers_[buffer].outstanding.fetch_sub(records, std::memory_order_acq_rel); }

  const TsFlowTable& flows() const { return flows_; }
  // The earliest bad record's failure; valid once finished().
  TxFailure failure() const;
  bool finished() const { return finished_.load(std::memory_order_acquire); }
  uint64_t recordsRead() const { return recordsRead_.load(std::memory_order_relaxed); }
  uint64_t pushed() const { return pushed_.load(std::memory_order_relaxed); }
  uint64_t pushedOutOfOrder() const { return pushedOoo_.load(std::memory_order_relaxed); }
  uint64_t bufferWaits() const { return bufferWaits_.load(std::memory_order_relaxed); }
  uint64_t queueFullWaits() const { return queueFullWaits_.load(std::memory_order_relaxed); }
  size_t bufferBytesTotal() const { return arenaBytes_; }

 private:
  static constexpr uint64_t kNoChunk = UINT64_MAX;
  TsChunkBuffer& bufferOf(uint64_t chunk) { return buffers_[(chunk % workers_) * 2 + (chunk / workers_) % 2]; }
  bool readChunk(uint64_t chunk, const std::atomic<bool>& stop);
  bool waitFree(TsChunkBuffer& b, const std::atomic<bool>& stop);
  size_t readAt(uint8_t* dst, size_t n, int64_t at, bool* eof);
  uint32_t scan(const uint8_t* p, size_t n, bool eof, uint64_t chunk, size_t* used);
  void endAt(uint64_t chunks);
  void startWorkers(const std::atomic<bool>& stop);
  void waitPrimed(const std::atomic<bool>& stop);
  // A worker's place in its current chunk (the buffer's metadata copied out at acquire).
  struct ChunkCursor {
    TsChunkBuffer* buffer;
    uint64_t chunk;
    uint32_t count;
    uint64_t firstRecord;
    int64_t fileOffset;
    uint32_t good = count;  // records before the first bad timestamp (count until one is found)
    uint32_t decoded = 0;
    size_t decodePos = 0;
  };
  static constexpr uint32_t kDecodeSlice = 4096;
  void workerLoop(unsigned w, const std::atomic<bool>& stop);
  void decodeSlice(ChunkCursor& c);
  uint32_t pushChunk(ChunkCursor& c, const std::atomic<bool>& stop);
  bool pushOne(const TsRecordDesc& d, const std::atomic<bool>& stop);
  void recordFailure(const char* what, const std::string& why, int64_t offset, uint64_t record, uint64_t chunk);

  TsPipelineConfig config_;
  unsigned workers_ = 1;
  int fd_ = -1;
  uint8_t* arena_ = nullptr;
  size_t arenaBytes_ = 0;
  size_t touchBytes_ = 0;  // of each buffer, faulted in before the start
  TsChunkBuffer buffers_[kTsMaxWorkers * 2];
  MpmcQueue<TsRecordDesc> queue_;
  MpmcQueue<TsRecordDesc> oooQueue_;
  TsFlowTable flows_;
  TsSchedule schedule_;
  std::vector<std::thread> threads_;
  // IO thread state.
  uint64_t nextChunk_ = 0;
  uint64_t nextRecord_ = 0;
  int64_t nextOffset_ = 0;
  bool ioEnded_ = false;
  // Shared.
  alignas(64) std::atomic<uint64_t> pushTicket_{0};     // the chunk whose records go into the queues next
  alignas(64) std::atomic<uint64_t> endChunk_{kNoChunk};  // chunks published in all, once known
  std::atomic<uint64_t> haltChunk_{kNoChunk};             // no chunk from this one on is pushed (a bad record)
  std::atomic<bool> finished_{false};
  mutable std::mutex failureLock_;
  TxFailure failure_;
  uint64_t failureRecord_ = UINT64_MAX;
  alignas(64) std::atomic<uint64_t> recordsRead_{0};
  std::atomic<uint64_t> pushed_{0};
  std::atomic<uint64_t> pushedOoo_{0};
  std::atomic<uint64_t> bufferWaits_{0};
  std::atomic<uint64_t> queueFullWaits_{0};
};

}  // namespace txcore
