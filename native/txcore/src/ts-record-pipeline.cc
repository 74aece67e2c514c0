#include "ts-record-pipeline.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cerrno>
#include <cstring>

#include "ts-record-codec.h"
#include "tsc-waiter.h"

namespace txcore {
namespace {

size_t pageAlign(size_t v) { return (v + 4095) / 4096 * 4096; }

// Faults `bytes` in, so the footprint is fixed before the first record (the RSS of a
// replay does not grow with the archive: docs/timeseries.md) and no fault lands mid-run.
void populate(uint8_t* p, size_t bytes) {
  for (size_t off = 0; off < bytes; off += 4096) static_cast<volatile uint8_t*>(p)[off] = 0;
}

}  // namespace

TsRecordPipeline::~TsRecordPipeline() {
  for (std::thread& t : threads_) {
    if (t.joinable()) t.join();  // only after a failed start: serve() joins them otherwise
  }
  if (fd_ >= 0) ::close(fd_);
  if (arena_ != nullptr) munmap(arena_, arenaBytes_);
}

TxFailure TsRecordPipeline::open(const TsPipelineConfig& config) {
  config_ = config;
  workers_ = config.workers;
  if (workers_ < 1 || workers_ > kTsMaxWorkers || config.bufferBytes < (1u << 20) || config.bufferBytes > (1ull << 32) - 1) {
    return TxFailure::make(stage::kBadConfig, EINVAL, "workers must be 1.." + std::to_string(kTsMaxWorkers) + " and buffers 1 MB .. 4 GB");
  }
  if (!queue_.init(config.queueSlots) || !oooQueue_.init(config.queueSlots)) return TxFailure::make(stage::kBadConfig, EINVAL, "queue slots must be a power of two");
  std::string why;
  if (!flows_.init(config.flows, &why)) return TxFailure::make(stage::kBadConfig, EINVAL, why);
  schedule_ = TsSchedule(config.schedule);
  fd_ = ::open(config.path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ < 0) return TxFailure::make(stage::kArchiveOpen, errno, "cannot open '" + config.path + "': " + strerror(errno));
  struct stat st{};
  if (fstat(fd_, &st) != 0 || !S_ISREG(st.st_mode)) return TxFailure::make(stage::kArchiveOpen, EINVAL, "'" + config.path + "' is not a regular file");
  posix_fadvise(fd_, 0, 0, POSIX_FADV_SEQUENTIAL);
  const size_t bytes = pageAlign(config.bufferBytes), utc = pageAlign(config.bufferBytes / kTsHeaderBytes * sizeof(int64_t));
  arenaBytes_ = (bytes + utc) * 2 * workers_;
  void* p = mmap(nullptr, arenaBytes_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) return TxFailure::make(stage::kNoMemory, ENOMEM, "cannot allocate " + std::to_string(arenaBytes_ >> 20) + " MB of archive buffers");
  arena_ = static_cast<uint8_t*>(p);
  uint8_t* at = arena_;
  for (unsigned i = 0; i < 2 * workers_; i++) {
    buffers_[i].bytes = at, at += bytes;
    buffers_[i].utcUs = reinterpret_cast<int64_t*>(at), at += utc;
  }
  // Only what the file can fill: a small archive does not fault in two 64 MB buffers.
  touchBytes_ = std::min<size_t>(config.bufferBytes, static_cast<size_t>(st.st_size));
  return {};
}

void TsRecordPipeline::prefill(const std::atomic<bool>& stop) {
  for (unsigned i = 0; i < 2 * workers_; i++) populate(buffers_[i].bytes, touchBytes_);
  if (readChunk(0, stop)) {
    const TsChunkBuffer& b = buffers_[0];
    int64_t t0 = 0;
    if (b.count > 0 && decodeTsTimestamp(b.bytes + kTsTimestampAt, &t0) == TsDecode::kOk) schedule_.setFirstTimestamp(t0);
  }
  startWorkers(stop);
  while (!ioEnded_ && nextChunk_ < 2ull * workers_ && !stop.load(std::memory_order_relaxed) && readChunk(nextChunk_, stop)) {
  }
  waitPrimed(stop);
}

// The clock starts only once the queues hold the first records (half a queue, or all there
// are): a worker thread just created on a loaded host can take milliseconds to run, and the
// TX threads would find nothing to send for the first records' due times.
void TsRecordPipeline::waitPrimed(const std::atomic<bool>& stop) {
  const uint64_t target = std::min<uint64_t>(queue_.capacity() / 2, recordsRead_.load(std::memory_order_relaxed));
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  Backoff backoff;
  while (pushed_.load(std::memory_order_relaxed) < target && haltChunk_.load(std::memory_order_acquire) == kNoChunk &&
         !stop.load(std::memory_order_relaxed) && std::chrono::steady_clock::now() < until) {
    backoff.pause();
  }
}

void TsRecordPipeline::serve(const std::atomic<bool>& stop) {
  while (!ioEnded_ && !stop.load(std::memory_order_relaxed) && readChunk(nextChunk_, stop)) {
  }
  if (!ioEnded_) endAt(nextChunk_);  // stopped: waiting workers see the end
  for (std::thread& t : threads_) t.join();
  threads_.clear();
  queue_.close();
  oooQueue_.close();
  finished_.store(true, std::memory_order_release);
}

void TsRecordPipeline::releaseBuffers() {
  if (arena_ != nullptr) munmap(arena_, arenaBytes_);
  arena_ = nullptr;
  for (TsChunkBuffer& b : buffers_) b.bytes = nullptr, b.utcUs = nullptr;
}

TxFailure TsRecordPipeline::failure() const {
  std::lock_guard<std::mutex> lock(failureLock_);
  return failure_;
}

void TsRecordPipeline::recordFailure(const char* what, const std::string& why, int64_t offset, uint64_t record, uint64_t chunk) {
  std::lock_guard<std::mutex> lock(failureLock_);
  uint64_t halt = haltChunk_.load(std::memory_order_relaxed);
  if (chunk < halt) haltChunk_.store(chunk + 1, std::memory_order_release);
  if (record >= failureRecord_) return;  // an earlier record failed already: that one counts
  failureRecord_ = record;
  failure_ = TxFailure::make(what, EINVAL, "'" + config_.path + "': record " + std::to_string(record) + " at byte " + std::to_string(offset) + ": " + why);
  failure_.offset = offset;
  failure_.record = static_cast<int64_t>(record);
}

void TsRecordPipeline::endAt(uint64_t chunks) {
  ioEnded_ = true;
  endChunk_.store(chunks, std::memory_order_release);
}

// A buffer is refilled only when the worker has pushed its chunk and every TX thread is
// done with every record of it (outstanding reaches 0 after the chunk was published).
bool TsRecordPipeline::waitFree(TsChunkBuffer& b, const std::atomic<bool>& stop) {
  Backoff backoff;
  while (b.outstanding.load(std::memory_order_acquire) != 0 || b.published.load(std::memory_order_acquire) > pushTicket_.load(std::memory_order_acquire)) {
    if (stop.load(std::memory_order_relaxed)) return false;
    backoff.pause();
  }
  if (backoff.waited()) bufferWaits_.fetch_add(1, std::memory_order_relaxed);
  return true;
}

size_t TsRecordPipeline::readAt(uint8_t* dst, size_t n, int64_t at, bool* eof) {
  size_t got = 0;
  while (got < n) {
    ssize_t r = pread(fd_, dst + got, n - got, at + static_cast<int64_t>(got));
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) {
      recordFailure(stage::kArchiveOpen, std::string("read failed: ") + strerror(errno), at + static_cast<int64_t>(got), nextRecord_, nextChunk_);
      *eof = true;
      return got;
    }
    if (r == 0) {
      *eof = true;
      break;
    }
    got += static_cast<size_t>(r);
  }
  return got;
}

