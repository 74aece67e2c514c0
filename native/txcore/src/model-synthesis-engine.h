// Model synthesis (issue 4, "Regeneration"): regenerates traffic from a flow model and sends
// it with the sequence guarantee across cores. TypeScript runs ONNX inference (PlanBuilder)
// and pushes count chunks into a bounded queue; the feeder (synth-feeder.h, on the run's IO
// thread) expands them, fixes the global order and settles every packet's flow state; each
// generation core builds the frames of ITS instances (each row, and so each flow, is bound to
// one core) from their header templates (synth-packet-builder.h), in blocks of consecutive
// global positions, and commits them into the sequence ring like exact replay does.
#pragma once

#include <cstdint>
#include <memory>

#include "block-sizer.h"
#include "descriptor-prefetch.h"
#include "pinned-thread.h"
#include "pacer.h"
#include "synth-chunk-queue.h"
#include "synth-feeder.h"
#include "synth-plan.h"
#include "tsc-waiter.h"
#include "tx-engine.h"

struct rte_mbuf;

namespace txcore {

struct SynthesisConfig {
  PacingConfig pacing;            // topspeed, speed (original timing x value) or pps
  uint32_t leadUs = 100;          // paced: a packet is built at most this long before it is due
  uint32_t batchDescs = 16384;    // descriptors per feeder batch (4 batches)
  double startAtUnixMs = 0;       // > 0: wall-clock time at which t = 0 is due
  uint64_t maxPackets = UINT64_MAX;  // the run ends after this many packets (its first in the global order)
};

class ModelSynthesisEngine final : public TxEngine {
 public:
  ModelSynthesisEngine(std::shared_ptr<const SynthPlan> plan, std::shared_ptr<SynthChunkQueue> queue, const SynthesisConfig& config)
      : plan_(std::move(plan)), queue_(std::move(queue)), config_(config) {}
  TxFailure begin(const EngineContext& context) override;
  void prepare() override;
  void serveIo() override {
    PinnedThread pinned(feederCpu_);
    feeder_.serve(*ctx_.stop);
  }
  void runOnCore(unsigned core) override;
  uint64_t endSeq() const override { return feeder_.endSeq(); }
  uint32_t largestFrame() const override { return plan_->largestFrame; }
  TxFailure failure() const override { return feeder_.ended() ? feeder_.failure() : TxFailure{}; }
  const char* name() const override { return "model-synthesis"; }
  std::vector<std::pair<const char*, uint64_t>> figures(bool ended) const override;

 private:
  struct alignas(64) CoreState {
    BlockSizer blocks;
    uint64_t startTsc = 0;    // TSC of t = 0
    unsigned core = 0;
    uint8_t* scratch = nullptr;  // frames longer than a normal mbuf are built here first
  };
  static constexpr uint32_t kMaxBlock = 64;  // <= MbufPools' jumbo window, << the ring
  // A block: descriptors first .. first+len-1 of the batch (one core: they are the batch's
  // own order), or index[0 .. len) (several cores: this core's entries of its index list).
  struct Block {
    const uint32_t* index = nullptr;
    uint32_t first = 0;
    uint32_t len = 0;
    uint64_t pos = 0;  // ring position (= global sequence number) of the block's first packet
    uint32_t at(uint32_t j) const { return index != nullptr ? index[j] : first + j; }
  };
  void planCpus();
  void processBatch(const SynthBatch& b, CoreState& cs);
  bool cutAtHorizon(const SynthBatch& b, CoreState& cs, Block* block);
  bool buildBlock(const SynthBatch& b, const Block& block, CoreState& cs);
  template <bool Contiguous, bool Paced, bool Tag, bool Ring>
  bool buildFrames(const SynthBatch& b, const Block& block, CoreState& cs, rte_mbuf** mbufs, uint64_t* bytes);
  bool unwindBlock(const Block& block, rte_mbuf** mbufs, uint32_t built);
  __attribute__((noinline, cold)) rte_mbuf* buildLargeFrame(CoreState& cs, const SynthDesc& d, uint64_t seq, uint64_t flowSeq);
  uint64_t duty(unsigned core, uint64_t now) const { return ctx_.duty(core, now); }
  uint64_t dueTsc(const CoreState& cs, int64_t dueNs) const {
    return cs.startTsc + static_cast<uint64_t>((static_cast<unsigned __int128>(dueNs) * tscPerNsQ32_) >> 32);
  }
  bool stopped() const { return ctx_.stopped(); }

  std::shared_ptr<const SynthPlan> plan_;
  std::shared_ptr<SynthChunkQueue> queue_;
  SynthesisConfig config_;
  EngineContext ctx_;
  SynthFeeder feeder_;
  bool paced_ = false;
  bool descNta_ = descriptorPrefetchNonTemporal();  // descriptor-prefetch.h
  // CPUs of the feeder (IO thread) and of each generation core, when every one of them can
  // have its own (begin()); -1: not pinned.
  int feederCpu_ = -1;
  int coreCpu_[kMaxCores];
  uint64_t tscPerNsQ32_ = 0;  // TSC ticks per ns, 32.32 fixed point
  uint64_t leadTsc_ = 0;
  uint64_t wallStartTsc_ = 0;  // TSC at startAtUnixMs (0: start when the run starts)
  uint64_t refTsc_ = 0;        // one (TSC, wall clock) reading, to report the start's skew
  int64_t refWallNs_ = 0, startAtNs_ = 0;
  std::vector<uint8_t> scratch_;
  CoreState cores_[kMaxCores];
};

}  // namespace txcore
