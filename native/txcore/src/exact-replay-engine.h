// Exact replay (issue 3): every packet of the trace, byte for byte, in trace order, paced
// from the absolute start. The reader thread (trace-streamer.h) numbers packets and binds
// flows to cores; each generation core copies its own packets out of the trace buffers into
// mbufs, in blocks of consecutive global positions, and commits them into the sequence ring.
#pragma once

#include <cstdint>

#include "block-sizer.h"
#include "trace-streamer.h"
#include "tsc-waiter.h"
#include "tx-engine.h"

struct rte_mbuf;

namespace txcore {

struct ExactReplayConfig {
  StreamConfig stream;
  uint32_t leadUs = 100;  // paced: a packet is built at most this long before it is due
};

class ExactReplayEngine final : public TxEngine {
 public:
  explicit ExactReplayEngine(const ExactReplayConfig& config) : config_(config) {}
  TxFailure begin(const EngineContext& context) override;
  void prepare() override { streamer_.prefill(*ctx_.stop); }
  void serveIo() override { streamer_.serve(*ctx_.stop); }
  void runOnCore(unsigned core) override;
  uint64_t endSeq() const override { return streamer_.endSeq(); }
  TxFailure failure() const override { return streamer_.ended() ? streamer_.failure() : TxFailure{}; }
  const char* name() const override { return "exact-replay"; }
  std::vector<std::pair<const char*, uint64_t>> figures(bool ended) const override {
    std::vector<std::pair<const char*, uint64_t>> f{{"bufferWaits", streamer_.bufferWaits()}};
    if (ended && config_.stream.tag) f.emplace_back("flows", streamer_.flows());
    return f;
  }

 private:
  struct alignas(64) CoreState {
    BlockSizer blocks;
    uint64_t startTsc = 0;
    uint64_t ringPos = 0;  // flow order: the next position in this core's own ring
    unsigned core = 0;
  };
  static constexpr uint32_t kMaxBlock = 64;  // <= MbufPools' jumbo window, << a ring's capacity
  struct Block {
    uint32_t index[kMaxBlock];  // descriptors in the buffer
    uint32_t len = 0;
    uint64_t pos = 0;    // ring position of index[0]
  };
  void processBuffer(unsigned core, const TraceBuffer& b, CoreState& cs);
  bool cutAtHorizon(const TraceBuffer& b, CoreState& cs, Block* block);
  bool buildBlock(unsigned core, const TraceBuffer& b, const Block& block, CoreState& cs);
  __attribute__((always_inline)) inline rte_mbuf* buildFrame(unsigned core, const TraceBuffer& b, uint32_t index,
                                                              uint64_t seq, uint64_t pos, rte_mbuf* normal, uint32_t* bytes);
  __attribute__((noinline, cold)) rte_mbuf* buildLargeFrame(unsigned core, const uint8_t* src, uint32_t caplen,
                                                            uint32_t frameLen, const uint8_t* tag, uint64_t pos);
  uint64_t duty(unsigned core, uint64_t now) const { return ctx_.duty(core, now); }
  uint64_t dueTsc(const CoreState& cs, int64_t dueNs) const {
    return cs.startTsc + static_cast<uint64_t>((static_cast<unsigned __int128>(dueNs) * tscPerNsQ32_) >> 32);
  }
  bool stopped() const { return ctx_.stopped(); }

  ExactReplayConfig config_;
  EngineContext ctx_;
  TraceStreamer streamer_;
  bool paced_ = false;
  uint64_t tscPerNsQ32_ = 0;  // TSC ticks per ns, 32.32 fixed point
  uint64_t leadTsc_ = 0;
  CoreState cores_[kMaxCores];
};

}  // namespace txcore
