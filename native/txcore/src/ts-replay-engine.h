// Time-series replay (issue 5; paper 2, Kuang, Waddington, Lin, sections V.B and V.C): the
// archive's records as UDP payloads, each at its timestamp. The IO thread and the worker
// threads are ts-record-pipeline.h; this engine is the TX side, on the run's lcores:
// - generation cores 0 .. tx-1 are the paper's TX threads: they pop the normal queue, and
//   cores tx .. tx+ooo-1 are the out-of-order TX threads (their own queue);
// - every core has its own sequence ring and TX queue (the run's per-flow order mode): a
//   TX thread's records leave in the order it commits them, nothing waits for another
//   thread (the paper's TX threads each own a NIC queue, Figure 3);
// - pacing by TSC against the global first-record timestamp T_g (the worker made every
//   due time relative to it) and the thread's start TSC C_h (V.B.4), taken after a start
//   barrier (startTogether): due TSC = C_h + dueNs x TSC/ns. A block of records due in the same microsecond is built up to 5 us
//   ahead, then, at its due TSC, checked against the drift window (ts-drift-window.h)
//   right before it is committed and handed to the port; a violation is freed and counted;
// - an out-of-order thread keeps what it popped in a min-heap on the due time (the delay
//   reorders them) and sends each when due, under the same window.
// A record is copied into its frame(s) once (ts-frame-builder.h); the buffer it came from
// is counted off then, so the IO thread can refill it.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "ts-drift-window.h"
#include "ts-ooo-heap.h"
#include "ts-record-pipeline.h"
#include "ts-thread-placement.h"
#include "tsc-waiter.h"
#include "tx-engine.h"

struct rte_mbuf;

namespace txcore {

struct TsReplayConfig {
  TsPipelineConfig pipeline;
  unsigned txThreads = 1;
  unsigned oooThreads = 0;
  int64_t driftUs = -1;       // < 0: no window, nothing is dropped
  bool payloadRecord = false;  // true: the whole record is the payload; false: its Data
  bool paced = true;           // false: tight loop 0 (every record due at once)
  bool perFlow = false;        // keep and report per-flow counters
  uint32_t leadUs = 5;         // frames are built at most this long before they are due
  TsThreadPlacement::Priority priority = TsThreadPlacement::kAuto;  // of the TX threads (ts-thread-placement.h)
};

class TsReplayEngine final : public TxEngine {
 public:
  explicit TsReplayEngine(const TsReplayConfig& config) : config_(config) {}
  ~TsReplayEngine() override;
  TxFailure begin(const EngineContext& context) override;
  void prepare() override { pipeline_.prefill(*ctx_.stop); }
  void serveIo() override;
  void runOnCore(unsigned core) override;
  uint64_t endSeq() const override { return pipeline_.finished() ? pipeline_.pushed() : UINT64_MAX; }
  TxFailure failure() const override { return pipeline_.finished() ? pipeline_.failure() : TxFailure{}; }
  const char* name() const override { return "ts-replay"; }
  std::vector<std::pair<const char*, uint64_t>> figures(bool ended) const override;
  std::string detailJson(bool ended) const override;

 private:
  static constexpr uint32_t kMaxBlockRecords = 32;
  static constexpr uint32_t kMaxBlockFrames = 64;  // <= a ring's capacity and the drain's burst
  struct FlowCount {
    uint64_t sent, dropped;
  };
  struct Block {
    TsRecordDesc desc[kMaxBlockRecords];
    uint32_t records = 0;
    uint32_t frames = 0;
  };
  struct alignas(64) CoreState {
    uint64_t startTsc = 0;  // C_h
    TsDriftWindow window;
    uint64_t ringPos = 0;
    uint16_t ipId = 0;  // fragmented datagrams
    bool haveCarry = false;
    TsRecordDesc carry{};
    FlowCount* flows = nullptr;  // kTsMaxFlows, with --per-flow
    alignas(64) std::atomic<uint64_t> sent{0};
    std::atomic<uint64_t> dropped{0};
  };

  void runNormal(unsigned core, CoreState& cs);
  void runOutOfOrder(unsigned core, CoreState& cs, TsOooHeap& heap);
  bool nextBlock(unsigned core, CoreState& cs, Block* block);
  bool popWaiting(unsigned core, MpmcQueue<TsRecordDesc>& q, TsRecordDesc* out);
  bool addToBlock(Block* block, const TsRecordDesc& d) const;
  void passTime(uint64_t wake, uint64_t now);
  bool waitUntil(unsigned core, uint64_t deadline);
  void sendBlock(unsigned core, CoreState& cs, Block& block);
  bool buildBlock(unsigned core, CoreState& cs, const Block& block, rte_mbuf** mbufs);
  void commitBlock(unsigned core, CoreState& cs, const Block& block, rte_mbuf** mbufs);
  void dropBlock(CoreState& cs, const Block& block);
  void finishBlock(const Block& block);
  void flushOwn(unsigned core);
  uint32_t payloadLength(const TsRecordDesc& d) const { return config_.payloadRecord ? d.length : d.length - 30u; }
  const uint8_t* payloadOf(const TsRecordDesc& d) const { return pipeline_.recordBytes(d) + (config_.payloadRecord ? 0 : 30); }
  uint64_t dueTsc(const CoreState& cs, int64_t dueNs) const {
    if (dueNs <= 0) return cs.startTsc - std::min<uint64_t>(cs.startTsc, static_cast<uint64_t>(-dueNs) * tscPerNsQ32_ >> 32);
    return cs.startTsc + static_cast<uint64_t>((static_cast<unsigned __int128>(dueNs) * tscPerNsQ32_) >> 32);
  }
  uint64_t duty(unsigned core, uint64_t now) const { return ctx_.duty(core, now); }
  bool stopped() const { return ctx_.stopped(); }

  TsReplayConfig config_;
  EngineContext ctx_;
  TsThreadPlacement placement_;
  TsRecordPipeline pipeline_;
  uint64_t tscPerNsQ32_ = 0;
  uint64_t leadTsc_ = 0;
  uint64_t sleepAheadTsc_ = 0;  // spin, not sleep, this close to a wake-up
  CoreState cores_[kMaxCores];
  std::vector<std::unique_ptr<TsOooHeap>> heaps_;  // one per out-of-order TX thread
  uint64_t startTogether();
  alignas(64) std::atomic<unsigned> arrived_{0};
  std::atomic<uint64_t> startTsc_{0};  // C_h of every TX thread, set by the last to arrive
  alignas(64) std::atomic<unsigned> coresDone_{0};
  void* flowArena_ = nullptr;
  size_t flowArenaBytes_ = 0;
};

}  // namespace txcore