// Counts the whole records in p[0, n); `used` is where the first incomplete one starts.
// Bad Lengths and (at the end of the file) a record cut short end the stream there.
uint32_t TsRecordPipeline::scan(const uint8_t* p, size_t n, bool eof, uint64_t chunk, size_t* used) {
  size_t pos = 0;
  uint32_t count = 0;
  while (pos + 2 <= n) {
    uint32_t len = tsRecordLength(p + pos);
    if (len < kTsHeaderBytes) {
      recordFailure(stage::kArchiveBadLength, "Length " + std::to_string(len) + " is below the 30-byte record header",
                    nextOffset_ + static_cast<int64_t>(pos), nextRecord_ + count, chunk);
      ioEnded_ = true;
      break;
    }
    if (pos + len > n) break;
    pos += len;
    count++;
  }
  if (!ioEnded_ && eof && pos < n) {
    size_t left = n - pos;
    std::string why = left < 2 ? std::to_string(left) + " byte(s) left at the end of the file, too few for a Length field"
                               : "Length " + std::to_string(tsRecordLength(p + pos)) + " runs past the end of the file (" + std::to_string(left) + " bytes left)";
    recordFailure(stage::kArchiveTruncated, why, nextOffset_ + static_cast<int64_t>(pos), nextRecord_ + count, chunk);
    ioEnded_ = true;
  }
  *used = pos;
  return count;
}

