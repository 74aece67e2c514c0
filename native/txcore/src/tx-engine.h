// The one small interface every native TX engine implements, in the manner of testpmd's
// forwarding modes (app/test-pmd/txonly.c: begin / stream_init / packet_fwd). Exact replay
// (exact-replay-engine.cc) is the first; model synthesis and time-series replay follow the
// same shape. An engine never touches the port: it builds mbufs and commits them into the
// sequence ring; the run (tx-run.cc) owns the port, the ring, the drain and the threads.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "mbuf-pools.h"
#include "sequence-ring.h"
#include "tsc-waiter.h"
#include "tx-stats.h"
#include "txcore-failure.h"

struct rte_mbuf;

namespace txcore {

// What a run gives its engine. Everything here outlives the engine's lcore work.
struct EngineContext {
  unsigned cores = 1;
  // Global order: every core commits into the one ring (rings[k] all the same). Flow order
  // (--order flow): core k has its own ring and TX queue; only per-flow order is kept.
  bool flowOrder = false;
  SequenceRing* rings[kMaxCores] = {};
  MbufPools* pools = nullptr;
  TxStats* stats = nullptr;
  const std::atomic<bool>* stop = nullptr;
  uint64_t tscHz = 0;
  uint64_t tscPerUs = 0;
  // More busy lcores than CPUs for them (a small host): waits yield rather than spin.
  bool shareCpu = false;
  // Set by the run just before the cores start: due times count from here.
  std::atomic<uint64_t>* startTsc = nullptr;
  // A generation core's share of draining (flush mode); returns the TSC when it next has
  // work (UINT64_MAX: none). In drain-lcore mode it does nothing.
  uint64_t (*drainDuty)(void* run, unsigned core, uint64_t nowTsc) = nullptr;
  // Called after each commit of the block [blockStart, blockEnd): in flush mode the core
  // whose commit made the oldest range ready drains (design.md "who drains").
  void (*commitDuty)(void* run, unsigned core, uint64_t blockStart, uint64_t blockEnd, uint64_t nowTsc) = nullptr;
  // Set when the one core of a topspeed run in flush mode is its ring's only producer and
  // drainer. When direct(pos, len) (every earlier position has left, so the ring is empty,
  // and the block is a burst's worth: one TX call per small block meant one sendto per few
  // packets on net_af_packet), the engine may hand the block to the port at once
  // (sendAtHead) instead of filling ring slots and committing: order holds trivially. What
  // the port does not take at once is committed to the ring and drains as usual (later
  // blocks then take the ring until it is empty again). Null otherwise.
  bool (*direct)(void* run, unsigned core, uint64_t pos, uint32_t len) = nullptr;
  void (*sendAtHead)(void* run, unsigned core, uint64_t pos, rte_mbuf** mbufs, uint32_t n, uint64_t bytes) = nullptr;
  void* run = nullptr;

  bool stopped() const { return stop->load(std::memory_order_relaxed); }
  uint64_t duty(unsigned core, uint64_t nowTsc) const { return drainDuty(run, core, nowTsc); }
  // A core waits until ready() (false: stopped first), doing its drain duty meanwhile and
  // backing off to yields and short sleeps: a core spinning on a full ring took a CPU the
  // kernel needed to drain it through net_af_packet on this 2-CPU machine.
  template <typename Ready>
  bool waitFor(unsigned core, Ready&& ready) const {
    Backoff backoff;
    while (!ready()) {
      if (stopped()) return false;
      duty(core, readTsc());
      backoff.pause();
    }
    return true;
  }
};

class TxEngine {
 public:
  virtual ~TxEngine() = default;
  // JS thread, before any lcore starts: open inputs, allocate. Fails with a coded stage.
  virtual TxFailure begin(const EngineContext& context) = 0;
  // IO thread, before the start: make the first packets ready (e.g. fill trace buffers).
  virtual void prepare() {}
  // IO thread, after the start: feed the cores until the end or stop (e.g. the reader).
  virtual void serveIo() {}
  // Generation core `core`'s loop, on its own lcore; returns when it has nothing left.
  virtual void runOnCore(unsigned core) = 0;
  // Packets the run will send in all: UINT64_MAX until known.
  virtual uint64_t endSeq() const = 0;
  // The longest frame the run can build, when the engine knows it before the start (a flow
  // model's plan does): normal mbufs are then sized to it (mbuf-pools.h). 0: not known.
  virtual uint32_t largestFrame() const { return 0; }
  // The input's failure (a corrupt trace), valid after the run: sent packets still count.
  virtual TxFailure failure() const { return {}; }
  virtual const char* name() const = 0;
  // Engine-specific figures for the stats snapshot (name, value); `ended`: the IO side is done.
  virtual std::vector<std::pair<const char*, uint64_t>> figures(bool ended) const { (void)ended; return {}; }
  // Structured figures that do not fit name/value pairs (time-series replay: per-flow
  // counters and device names), as one JSON text; empty for none. Read by the JS thread.
  virtual std::string detailJson(bool ended) const { (void)ended; return {}; }
};

}  // namespace txcore
