// The IO side of model synthesis, where the GLOBAL ORDER IS FIXED (docs/txcore.md "Model
// synthesis"). One feeder thread takes count chunks from the queue in bin order and, bin by
// bin: expands every entry this host sends (synth-bin-expander.h), orders the bin's packets
// by (time, instance, packet index), drops those at t >= end, and gives each packet the next
// global sequence number, which is its position in the sequence ring. It also advances each
// instance's history (IPv4 id, TCP sequence per direction, flow sequence) in that order and
// writes everything a core needs into the packet's descriptor, so a core builds bytes with
// no state of its own. Descriptors go into a fixed ring of batches (like the trace buffers
// of exact replay), with one index list per generation core: core c builds exactly the
// packets of the instances bound to it. A batch is refilled only after every core released
// it, so memory is fixed by the options, not by the duration. DPDK-free.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "pacer.h"
#include "synth-bin-expander.h"
#include "synth-chunk-queue.h"
#include "synth-packet-builder.h"
#include "txcore-failure.h"

namespace txcore {

namespace stage {
inline constexpr const char* kSynthPlan = "SYNTH_PLAN";    // the plan's tables are inconsistent
inline constexpr const char* kSynthInput = "SYNTH_INPUT";  // count chunks failed or are inconsistent
}  // namespace stage

constexpr unsigned kSynthBatches = 4;
// Each batch's descs[] is followed by this many more readable descriptors (zero, or stale
// ones of the same plan: every one names a valid slot), so a core may read ahead of the
// batch's end without a bound check (model-synthesis-engine.cc's prefetches).
constexpr uint32_t kSynthDescPad = 64;
constexpr unsigned kSynthMaxCores = 64;  // == kMaxCores (trace-streamer.h)

struct alignas(64) SynthBatch {
  SynthDesc* descs = nullptr;
  int64_t* dueNs = nullptr;       // paced runs only
  uint64_t* flowSeq = nullptr;    // --tag only
  uint32_t* coreIndex = nullptr;  // cores x capacity, several cores only
  uint32_t capacity = 0;
  // Written by the feeder before it publishes the batch:
  uint32_t count = 0;
  uint64_t firstSeq = 0;  // global sequence number (= ring position) of descs[0]
  uint32_t coreCount[kSynthMaxCores] = {};
  alignas(64) std::atomic<uint32_t> published{0};  // generation + 1 once readable
  alignas(64) std::atomic<uint32_t> released{0};   // cores done with it
  const uint32_t* indexOf(unsigned core) const { return coreIndex + static_cast<size_t>(core) * capacity; }
};

class SynthFeeder {
 public:
  SynthFeeder() = default;
  ~SynthFeeder();
  SynthFeeder(const SynthFeeder&) = delete;
  SynthFeeder& operator=(const SynthFeeder&) = delete;

  // Allocates the batches. `plan` and `queue` outlive the feeder.
  // The stream ends after `maxPackets` packets (the first in the global order) if the plan has more.
  TxFailure open(const SynthPlan* plan, SynthChunkQueue* queue, const PacingConfig& pacing, uint32_t batchDescs, uint64_t maxPackets = UINT64_MAX);
  // IO thread, before the start: faults the batches in and feeds until every batch is full,
  // the input ended, or `deadline` passed (then what is there is published); never waits
  // for the cores, so the first packets are ready when they start.
  void prepare(const std::atomic<bool>& stop, std::chrono::steady_clock::time_point deadline);
  // IO thread: feeds until the input ends, fails or the run stops, then publishes the end.
  void serve(const std::atomic<bool>& stop);

  // Core side: the batch of generation `gen`, or nullptr once the stream has ended.
  const SynthBatch* acquire(uint32_t gen, const std::atomic<bool>& stop) const;
  void release(const SynthBatch* batch) const { const_cast<SynthBatch*>(batch)->released.fetch_add(1, std::memory_order_acq_rel); }

  uint64_t endSeq() const { return endSeq_.load(std::memory_order_acquire); }
  bool ended() const { return endGen_.load(std::memory_order_acquire) != kNoEnd; }
  const TxFailure& failure() const { return failure_; }  // valid once ended()
  int64_t firstDueNs() const { return firstDueNs_.load(std::memory_order_acquire); }

  struct Counters {
    uint64_t chunks, bins, dropped, inputWaits, batchWaits, members;
  };
  Counters counters() const;

 private:
  static constexpr uint32_t kNoEnd = UINT32_MAX;
  // An instance's history as dispatch advances it (32 bytes: two per cache line).
  struct alignas(32) FlowState {
    uint32_t variant = 0;
    uint16_t core = kRowNotHere;
    uint16_t sent[2] = {0, 0};     // packets each direction sent, mod 2^16 (only the IPv4 id uses it)
    uint32_t advance[2] = {0, 0};  // TCP sequence advance per direction (mod 2^32)
    uint64_t total = 0;            // flow sequence number of the next packet
  };
  enum class Fed { kDone, kBlocked, kStopped, kFailed };

  void run(const std::atomic<bool>& stop, bool preparing, std::chrono::steady_clock::time_point deadline = {});
  bool beginChunk(const SynthChunk& c);
  Fed feedChunk(const std::atomic<bool>& stop, bool mayWait);
  bool expandBin(uint32_t bin);
  SynthBatch* openBatch(const std::atomic<bool>& stop, bool mayWait);
  template <bool Paced, bool Tag, bool Multi, bool CheckEnd>
  size_t dispatchRun(SynthBatch& b, const ExpandedPacket* packets, const uint32_t* order, size_t from, size_t to);
  size_t dispatch(SynthBatch& b, size_t from);
  void addInstance(const SynthInstance& inst);
  int64_t dueNs(double time, uint64_t seq);
  void publish();
  void finish();
  void fail(const std::string& message);

  const SynthPlan* plan_ = nullptr;
  SynthChunkQueue* queue_ = nullptr;
  PacingConfig pacing_;
  std::unique_ptr<BinExpander> expander_;
  SynthBatch batches_[kSynthBatches];
  uint8_t* arena_ = nullptr;
  size_t arenaBytes_ = 0;
  // Feeder state (IO thread only).
  // Instance records: rows [0, T), then this cycle's class members (parallel).
  std::vector<SynthInstance> insts_;
  std::vector<FlowState> states_;
  uint64_t memberBase_ = 0;               // instance id of record T (this cycle's first member)
  uint64_t nextInstance_ = 0;             // id the next new instance gets
  uint64_t nextBin_ = 0;
  const SynthChunk* chunk_ = nullptr;
  uint32_t bin_ = 0;
  bool binReady_ = false;
  size_t cursor_ = 0;
  const uint32_t* order_ = nullptr;  // the current bin's order (the expander's)
  bool checkEnd_ = false;            // the current bin has packets at or after the end
  std::vector<uint32_t> entries_;
  uint32_t gen_ = 0;                  // generation being filled
  uint32_t openGen_ = UINT32_MAX;     // generation whose batch is initialised
  bool publishedAny_ = false;
  uint64_t seq_ = 0;
  uint64_t maxPackets_ = UINT64_MAX;
  int64_t prevDue_ = 0;
  TxFailure failure_;
  std::atomic<uint64_t> endSeq_{UINT64_MAX};
  std::atomic<uint32_t> endGen_{kNoEnd};
  std::atomic<int64_t> firstDueNs_{-1};
  std::atomic<uint64_t> chunks_{0}, bins_{0}, dropped_{0}, inputWaits_{0}, members_{0};
  mutable std::atomic<uint64_t> batchWaits_{0};
};

}  // namespace txcore