// Reads chunk `chunk` into its buffer and publishes it; false when there is no more.
bool TsRecordPipeline::readChunk(uint64_t chunk, const std::atomic<bool>& stop) {
  TsChunkBuffer& b = bufferOf(chunk);
  if (!waitFree(b, stop)) return false;
  if (haltChunk_.load(std::memory_order_acquire) <= chunk) return endAt(chunk), false;
  bool eof = false;
  size_t n = readAt(b.bytes, config_.bufferBytes, nextOffset_, &eof);
  size_t used = 0;
  uint32_t count = scan(b.bytes, n, eof, chunk, &used);
  if (count == 0) return endAt(chunk), false;
  b.chunk = chunk;
  b.count = count;
  b.firstRecord = nextRecord_;
  b.fileOffset = nextOffset_;
  b.outstanding.store(count, std::memory_order_relaxed);
  b.published.store(chunk + 1, std::memory_order_release);
  recordsRead_.fetch_add(count, std::memory_order_relaxed);
  nextRecord_ += count;
  nextOffset_ += static_cast<int64_t>(used);
  nextChunk_ = chunk + 1;
  if (ioEnded_ || (eof && used == n)) endAt(chunk + 1);
  return true;
}

void TsRecordPipeline::startWorkers(const std::atomic<bool>& stop) {
  threads_.reserve(workers_);
  for (unsigned w = 0; w < workers_; w++) threads_.emplace_back([this, w, &stop] { workerLoop(w, stop); });
}

// Worker w handles chunks w, w + W, w + 2W, ...: it decodes timestamps slice by slice while
// an earlier chunk is being pushed (several workers), then pushes when the ticket reaches
// its chunk, decoding what is left as it goes (one worker: decode and push interleave, so
// the queue never waits for a whole chunk's decoding).
void TsRecordPipeline::workerLoop(unsigned w, const std::atomic<bool>& stop) {
  if (config_.placement != nullptr) config_.placement->enterOther();  // a thread of our own: not undone
  for (uint64_t chunk = w;; chunk += workers_) {
    TsChunkBuffer& b = bufferOf(chunk);
    Backoff wait;
    while (b.published.load(std::memory_order_acquire) != chunk + 1) {
      if (endChunk_.load(std::memory_order_acquire) <= chunk || stop.load(std::memory_order_relaxed)) return;
      wait.pause();
    }
    ChunkCursor c{&b, chunk, b.count, b.firstRecord, b.fileOffset};
    wait.reset();
    while (pushTicket_.load(std::memory_order_acquire) != chunk) {
      if (stop.load(std::memory_order_relaxed)) return;
      if (c.decoded < c.good) decodeSlice(c);
      else wait.pause();
    }
    uint32_t pushed = haltChunk_.load(std::memory_order_acquire) <= chunk ? 0 : pushChunk(c, stop);
    if (pushed < c.count) b.outstanding.fetch_sub(c.count - pushed, std::memory_order_acq_rel);  // never queued: done with
    pushTicket_.store(chunk + 1, std::memory_order_release);
    if (pushed < c.count) return;  // stopped, or a bad record: nothing after it is pushed
  }
}

