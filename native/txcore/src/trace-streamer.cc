#include "trace-streamer.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "packet-decoder.h"
#include "tsc-waiter.h"

namespace txcore {
namespace {

constexpr size_t kMinDescCapacity = 1024;
constexpr size_t kBytesPerDesc = 64;  // a buffer indexes up to capacity/64 packets
constexpr size_t kAlign = 2u << 20;

size_t alignUp(size_t v, size_t a) { return (v + a - 1) / a * a; }

// Plain anonymous memory. Not MADV_HUGEPAGE: with the kernel's THP defrag=madvise default,
// faulting 160 MB in took 20 ms or 470 ms depending on fragmentation (direct compaction);
// 4 KB pages take a steady 60-90 ms here, once, before the start.
uint8_t* reserveArena(size_t bytes) {
  void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  return p == MAP_FAILED ? nullptr : static_cast<uint8_t*>(p);
}

// Faults every page in, so the replay's footprint is fixed before the first packet (equal
// RSS for 1M and 10M packets, issue 3) and no page fault lands on the hot path.
void populate(uint8_t* p, size_t bytes) {
  for (size_t off = 0; off < bytes; off += 4096) static_cast<volatile uint8_t*>(p)[off] = 0;
}

}  // namespace

TraceStreamer::~TraceStreamer() {
  if (fd_ >= 0) ::close(fd_);
  if (arena_ != nullptr) munmap(arena_, arenaBytes_);
}

TxFailure TraceStreamer::open(const StreamConfig& config) {
  config_ = config;
  pacer_ = Pacer(config.pacing);
  fd_ = ::open(config.path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ < 0) return TxFailure::make(stage::kTraceOpen, errno, "cannot open '" + config.path + "': " + strerror(errno));
  posix_fadvise(fd_, 0, 0, POSIX_FADV_SEQUENTIAL);
  uint8_t head[4] = {};
  ssize_t n = pread(fd_, head, sizeof head, 0);
  std::string why;
  if (n < 0) return TxFailure::make(stage::kTraceOpen, errno, "cannot read '" + config.path + "': " + strerror(errno));
  if (!parser_.detect(head, static_cast<size_t>(n), &why)) {
    TxFailure f = TxFailure::make(stage::kTraceFormat, EINVAL, "'" + config.path + "': " + why);
    f.offset = 0;
    f.record = 0;
    return f;
  }
  size_t descCap = std::max(kMinDescCapacity, config.bufferBytes / kBytesPerDesc);
  size_t perIndex = config.cores > 1 ? descCap * 4 * config.cores : 0;
  size_t perTags = config.tag ? descCap * sizeof(TagDesc) : 0;
  size_t each = alignUp(config.bufferBytes, 4096) + alignUp(descCap * sizeof(PacketDesc), 4096) +
                alignUp(perTags, 4096) + alignUp(perIndex, 4096);
  arenaBytes_ = alignUp(each * kTraceBuffers, kAlign);
  arena_ = reserveArena(arenaBytes_);
  if (arena_ == nullptr) return TxFailure::make(stage::kNoMemory, ENOMEM, "cannot allocate " + std::to_string(arenaBytes_ >> 20) + " MB of trace buffers");
  uint8_t* at = arena_;
  for (TraceBuffer& b : buffers_) {
    b.bytes = at, at += alignUp(config.bufferBytes, 4096);
    b.capacity = config.bufferBytes;
    b.descs = reinterpret_cast<PacketDesc*>(at), at += alignUp(descCap * sizeof(PacketDesc), 4096);
    b.tags = config.tag ? reinterpret_cast<TagDesc*>(at) : nullptr, at += alignUp(perTags, 4096);
    b.coreIndex = config.cores > 1 ? reinterpret_cast<uint32_t*>(at) : nullptr, at += alignUp(perIndex, 4096);
    b.descCapacity = static_cast<uint32_t>(descCap);
  }
  return {};
}

void TraceStreamer::prefill(const std::atomic<bool>& stop) {
  populate(arena_, arenaBytes_);
  while (nextGen_ < kTraceBuffers && !ended() && !stop.load(std::memory_order_relaxed) && fill(nextGen_, stop)) nextGen_++;
}

void TraceStreamer::serve(const std::atomic<bool>& stop) {
  while (!ended() && !stop.load(std::memory_order_relaxed) && fill(nextGen_, stop)) nextGen_++;
  if (!ended()) finish(nextGen_);  // stopped: let every waiting core see the end
}

const TraceBuffer* TraceStreamer::acquire(uint32_t gen, const std::atomic<bool>& stop) const {
  const TraceBuffer& b = buffers_[gen % kTraceBuffers];
  Backoff backoff;
  for (;;) {
    if (b.published.load(std::memory_order_acquire) == gen + 1) break;
    if (endGen_.load(std::memory_order_acquire) <= gen || stop.load(std::memory_order_relaxed)) return nullptr;
    backoff.pause();
  }
  if (backoff.waited()) bufferWaits_.fetch_add(1, std::memory_order_relaxed);
  return &b;
}

void TraceStreamer::release(const TraceBuffer* buffer) const {
  const_cast<TraceBuffer*>(buffer)->released.fetch_add(1, std::memory_order_acq_rel);
}

void TraceStreamer::finish(uint32_t generations) {
  endSeq_.store(seq_, std::memory_order_release);
  endGen_.store(generations, std::memory_order_release);
}

void TraceStreamer::fail(const char* what, const std::string& message, size_t pos) {
  failure_ = TxFailure::make(what, EINVAL, "'" + config_.path + "': " + message);
  failure_.offset = fileBase_ + static_cast<int64_t>(pos - baseAt_);
  failure_.record = recordInFile_;
  failure_.message += " (record " + std::to_string(recordInFile_) + ", offset " + std::to_string(failure_.offset) + ")";
}

// Fills and publishes generation `gen` (false: stopped before it could). When the stream
// ends inside it (end of the last loop, or a corrupt record), the end is published too.
bool TraceStreamer::fill(uint32_t gen, const std::atomic<bool>& stop) {
  TraceBuffer& b = buffers_[gen % kTraceBuffers];
  if (gen >= kTraceBuffers && !waitForRelease(b, stop)) return false;
  b.released.store(0, std::memory_order_relaxed);
  b.count = 0;
  b.firstSeq = seq_;
  memset(b.coreCount, 0, sizeof b.coreCount);
  if (carryBytes_ > 0) memcpy(b.bytes, buffers_[(gen + kTraceBuffers - 1) % kTraceBuffers].bytes + carryFrom_, carryBytes_);
  size_t used = carryBytes_, pos = 0;
  baseAt_ = 0;  // fileBase_ already names the carried bytes' offset
  carryBytes_ = 0;
  bool ended = false;
  for (;;) {
    bool needMore = false;
    if (!parseInto(b, used, &pos, &needMore)) { ended = true; break; }
    if (!needMore) break;  // descriptors full: the rest goes to the next buffer
    if (!eof_ && used < b.capacity) {
      if (!readMore(b, &used)) { ended = true; break; }
      continue;
    }
    if (!eof_) {  // buffer full, record incomplete
      if (pos == 0) {
        fail(stage::kTraceCorrupt, "a record is larger than the trace buffer (raise --buffer-mb)", pos);
        ended = true;
      }
      break;
    }
    if (pos < used) {
      fail(stage::kTraceTruncated, "the file ends in the middle of a record", pos);
      ended = true;
      break;
    }
    if (!restartLoop()) { ended = true; break; }
    baseAt_ = used;
    fileBase_ = 0;
  }
  if (!ended) {
    carryFrom_ = pos;
    carryBytes_ = used - pos;
    fileBase_ += static_cast<int64_t>(pos - baseAt_);
  }
  b.published.store(gen + 1, std::memory_order_release);
  if (ended) finish(gen + 1);
  return true;
}

// A buffer is refilled only once every core has copied every packet out of it.
bool TraceStreamer::waitForRelease(const TraceBuffer& b, const std::atomic<bool>& stop) {
  Backoff backoff;
  while (b.released.load(std::memory_order_acquire) < config_.cores) {
    if (stop.load(std::memory_order_relaxed)) return false;
    backoff.pause();
  }
  return true;
}

bool TraceStreamer::readMore(TraceBuffer& b, size_t* used) {
  ssize_t n;
  do {
    n = ::read(fd_, b.bytes + *used, b.capacity - *used);
  } while (n < 0 && errno == EINTR);
  if (n < 0) {
    failure_ = TxFailure::make(stage::kTraceOpen, errno, "read of '" + config_.path + "' failed: " + strerror(errno));
    return false;
  }
  if (n == 0) eof_ = true;
  *used += static_cast<size_t>(n);
  return true;
}

bool TraceStreamer::restartLoop() {
  // loops == 0 repeats until stopped; a trace without packets ends anyway.
  if (config_.loops != 0 && loop_ + 1 >= config_.loops) return false;
  if (config_.loops == 0 && recordInFile_ == 0) return false;
  loop_++;
  if (lseek(fd_, 0, SEEK_SET) != 0) {
    failure_ = TxFailure::make(stage::kTraceOpen, errno, "cannot rewind '" + config_.path + "' for the next loop");
    return false;
  }
  eof_ = false;
  recordInFile_ = 0;
  parser_.restart();
  pacer_.beginLoop(loop_);
  return true;
}

// Parses records from `*pos`; false on a corrupt record (failure_ set) or at the packet
// limit (no failure: the stream just ends). `needMore` is set when the bytes ran out (as
// opposed to the descriptor array filling up).
bool TraceStreamer::parseInto(TraceBuffer& b, size_t used, size_t* pos, bool* needMore) {
  std::string why;
  TraceRecord rec;
  while (b.count < b.descCapacity) {
    if (seq_ >= config_.maxPackets) return false;
    size_t consumed = 0;
    ParseResult r = parser_.next(b.bytes + *pos, used - *pos, &consumed, &rec, &why);
    if (r == ParseResult::kNeedMore) {
      *needMore = true;
      return true;
    }
    if (r == ParseResult::kError) {
      fail(stage::kTraceCorrupt, why, *pos);
      return false;
    }
    if (r == ParseResult::kPacket) addPacket(b, rec, *pos);
    *pos += consumed;
  }
  return true;
}

void TraceStreamer::addPacket(TraceBuffer& b, const TraceRecord& rec, size_t pos) {
  uint32_t i = b.count++;
  PacketDesc& d = b.descs[i];
  d.offset = static_cast<uint32_t>(pos + rec.dataOffset);
  d.caplen = rec.caplen;
  d.dueNs = pacer_.dueNs(rec.tsNs, rec.hasTs, rec.caplen);
  if (config_.cores > 1 || config_.tag) {
    DecodedPacket dp;
    decodePacket(b.bytes + d.offset, d.caplen, rec.linkType, &dp);
    if (config_.cores > 1) {
      // Non-IP packets all go to core 0 (the documented rule, docs/txcore.md).
      unsigned core = dp.isIp ? coreForHash(dp.flowHash, config_.cores) : 0;
      const_cast<uint32_t*>(b.indexOf(core))[b.coreCount[core]++] = i;
    }
    if (config_.tag) {
      TagDesc& t = b.tags[i];
      flows_.next(dp.isIp, dp.flowHash, &t.flowId, &t.flowSeq);
      t.payloadOffset = dp.payloadOffset;
    }
  }
  seq_++;
  recordInFile_++;
}

}  // namespace txcore
