#include "tx-run.h"

#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>

#include "eal-runtime.h"
#include "tsc-waiter.h"

namespace txcore {
namespace {

std::atomic<bool> g_runActive{false};  // lcores are shared: one run per process at a time

void sleepOrSpinUntil(uint64_t next, uint64_t now, uint64_t tscPerUs, bool shareCpu) {
  if (next == UINT64_MAX) cpuRelax();
  else passTimeUntil(next, now, tscPerUs, shareCpu);
}

// CPUs the lcores may run on (they float over the process's CPUs on small hosts).
unsigned lcoreCpus(const std::vector<unsigned>& lcores) {
  cpu_set_t all;
  CPU_ZERO(&all);
  for (unsigned l : lcores) {
    rte_cpuset_t set = rte_lcore_cpuset(l);
    CPU_OR(&all, &all, &set);
  }
  return static_cast<unsigned>(CPU_COUNT(&all));
}

}  // namespace

TxFailure TxRun::create(const RunConfig& config, std::unique_ptr<TxEngine> engine, std::shared_ptr<TxRun>* out) {
  EalRuntime& eal = EalRuntime::instance();
  if (!eal.ready()) return TxFailure::make(stage::kEalNotReady, EINVAL, "EAL is not running: call initEal() first");
  const std::vector<unsigned>& workers = eal.info().workerLcores;
  size_t needed = config.cores + (config.drainLcore ? 1 : 0);
  if (config.cores < 1 || config.cores > kMaxCores || (config.flowOrder && config.drainLcore)) {
    return TxFailure::make(stage::kBadConfig, EINVAL, "cores must be 1.." + std::to_string(kMaxCores) + "; flow order drains per core (no drain lcore)");
  }
  if (needed > workers.size()) {
    return TxFailure::make(stage::kLcores, ENOSPC,
                           "the run needs " + std::to_string(needed) + " worker lcores (" + std::to_string(config.cores) +
                               " cores" + (config.drainLcore ? " + 1 drain" : "") + ") but EAL started with " +
                               std::to_string(workers.size()));
  }
  if (g_runActive.exchange(true)) return TxFailure::make(stage::kBusy, EBUSY, "another run is active in this process");
  std::shared_ptr<TxRun> run(new TxRun());
  run->config_ = config;
  run->config_.port.txQueues = static_cast<uint16_t>(config.flowOrder ? config.cores : 1);
  run->tscHz_ = eal.info().tscHz;
  run->engine_ = std::move(engine);
  run->finished_ = true;  // until the port is open, finish() has nothing to undo but the flag
  TxFailure failed = PortRegistry::open(run->config_.port, &run->port_);
  if (failed.failed()) return g_runActive.store(false), failed;
  run->portOpen_ = true;
  run->finished_ = false;
  failed = MbufPools::acquire(config.ringSlots * run->port_.txQueues, run->port_.txDescriptors * run->port_.txQueues,
                              static_cast<unsigned>(needed), rte_eth_dev_socket_id(run->port_.portId), run->engine_->largestFrame(), &run->pools_);
  if (!failed.failed()) failed = run->setUpStreams();
  if (!failed.failed()) failed = run->engine_->begin(run->engineContext(needed));
  if (!failed.failed()) failed = run->launch(std::vector<unsigned>(workers.begin(), workers.begin() + needed));
  if (failed.failed()) return run->finish(), failed;
  *out = run;
  return {};
}

// One ordered stream per TX queue, each drained into its queue by a PortSink.
TxFailure TxRun::setUpStreams() {
  stats_ = std::make_unique<TxStats>();
  for (uint16_t q = 0; q < port_.txQueues; q++) {
    auto stream = std::make_unique<OrderedStream>();
    if (!stream->ring.init(config_.ringSlots)) return TxFailure::make(stage::kBadConfig, EINVAL, "ring slots must be a power of two");
    PortSink& sink = stream->sink;
    sink.port = port_.portId;
    sink.queue = q;
    sink.paced = config_.paced;
    sink.nsPerTscQ32 = static_cast<uint64_t>((static_cast<unsigned __int128>(1000000000u) << 32) / tscHz_);
    sink.lateThresholdNs = config_.lateThresholdNs;
    sink.stats = stats_.get();
    stream->drain = std::make_unique<OrderedDrain<PortSink>>(stream->ring, sink, config_.paced, config_.burst);
    streams_.push_back(std::move(stream));
  }
  return {};
}

EngineContext TxRun::engineContext(size_t lcores) {
  EngineContext ctx;
  ctx.cores = config_.cores;
  ctx.flowOrder = config_.flowOrder;
  for (unsigned c = 0; c < config_.cores; c++) ctx.rings[c] = &streamOf(c).ring;
  ctx.pools = &pools_;
  ctx.stats = stats_.get();
  ctx.stop = &stop_;
  ctx.tscHz = tscHz_;
  ctx.tscPerUs = tscHz_ / 1000000;
  // The IO thread and Node's event loop need a CPU too: share when lcores take them all.
  const std::vector<unsigned>& workers = EalRuntime::instance().info().workerLcores;
  shareCpu_ = lcores >= lcoreCpus(std::vector<unsigned>(workers.begin(), workers.begin() + lcores));
  ctx.shareCpu = shareCpu_;
  ctx.startTsc = &startTsc_;
  ctx.drainDuty = config_.drainLcore ? &TxRun::noDuty : &TxRun::flushDuty;
  ctx.commitDuty = config_.drainLcore ? &TxRun::noCommitDuty : &TxRun::flushIfOldest;
  if (config_.cores == 1 && !config_.drainLcore && !config_.paced && !config_.flowOrder) {
    ctx.direct = &TxRun::direct;
    ctx.sendAtHead = &TxRun::sendAtHead;
  }
  ctx.run = this;
  return ctx;
}

TxRun::~TxRun() { finish(); }

TxFailure TxRun::launch(const std::vector<unsigned>& lcores) {
  tasks_.reserve(lcores.size());  // tasks_ is pointed to by the lcores: no reallocation after this
  for (size_t i = 0; i < lcores.size(); i++) {
    unsigned role = i < config_.cores ? static_cast<unsigned>(i) : kDrainRole;
    tasks_.push_back(LcoreTask{this, role});
    if (rte_eal_get_lcore_state(lcores[i]) != WAIT || rte_eal_remote_launch(lcoreMain, &tasks_.back(), lcores[i]) != 0) {
      tasks_.pop_back();
      go_.store(2, std::memory_order_release);  // release the ones already launched
      go_.notify_all();
      return TxFailure::make(stage::kLcores, EBUSY, "lcore " + std::to_string(lcores[i]) + " is busy");
    }
    lcores_.push_back(lcores[i]);
  }
  return {};
}

int TxRun::lcoreMain(void* arg) {
  LcoreTask* task = static_cast<LcoreTask*>(arg);
  TxRun* run = task->run;
  run->go_.wait(0, std::memory_order_acquire);  // asleep (futex) until execute() starts the clock
  if (run->go_.load(std::memory_order_acquire) == 1) {
    if (task->core == kDrainRole) run->drainLoop();
    else run->generationLoop(task->core);
  }
  run->exited_.fetch_add(1, std::memory_order_acq_rel);
  run->exited_.notify_all();
  return 0;
}

void TxRun::execute() {
  engine_->prepare();
  startTsc_.store(readTsc() + 200 * (tscHz_ / 1000000), std::memory_order_release);  // lcores wake in < 200 us
  running_.store(true, std::memory_order_relaxed);
  go_.store(1, std::memory_order_release);
  go_.notify_all();
  engine_->serveIo();
  for (uint32_t seen; (seen = exited_.load(std::memory_order_acquire)) < tasks_.size();) exited_.wait(seen);
  running_.store(false, std::memory_order_relaxed);
}

void TxRun::finish() {
  if (finished_) return;
  finished_ = true;
  if (go_.load() == 0) {  // never executed: release the lcores
    go_.store(2, std::memory_order_release);
    go_.notify_all();
  }
  for (unsigned lcore : lcores_) rte_eal_wait_lcore(lcore);
  if (portOpen_) PortRegistry::close(config_.port, port_);  // net_pcap closes its file here
  portOpen_ = false;
  for (auto& stream : streams_) stream->freeUnsent();
  if (pools_.normal != nullptr) {
    mbufsOutstanding_ = static_cast<int64_t>(rte_mempool_in_use_count(pools_.normal) + rte_mempool_in_use_count(pools_.jumbo));
  }
  g_runActive.store(false);
}

uint64_t TxRun::flushDuty(void* run, unsigned core, uint64_t now) {
  OrderedDrain<PortSink>& drain = *static_cast<TxRun*>(run)->streamOf(core).drain;
  drain.tryDrain(now);
  return drain.nextDueTsc();
}

uint64_t TxRun::noDuty(void*, unsigned, uint64_t) { return UINT64_MAX; }

// Flush mode after a commit (design.md "who drains"): the core whose block is the oldest
// not yet sent drains; the others go on building (taking the drain lock after every
// 2-packet block of an interleaved trace cost more than the building). At topspeed it waits
// for a burst's worth first: one rte_eth_tx_burst per small block meant one sendto per 1-2
// packets on net_af_packet. A core also helps when 4 bursts are pending behind a slow head;
// waits and the end of a core's work drain in any case, so nothing committed is left behind.
// The commit and head() are seq_cst, as are the drainer's head store and its re-check after
// unlocking: either this core sees the head at its block, or the drainer sees this commit.
void TxRun::flushIfOldest(void* run, unsigned core, uint64_t blockStart, uint64_t blockEnd, uint64_t now) {
  TxRun* r = static_cast<TxRun*>(run);
  OrderedDrain<PortSink>& drain = *r->streamOf(core).drain;
  uint64_t head = drain.head();
  uint64_t pending = blockEnd > head ? blockEnd - head : 0;
  bool oldest = head >= blockStart;
  if (r->config_.paced ? oldest : (oldest && pending >= r->config_.burst) || pending >= 4ull * r->config_.burst) drain.tryDrain(now);
}

void TxRun::noCommitDuty(void*, unsigned, uint64_t, uint64_t, uint64_t) {}

bool TxRun::direct(void* run, unsigned core, uint64_t pos, uint32_t len) {
  TxRun* r = static_cast<TxRun*>(run);
  return len >= r->config_.burst && r->streamOf(core).drain->head() == pos;
}

// The port takes what it can at once (net_null all of it; net_af_packet's ring may be full):
// the rest goes into the empty ring at the head, as an ordinary committed block.
void TxRun::sendAtHead(void* run, unsigned core, uint64_t pos, rte_mbuf** mbufs, uint32_t n, uint64_t bytes) {
  OrderedStream& stream = static_cast<TxRun*>(run)->streamOf(core);
  const uint16_t owner = static_cast<uint16_t>(core);
  const uint32_t sent = stream.drain->sendAtHead(pos, reinterpret_cast<void**>(mbufs), n, bytes, owner);
  bump(static_cast<TxRun*>(run)->stats_->build[core].directBlocks);
  if (sent == n) return;
  for (uint32_t k = sent; k < n; k++) {
    SequenceSlot& slot = stream.ring.slot(pos + k);
    slot.item = mbufs[k];
    slot.bytes = mbufs[k]->pkt_len;
    slot.owner = owner;
    slot.dueTsc.store(0, std::memory_order_relaxed);
  }
  stream.ring.commit(pos + sent, pos + n);
}

bool TxRun::allSent(unsigned core) {
  uint64_t end = config_.flowOrder ? stats_->build[core].built.load(std::memory_order_relaxed) : engine_->endSeq();
  return streamOf(core).drain->head() >= end;
}

void TxRun::generationLoop(unsigned core) {
  engine_->runOnCore(core);
  if (!config_.drainLcore) drainUntilDone(core);
}

// Flush mode, after a core's last block: keep draining until every packet left (global
// order: all of them; flow order: this core's own stream).
void TxRun::drainUntilDone(unsigned core) {
  uint64_t tscPerUs = tscHz_ / 1000000;
  OrderedDrain<PortSink>& drain = *streamOf(core).drain;
  while (!stopped() && !allSent(core)) {
    uint64_t now = readTsc();
    drain.tryDrain(now);
    sleepOrSpinUntil(drain.nextDueTsc(), now, tscPerUs, shareCpu_);
  }
}

// The dedicated drain lcore (global order only).
void TxRun::drainLoop() {
  uint64_t tscPerUs = tscHz_ / 1000000;
  OrderedDrain<PortSink>& drain = *streams_[0]->drain;
  uint32_t idle = 0;
  for (;;) {
    uint64_t now = readTsc();
    if (drain.drainOnce(now) > 0) {
      idle = 0;
      continue;
    }
    if (stopped() || allSent(0)) return;
    uint64_t next = drain.nextDueTsc();
    if (next != UINT64_MAX || ++idle < 4096) {
      sleepOrSpinUntil(next, now, tscPerUs, shareCpu_);
    } else {
      sched_yield();  // nothing committed for a while: let the cores (sharing our CPU) run
    }
  }
}

RunSnapshot TxRun::snapshot() const {
  RunSnapshot s;
  for (unsigned c = 0; c < config_.cores; c++) {
    const SentCounters& sent = stats_->sent[c];
    const BuildCounters& build = stats_->build[c];
    s.cores.push_back(CoreSnapshot{sent.packets.load(std::memory_order_relaxed), sent.bytes.load(std::memory_order_relaxed),
                                   sent.late.load(std::memory_order_relaxed), build.built.load(std::memory_order_relaxed),
                                   build.blocks.load(std::memory_order_relaxed), build.ringStalls.load(std::memory_order_relaxed),
                                   build.poolStalls.load(std::memory_order_relaxed), build.directBlocks.load(std::memory_order_relaxed)});
  }
  for (unsigned b = 0; b < LatenessHistogram::kBuckets; b++) {
    uint64_t n = stats_->lateness.count(b);
    if (n > 0) s.lateness.emplace_back(LatenessHistogram::lowerBound(b), n);
  }
  s.latenessMaxNs = stats_->lateness.maxNs();
  uint64_t first = stats_->firstSendTsc.load(std::memory_order_relaxed);
  uint64_t last = stats_->lastSendTsc.load(std::memory_order_relaxed);
  s.seconds = first != 0 && last > first ? static_cast<double>(last - first) / static_cast<double>(tscHz_) : 0;
  s.running = running_.load(std::memory_order_relaxed);
  s.mbufsOutstanding = mbufsOutstanding_;
  const bool ended = engine_->endSeq() != UINT64_MAX && !s.running;
  s.figures = engine_->figures(ended);
  s.detailJson = engine_->detailJson(ended);
  return s;
}

}  // namespace txcore