// Decodes the next slice of timestamps into b.utcUs. At a bad one, records the failure and
// cuts `good` there.
void TsRecordPipeline::decodeSlice(ChunkCursor& c) {
  const uint32_t end = std::min(c.good, c.decoded + kDecodeSlice);
  for (; c.decoded < end; c.decoded++) {
    const uint8_t* rec = c.buffer->bytes + c.decodePos;
    TsDecode r = decodeTsTimestamp(rec + kTsTimestampAt, &c.buffer->utcUs[c.decoded]);
    if (__builtin_expect(r != TsDecode::kOk, 0)) {
      recordFailure(r == TsDecode::kBadBcd ? stage::kArchiveBadBcd : stage::kArchiveBadDate, describeTsTimestampProblem(rec + kTsTimestampAt),
                    c.fileOffset + static_cast<int64_t>(c.decodePos), c.firstRecord + c.decoded, c.chunk);
      c.good = c.decoded;
      return;
    }
    c.decodePos += tsRecordLength(rec);
  }
}

// Pushes the chunk's records up to the first bad one (holding the ticket: one pusher at a
// time, in file order), decoding slices as needed. Returns how many were pushed (fewer than
// the chunk's count: stopped, a bad timestamp, or a flow limit).
uint32_t TsRecordPipeline::pushChunk(ChunkCursor& c, const std::atomic<bool>& stop) {
  const uint16_t bufferId = static_cast<uint16_t>(c.buffer - buffers_);
  const uint8_t* bytes = c.buffer->bytes;
  size_t pos = 0;
  std::string why;
  uint32_t i = 0;
  for (; i < c.good; i++) {
    if (i == c.decoded) {
      decodeSlice(c);
      if (i == c.good) break;
    }
    const uint8_t* rec = bytes + pos;
    TsRecordDesc d{};
    d.record = c.firstRecord + i;
    d.offset = static_cast<uint32_t>(pos);
    d.length = static_cast<uint16_t>(tsRecordLength(rec));
    d.buffer = bufferId;
    if (__builtin_expect(!flows_.assign(rec + kTsDeviceAt, &d.device, &d.flow, &why), 0)) {
      recordFailure(stage::kFlowLimit, why, c.fileOffset + static_cast<int64_t>(pos), d.record, c.chunk);
      break;
    }
    d.dueNs = schedule_.dueNs(c.buffer->utcUs[i], d.record);
    uint32_t delayUs = 0;
    if (schedule_.outOfOrder(d.record, &delayUs)) {
      d.flags = kTsOutOfOrder;
      d.dueNs += static_cast<int64_t>(delayUs) * 1000;
    }
    if (!pushOne(d, stop)) break;
    pos += d.length;
    if ((i & 1023) == 1023) pushed_.fetch_add(1024, std::memory_order_relaxed);  // visible while pushing (waitPrimed, stats)
  }
  pushed_.fetch_add(i & 1023, std::memory_order_relaxed);
  return i;
}

bool TsRecordPipeline::pushOne(const TsRecordDesc& d, const std::atomic<bool>& stop) {
  MpmcQueue<TsRecordDesc>& q = (d.flags & kTsOutOfOrder) != 0 ? oooQueue_ : queue_;
  if (__builtin_expect(q.tryPush(d), 1)) {
    if ((d.flags & kTsOutOfOrder) != 0) pushedOoo_.fetch_add(1, std::memory_order_relaxed);
    return true;
  }
  queueFullWaits_.fetch_add(1, std::memory_order_relaxed);
  Backoff backoff;
  while (!q.tryPush(d)) {
    if (stop.load(std::memory_order_relaxed)) return false;
    backoff.pause();
  }
  if ((d.flags & kTsOutOfOrder) != 0) pushedOoo_.fetch_add(1, std::memory_order_relaxed);
  return true;
}

}  // namespace txcore
