// One run: a port, its mbuf pools, the sequence ring, the drain, an engine and the threads
// (ARCHITECTURE.md, native/txcore). Created on the JavaScript thread (port hot-plug and
// lcore launch), executed on a libuv worker thread (the engine's IO side, e.g. the trace
// reader), finished on the JavaScript thread (port removal, so net_pcap closes its file).
// The lcores never call into JavaScript; JavaScript reads counters with snapshot().
#pragma once

#include <atomic>
#include <memory>
#include <vector>

#include "mbuf-pools.h"
#include "ordered-stream.h"
#include "port-registry.h"
#include "tx-engine.h"
#include "tx-stats.h"

namespace txcore {

struct RunConfig {
  PortSpec port;
  unsigned cores = 1;
  bool drainLcore = false;   // false: "flush" (the committing cores drain, try-lock)
  uint32_t ringSlots = 2048;
  uint32_t burst = 32;
  uint64_t lateThresholdNs = 100000;
  bool paced = false;        // the drain holds packets until their due TSC
  bool flowOrder = false;    // one stream (ring + TX queue) per core: per-flow order only
};

struct CoreSnapshot {
  uint64_t packets, bytes, late, built, blocks, ringStalls, poolStalls, directBlocks;
};

struct RunSnapshot {
  std::vector<CoreSnapshot> cores;
  std::vector<std::pair<uint64_t, uint64_t>> lateness;  // (bucket lower bound ns, count), non-empty buckets
  uint64_t latenessMaxNs = 0;
  double seconds = 0;  // first to last packet handed to the port
  std::vector<std::pair<const char*, uint64_t>> figures;  // the engine's own
  std::string detailJson;  // the engine's structured figures (TxEngine::detailJson), or empty
  bool running = false;
  int64_t mbufsOutstanding = -1;  // after the run: mbufs not back in the pools (0, or a leak)
};

class TxRun {
 public:
  // JS thread: opens the port, pools and ring, begins the engine, launches the lcores
  // (which wait for execute() to start them).
  static TxFailure create(const RunConfig& config, std::unique_ptr<TxEngine> engine, std::shared_ptr<TxRun>* out);
  ~TxRun();
  // Worker thread: prepares the engine, starts the clock and the lcores, serves the engine's
  // IO side, then waits (asleep) until every lcore has returned.
  void execute();
  // JS thread, after execute(): joins the lcores and closes the port. Idempotent.
  void finish();
  void stop() { stop_.store(true, std::memory_order_relaxed); }
  bool stopped() const { return stop_.load(std::memory_order_relaxed); }
  RunSnapshot snapshot() const;
  TxFailure failure() const { return engine_->failure(); }

 private:
  TxRun() = default;
  struct LcoreTask {
    TxRun* run;
    unsigned core;  // generation core index, or kDrainRole
  };
  static constexpr unsigned kDrainRole = UINT32_MAX;
  static int lcoreMain(void* arg);
  static uint64_t flushDuty(void* run, unsigned core, uint64_t now);
  static uint64_t noDuty(void* run, unsigned core, uint64_t now);
  static void flushIfOldest(void* run, unsigned core, uint64_t blockStart, uint64_t blockEnd, uint64_t now);
  static void noCommitDuty(void* run, unsigned core, uint64_t blockStart, uint64_t blockEnd, uint64_t now);
  static bool direct(void* run, unsigned core, uint64_t pos, uint32_t len);
  static void sendAtHead(void* run, unsigned core, uint64_t pos, rte_mbuf** mbufs, uint32_t n, uint64_t bytes);
  TxFailure setUpStreams();
  EngineContext engineContext(size_t lcores);
  TxFailure launch(const std::vector<unsigned>& lcores);
  void generationLoop(unsigned core);
  void drainLoop();
  void drainUntilDone(unsigned core);
  OrderedStream& streamOf(unsigned core) { return *streams_[config_.flowOrder ? core : 0]; }
  // Every packet of the stream core `core` drains has left (its last block built).
  bool allSent(unsigned core);

  RunConfig config_;
  OpenPort port_;
  bool portOpen_ = false;
  MbufPools pools_;
  std::vector<std::unique_ptr<OrderedStream>> streams_;
  std::unique_ptr<TxStats> stats_;
  std::unique_ptr<TxEngine> engine_;
  std::vector<unsigned> lcores_;
  std::vector<LcoreTask> tasks_;
  uint64_t tscHz_ = 0;
  bool shareCpu_ = false;
  bool finished_ = false;
  int64_t mbufsOutstanding_ = -1;
  alignas(64) std::atomic<bool> stop_{false};
  std::atomic<uint32_t> go_{0};  // 1: start, 2: abort before starting
  std::atomic<uint32_t> exited_{0};
  std::atomic<uint64_t> startTsc_{0};
  std::atomic<bool> running_{false};
};

}  // namespace txcore
