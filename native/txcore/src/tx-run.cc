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
  if (config.cores < 1 || config.cores > kMaxCores) {
    return TxFailure::make(stage::kBadConfig, EINVAL, "cores must be 1.." + std::to_string(kMaxCores));
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
  run->tscHz_ = eal.info().tscHz;
  run->engine_ = std::move(engine);
  run->finished_ = true;  // until the port is open, finish() has nothing to undo but the flag
  TxFailure failed = PortRegistry::open(config.port, &run->port_);
  if (failed.failed()) return g_runActive.store(false), failed;
  run->portOpen_ = true;
  run->finished_ = false;
  failed = MbufPools::acquire(config.ringSlots, run->port_.txDescriptors, static_cast<unsigned>(needed),
                              rte_eth_dev_socket_id(run->port_.portId), &run->pools_);
  if (!failed.failed() && !run->ring_.init(config.ringSlots)) {
    failed = TxFailure::make(stage::kBadConfig, EINVAL, "ring slots must be a power of two");
  }
  if (failed.failed()) return run->finish(), failed;
  run->stats_ = std::make_unique<TxStats>();
  run->sink_ = std::make_unique<PortSink>();
  PortSink& sink = *run->sink_;
  sink.port = run->port_.portId;
  sink.queue = run->port_.txQueue;
  sink.paced = config.paced;
  sink.nsPerTscQ32 = static_cast<uint64_t>((static_cast<unsigned __int128>(1000000000u) << 32) / run->tscHz_);
  sink.lateThresholdNs = config.lateThresholdNs;
  sink.stats = run->stats_.get();
  run->drain_ = std::make_unique<OrderedDrain<PortSink>>(run->ring_, sink, config.paced, config.burst);
  EngineContext ctx;
  ctx.cores = config.cores;
  ctx.ring = &run->ring_;
  ctx.pools = &run->pools_;
  ctx.stats = run->stats_.get();
  ctx.stop = &run->stop_;
  ctx.tscHz = run->tscHz_;
  ctx.tscPerUs = run->tscHz_ / 1000000;
  // The IO thread and Node's event loop need a CPU too: share when lcores take them all.
  run->shareCpu_ = needed >= lcoreCpus(std::vector<unsigned>(workers.begin(), workers.begin() + needed));
  ctx.shareCpu = run->shareCpu_;
  ctx.startTsc = &run->startTsc_;
  ctx.drainDuty = config.drainLcore ? &TxRun::noDuty : &TxRun::flushDuty;
  ctx.commitDuty = config.drainLcore ? &TxRun::noCommitDuty : &TxRun::flushIfOldest;
  ctx.run = run.get();
  failed = run->engine_->begin(ctx);
  if (!failed.failed()) failed = run->launch(std::vector<unsigned>(workers.begin(), workers.begin() + needed));
  if (failed.failed()) return run->finish(), failed;
  *out = run;
  return {};
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
  if (drain_) freeUnsent();
  if (pools_.normal != nullptr) {
    mbufsOutstanding_ = static_cast<int64_t>(rte_mempool_in_use_count(pools_.normal) + rte_mempool_in_use_count(pools_.jumbo));
  }
  g_runActive.store(false);
}

// A stopped run leaves committed blocks the drain never reached: give their mbufs back to
// the pools the next run reuses. They all lie within one ring lap after the drain head, and
// "stamp > position" tells this lap's commits from stale ones (sequence-ring.h).
void TxRun::freeUnsent() {
  uint64_t head = drain_->head();
  uint64_t pos = head;
  for (; pos < drain_->blockEnd(); pos++) rte_pktmbuf_free(static_cast<rte_mbuf*>(ring_.slot(pos).item));
  while (pos < head + ring_.capacity()) {
    uint64_t end = ring_.committedEnd(pos);
    if (end == 0) {
      pos++;
      continue;
    }
    for (; pos < end; pos++) rte_pktmbuf_free(static_cast<rte_mbuf*>(ring_.slot(pos).item));
  }
}

uint64_t TxRun::flushDuty(void* run, uint64_t now) {
  TxRun* r = static_cast<TxRun*>(run);
  r->drain_->tryDrain(now);
  return r->drain_->nextDueTsc();
}

uint64_t TxRun::noDuty(void*, uint64_t) { return UINT64_MAX; }

// Flush mode after a commit: only the core whose block is the oldest not yet sent drains
// (design.md "who drains"); the others go on building (taking the drain lock after every
// 2-packet block of an interleaved trace cost more than the building). The commit and
// head() are seq_cst, as are the drainer's head store and its re-check after unlocking:
// either this core sees the head at its block, or the drainer's re-check sees this commit.
void TxRun::flushIfOldest(void* run, uint64_t blockStart, uint64_t now) {
  TxRun* r = static_cast<TxRun*>(run);
  if (r->drain_->head() >= blockStart) r->drain_->tryDrain(now);
}

void TxRun::noCommitDuty(void*, uint64_t, uint64_t) {}

void TxRun::generationLoop(unsigned core) {
  engine_->runOnCore(core);
  if (!config_.drainLcore) drainUntilDone();
}

// Flush mode, after a core's last block: keep draining until every packet left.
void TxRun::drainUntilDone() {
  uint64_t tscPerUs = tscHz_ / 1000000;
  while (!stopped() && !allSent()) {
    uint64_t now = readTsc();
    drain_->tryDrain(now);
    sleepOrSpinUntil(drain_->nextDueTsc(), now, tscPerUs, shareCpu_);
  }
}

void TxRun::drainLoop() {
  uint64_t tscPerUs = tscHz_ / 1000000;
  uint32_t idle = 0;
  for (;;) {
    uint64_t now = readTsc();
    if (drain_->drainOnce(now) > 0) {
      idle = 0;
      continue;
    }
    if (stopped() || allSent()) return;
    uint64_t next = drain_->nextDueTsc();
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
                                   build.poolStalls.load(std::memory_order_relaxed)});
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
  s.figures = engine_->figures(engine_->endSeq() != UINT64_MAX && !s.running);
  return s;
}

}  // namespace txcore
