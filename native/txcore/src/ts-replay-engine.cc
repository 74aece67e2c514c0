#include "ts-replay-engine.h"

#include <rte_mbuf.h>
#include <sys/mman.h>

#include <algorithm>

#include "frame-mbufs.h"
#include "ts-frame-builder.h"

namespace txcore {
namespace {

constexpr uint32_t kOooHeapRecords = 8192;

int64_t tickOf(int64_t dueNs) { return tsFloorDiv(dueNs, 1000); }

}  // namespace

TsReplayEngine::~TsReplayEngine() {
  if (flowArena_ != nullptr) munmap(flowArena_, flowArenaBytes_);
}

TxFailure TsReplayEngine::begin(const EngineContext& context) {
  ctx_ = context;
  if (context.cores != config_.txThreads + config_.oooThreads || config_.txThreads < 1 || !context.flowOrder) {
    return TxFailure::make(stage::kBadConfig, EINVAL, "time-series replay runs tx + ooo TX threads, each on its own TX queue");
  }
  if (!config_.paced && config_.driftUs >= 0) return TxFailure::make(stage::kBadConfig, EINVAL, "a drift window needs paced records");
  tscPerNsQ32_ = static_cast<uint64_t>((static_cast<unsigned __int128>(context.tscHz) << 32) / 1000000000u);
  leadTsc_ = static_cast<uint64_t>(config_.leadUs) * context.tscPerUs;
  if (config_.perFlow) {
    // Untouched pages stay out of the RSS: only the flows a core sends to are faulted in.
    flowArenaBytes_ = sizeof(FlowCount) * kTsMaxFlows * context.cores;
    void* p = mmap(nullptr, flowArenaBytes_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return flowArena_ = nullptr, TxFailure::make(stage::kNoMemory, ENOMEM, "cannot allocate the per-flow counters");
    flowArena_ = p;
    for (unsigned c = 0; c < context.cores; c++) cores_[c].flows = static_cast<FlowCount*>(p) + static_cast<size_t>(c) * kTsMaxFlows;
  }
  for (unsigned c = config_.txThreads; c < context.cores; c++) heaps_.push_back(std::make_unique<TsOooHeap>(kOooHeapRecords));
  cpu_set_t cpus;
  CPU_ZERO(&cpus);
  sched_getaffinity(0, sizeof cpus, &cpus);  // the JS thread's: every CPU the process may use
  placement_.plan(cpus, context.cores, config_.priority);
  sleepAheadTsc_ = static_cast<uint64_t>(config_.driftUs < 0 ? 200 : std::clamp<int64_t>(config_.driftUs / 4, 10, 200)) * context.tscPerUs;
  config_.pipeline.placement = &placement_;
  return pipeline_.open(config_.pipeline);
}

// The IO side; then, once every TX thread has returned, the buffers go (TxRun::execute
// waits for the lcores right after this anyway).
void TsReplayEngine::serveIo() {
  TsThreadPlacement::Saved saved = placement_.enterOther();
  pipeline_.serve(*ctx_.stop);
  placement_.leave(saved);
  for (Backoff backoff; coresDone_.load(std::memory_order_acquire) < ctx_.cores;) backoff.pause();
  pipeline_.releaseBuffers();
}

void TsReplayEngine::runOnCore(unsigned core) {
  CoreState& cs = cores_[core];
  TsThreadPlacement::Saved saved = placement_.enterTx(core);
  cs.startTsc = startTogether();
  cs.window = TsDriftWindow(config_.driftUs, cs.startTsc, ctx_.tscHz);
  if (core < config_.txThreads) runNormal(core, cs);
  else runOutOfOrder(core, cs, *heaps_[core - config_.txThreads]);
  flushOwn(core);
  placement_.leave(saved);
  coresDone_.fetch_add(1, std::memory_order_acq_rel);
}

// The paper's start barrier (V.B.4): every TX thread first takes its CPU and priority, then
// waits for the others; the last to arrive sets the start 20 us ahead and every thread
// takes that as its C_h. Records are due from a moment when every TX thread is running
// (an lcore woken on a loaded host can start milliseconds after the run's clock), and all
// threads share one reference, so records of different threads keep their relative times.
uint64_t TsReplayEngine::startTogether() {
  if (arrived_.fetch_add(1, std::memory_order_acq_rel) + 1 == ctx_.cores) {
    startTsc_.store(readTsc() + 20 * ctx_.tscPerUs, std::memory_order_release);
  }
  Backoff backoff;
  uint64_t start;
  while ((start = startTsc_.load(std::memory_order_acquire)) == 0) backoff.pause();
  return start;
}

void TsReplayEngine::runNormal(unsigned core, CoreState& cs) {
  Block block;
  while (!stopped() && nextBlock(core, cs, &block)) sendBlock(core, cs, block);
}

// Waits for a descriptor; false once the queue is closed and empty, or stopped.
bool TsReplayEngine::popWaiting(unsigned core, MpmcQueue<TsRecordDesc>& q, TsRecordDesc* out) {
  Backoff backoff;
  for (;;) {
    if (q.tryPop(out)) return true;
    bool closed = q.closed();  // read before the re-check: closed and still empty is the end
    if (q.tryPop(out)) return true;
    if (closed || stopped()) return false;
    duty(core, readTsc());
    backoff.pause();
  }
}

bool TsReplayEngine::addToBlock(Block* block, const TsRecordDesc& d) const {
  uint32_t frames = tsFramesFor(payloadLength(d));
  if (block->records > 0 && (block->records == kMaxBlockRecords || block->frames + frames > kMaxBlockFrames)) return false;
  block->desc[block->records++] = d;
  block->frames += frames;
  return true;
}

// The next block: records due in the same microsecond as the first, as many as are
// already queued (up to the block's limits). The first record of the next tick is kept.
bool TsReplayEngine::nextBlock(unsigned core, CoreState& cs, Block* block) {
  block->records = block->frames = 0;
  TsRecordDesc d;
  if (cs.haveCarry) d = cs.carry, cs.haveCarry = false;
  else if (!popWaiting(core, pipeline_.queue(), &d)) return false;
  addToBlock(block, d);
  const int64_t tick = tickOf(d.dueNs);
  TsRecordDesc next;
  while (block->records < kMaxBlockRecords && pipeline_.queue().tryPop(&next)) {
    if (tickOf(next.dueNs) != tick || !addToBlock(block, next)) {
      cs.carry = next, cs.haveCarry = true;
      break;
    }
  }
  return true;
}

// Out-of-order TX thread: pending records in a heap on their (delayed) due time. While the
// earliest is not yet near, it keeps taking from the queue, since a record with a shorter
// delay may be due sooner.
void TsReplayEngine::runOutOfOrder(unsigned core, CoreState& cs, TsOooHeap& heap) {
  MpmcQueue<TsRecordDesc>& q = pipeline_.oooQueue();
  const uint64_t tscPerUs = ctx_.tscPerUs;
  Block block;
  while (!stopped()) {
    TsRecordDesc d;
    while (!heap.full() && q.tryPop(&d)) heap.push(d);
    if (heap.empty()) {
      if (!popWaiting(core, q, &d)) return;
      heap.push(d);
      continue;
    }
    const uint64_t due = config_.paced ? dueTsc(cs, heap.top().dueNs) : 0, now = readTsc();
    if (due > now + leadTsc_) {
      uint64_t next = duty(core, now);
      passTime(std::min({due - leadTsc_, next, now + 20 * tscPerUs}), now);
      continue;
    }
    block.records = block.frames = 0;
    const int64_t tick = tickOf(heap.top().dueNs);
    while (!heap.empty() && tickOf(heap.top().dueNs) == tick && addToBlock(&block, heap.top())) heap.pop();
    sendBlock(core, cs, block);
  }
}

// How to wait (tsc-waiter.h's split of when from how): sleep in slices of <= 1 ms while the
// wake-up is more than `sleepAhead` away, then spin; unpinned threads sharing CPUs yield
// instead of spinning while over 20 us away. sleepAhead is 200 us, or a quarter of the
// drift window (10..200 us) when there is one: a SCHED_FIFO thread that never sleeps
// starves the CFS tasks on its CPU until the kernel lends them up to 50 ms in one piece
// (a 100 us window then loses 50 ms of records per second), while sleeping through the
// gaps between records lets them run in small pieces, and a wake-up that overshoots (a
// SCHED_FIFO nanosleep here: p99 17 us, p99.9 47 us) still lands inside the window.
void TsReplayEngine::passTime(uint64_t wake, uint64_t now) {
  if (wake > now + sleepAheadTsc_) sleepNs(std::min<uint64_t>(1000000, (wake - now - sleepAheadTsc_) * 1000 / ctx_.tscPerUs));
  else if (!placement_.pinned() && ctx_.shareCpu && wake > now + 20 * ctx_.tscPerUs) sched_yield();
  else cpuRelax();
}

// Waits until `deadline` (false: stopped first), draining this core's ring meanwhile.
bool TsReplayEngine::waitUntil(unsigned core, uint64_t deadline) {
  for (;;) {
    uint64_t now = readTsc();
    if (now >= deadline) return true;
    if (stopped()) return false;
    passTime(std::min(duty(core, now), deadline), now);
  }
}

// Build ahead (within leadUs), wait for the due TSC, check the drift window right before
// the commit that hands the frames to the port. Late already: dropped without building.
void TsReplayEngine::sendBlock(unsigned core, CoreState& cs, Block& block) {
  const int64_t dueNs = block.desc[0].dueNs;
  const uint64_t due = config_.paced ? dueTsc(cs, dueNs) : 0;
  uint64_t now = readTsc();
  if (!cs.window.allows(dueNs, now)) return dropBlock(cs, block), finishBlock(block);
  if (due > now + leadTsc_ && !waitUntil(core, due - leadTsc_)) return finishBlock(block);
  rte_mbuf* mbufs[kMaxBlockFrames];
  if (!buildBlock(core, cs, block, mbufs)) return finishBlock(block);
  finishBlock(block);  // copied: the buffers may be refilled
  if (due > readTsc() && !waitUntil(core, due)) {
    rte_pktmbuf_free_bulk(mbufs, block.frames);
    return;
  }
  if (!cs.window.allows(dueNs, readTsc())) {
    rte_pktmbuf_free_bulk(mbufs, block.frames);
    return dropBlock(cs, block);
  }
  commitBlock(core, cs, block, mbufs);
}

bool TsReplayEngine::buildBlock(unsigned core, CoreState& cs, const Block& block, rte_mbuf** mbufs) {
  rte_mempool* pool = ctx_.pools->normal;
  if (allocFrameMbufs(pool, mbufs, block.frames) != 0) {
    bump(ctx_.stats->build[core].poolStalls);
    if (!ctx_.waitFor(core, [&] { return allocFrameMbufs(pool, mbufs, block.frames) == 0; })) return false;
  }
  uint32_t f = 0;
  for (uint32_t i = 0; i < block.records; i++) {
    const TsRecordDesc& d = block.desc[i];
    const TsFlowTemplate& t = pipeline_.flows().flowTemplate(d.flow);
    const uint32_t len = payloadLength(d);
    if (__builtin_expect(len <= kTsMaxUnfragmentedPayload, 1)) {
      tsBuildFrame(mbufs[f++], t, payloadOf(d), len);
    } else {
      tsBuildFragments(mbufs + f, t, payloadOf(d), len, ++cs.ipId);
      f += tsFramesFor(len);
    }
  }
  return true;
}

// Reserve in this core's own ring, fill, commit: the flush drain sends them at once (they
// are due). Counted as sent here; flushOwn() makes sure a stop does not strand them.
void TsReplayEngine::commitBlock(unsigned core, CoreState& cs, const Block& block, rte_mbuf** mbufs) {
  SequenceRing& ring = *ctx_.rings[core];
  BuildCounters& counters = ctx_.stats->build[core];
  const uint64_t pos = cs.ringPos;
  if (!ring.hasRoom(pos + block.frames)) {
    bump(counters.ringStalls);
    if (!ctx_.waitFor(core, [&] { return ring.hasRoom(pos + block.frames); })) return rte_pktmbuf_free_bulk(mbufs, block.frames);
  }
  uint32_t f = 0;
  for (uint32_t i = 0; i < block.records; i++) {
    const TsRecordDesc& d = block.desc[i];
    const uint64_t dueT = config_.paced ? dueTsc(cs, d.dueNs) : 0;
    for (uint32_t k = tsFramesFor(payloadLength(d)); k > 0; k--, f++) {
      SequenceSlot& slot = ring.slot(pos + f);
      slot.item = mbufs[f];
      slot.bytes = mbufs[f]->pkt_len;
      slot.owner = static_cast<uint16_t>(core);
      slot.dueTsc.store(dueT, std::memory_order_relaxed);
    }
    if (cs.flows != nullptr) cs.flows[d.flow].sent++;
  }
  ring.commit(pos, pos + block.frames);
  cs.ringPos += block.frames;
  bump(counters.built, block.frames);
  bump(counters.blocks);
  bump(cs.sent, block.records);
  ctx_.commitDuty(ctx_.run, core, pos, pos + block.frames, readTsc());
}

void TsReplayEngine::dropBlock(CoreState& cs, const Block& block) {
  if (cs.flows != nullptr) {
    for (uint32_t i = 0; i < block.records; i++) cs.flows[block.desc[i].flow].dropped++;
  }
  bump(cs.dropped, block.records);
}

// Counts the block's records off their buffers (one atomic per run of the same buffer).
void TsReplayEngine::finishBlock(const Block& block) {
  uint32_t i = 0;
  while (i < block.records) {
    uint32_t j = i + 1;
    while (j < block.records && block.desc[j].buffer == block.desc[i].buffer) j++;
    pipeline_.done(block.desc[i].buffer, j - i);
    i = j;
  }
}

// Everything this core committed leaves before it returns, stopped or not (at most 100 ms).
void TsReplayEngine::flushOwn(unsigned core) {
  const uint64_t until = readTsc() + ctx_.tscHz / 10;
  for (uint64_t now = readTsc(); duty(core, now) != UINT64_MAX && now < until; now = readTsc()) cpuRelax();
}

}  // namespace txcore
