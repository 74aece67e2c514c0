#include "model-synthesis-engine.h"

#include <rte_mbuf.h>
#include <rte_prefetch.h>
#include <time.h>

#include <algorithm>
#include <chrono>

#include "frame-mbufs.h"
#include "jumbo-chain.h"
#include "synth-packet-builder.h"

namespace txcore {
namespace {

constexpr uint32_t kPrefetchAhead = 4;
constexpr uint32_t kDescAhead = 16;  // one core: descriptors this far ahead (8 lines, a few hundred ns: they come from the feeder's cache)
static_assert(kDescAhead + 2 * kPrefetchAhead < kSynthDescPad, "the look-ahead stays within the batch's padding");
constexpr size_t kScratchBytes = 2 * size_t{kMaxIpBytes} + 64;  // the longest frame: l3 + 65535 < 2 x 65535
// Prefill at most this long when the input comes slower than the batches fill (a sparse
// model: PlanBuilder's per-bin cost, and its first chunks run before V8 has optimised it).
// A paced run late from its first packets is worse than a later start.
constexpr int64_t kPrepareMs = 1000, kPrepareTopspeedMs = 100;
constexpr int64_t kMaxPrepareMs = 10000;  // ... and at most this long before a wall-clock start

int64_t wallNs() {
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

// Copies a frame built in scratch into a chain of jumbo segments (sized by the caller).
void copyIntoChain(rte_mbuf* head, const uint8_t* src) {
  for (rte_mbuf* m = head; m != nullptr; m = m->next) {
    memcpy(rte_pktmbuf_mtod(m, uint8_t*), src, m->data_len);
    src += m->data_len;
  }
}
}  // namespace

TxFailure ModelSynthesisEngine::begin(const EngineContext& context) {
  ctx_ = context;
  if (plan_->cores != context.cores) return TxFailure::make(stage::kBadConfig, EINVAL, "the plan binds rows to a different number of cores than the run has");
  paced_ = config_.pacing.mode != PacingConfig::kTopspeed;
  tscPerNsQ32_ = static_cast<uint64_t>((static_cast<unsigned __int128>(context.tscHz) << 32) / 1000000000u);
  leadTsc_ = static_cast<uint64_t>(config_.leadUs) * context.tscPerUs;
  scratch_.assign(kScratchBytes * context.cores, 0);
  planCpus();
  return feeder_.open(plan_.get(), queue_.get(), config_.pacing, config_.batchDescs, config_.maxPackets);
}

// The feeder and each generation core on a CPU of its own, when the process has a CPU for
// each, no lcore shares one (a drain lcore does) and the model is dense (at most one (row,
// bin) pair planned per packet). With one core at --topspeed on a 2-CPU host the two stages
// are then about balanced, and left floating, Node's threads and the scheduler's moves took
// 5-6% of the rate. A sparse model's rate is the planner's, on the JavaScript thread: with
// the feeder pinned, the feeder's wake-ups kept pulling that thread onto the feeder's CPU
// (-20%). (docs/txcore.md, "Descriptor prefetch and thread placement".) The feeder takes
// the last CPU, core k the one k + 1 before it.
void ModelSynthesisEngine::planCpus() {
  const std::vector<int> cpus = processCpus();
  const bool pin = !ctx_.shareCpu && ctx_.cores + 1 <= cpus.size() && plan_->pairsPerPacket() <= 1.0;
  feederCpu_ = pin ? cpus.back() : -1;
  for (unsigned k = 0; k < kMaxCores; k++) coreCpu_[k] = pin && k < ctx_.cores ? cpus[cpus.size() - 2 - k] : -1;
}

// IO thread, before the start: the first batches of packets are fed, and a wall-clock start
// (the fleet's synchronised t = 0) is turned into a TSC deadline the cores wait for.
void ModelSynthesisEngine::prepare() {
  // Prefill for at least kPrepareMs, or up to just before a wall-clock start further away
  // (bounded): paced runs then start with up to 4 batches of packets ready.
  const int64_t prepareMs = paced_ ? kPrepareMs : kPrepareTopspeedMs;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(prepareMs);
  int64_t startNs = static_cast<int64_t>(config_.startAtUnixMs * 1e6);
  if (startNs > 0) {
    int64_t ahead = std::min<int64_t>(startNs - wallNs() - 5000000, kMaxPrepareMs * 1000000ll);
    if (ahead > prepareMs * 1000000ll) deadline = std::chrono::steady_clock::now() + std::chrono::nanoseconds(ahead);
  }
  PinnedThread pinned(feederCpu_);
  feeder_.prepare(*ctx_.stop, deadline);
  if (startNs <= 0) return;
  uint64_t tsc = readTsc();
  int64_t now = wallNs();
  refTsc_ = tsc;
  refWallNs_ = now;
  startAtNs_ = startNs;
  if (startNs > now) wallStartTsc_ = tsc + static_cast<uint64_t>(static_cast<unsigned __int128>(startNs - now) * ctx_.tscHz / 1000000000u);
}

void ModelSynthesisEngine::runOnCore(unsigned core) {
  PinnedThread pinned(coreCpu_[core]);
  CoreState& cs = cores_[core];
  cs.core = core;
  cs.scratch = scratch_.data() + kScratchBytes * core;
  cs.startTsc = std::max(ctx_.startTsc->load(std::memory_order_acquire), wallStartTsc_);
  // Paced cores wait per block (cutAtHorizon); at topspeed the first block waits for t = 0.
  if (!paced_ && cs.startTsc > readTsc() &&
      !waitUntilTsc(cs.startTsc, ctx_.tscPerUs, ctx_.shareCpu, *ctx_.stop, [this, core](uint64_t now) { return duty(core, now); })) {
    return;
  }
  cs.blocks.start();
  for (uint32_t gen = 0;; gen++) {
    const SynthBatch* b = feeder_.acquire(gen, *ctx_.stop);
    if (b == nullptr) return;
    processBatch(*b, cs);
    feeder_.release(b);  // even when stopped: the feeder may be waiting for it
    if (stopped()) return;
  }
}

// This core's packets of one batch, in blocks of CONSECUTIVE global positions it owns (its
// instances' packets), at most blocks.cap long and, when paced, due within the lead time. With
// one core every descriptor is its own, in position order: blocks are plain ranges.
void ModelSynthesisEngine::processBatch(const SynthBatch& b, CoreState& cs) {
  const bool single = ctx_.cores == 1;
  const uint32_t* idx = single ? nullptr : b.indexOf(cs.core);
  const uint32_t count = single ? b.count : b.coreCount[cs.core];
  Block block;
  for (uint32_t i = 0; i < count;) {
    if (stopped()) return;
    const uint32_t limit = std::min(cs.blocks.cap, count - i);
    if (single) {
      block.first = i;
      block.len = limit;
    } else {
      block.index = idx + i;
      block.len = 1;
      while (block.len < limit && idx[i + block.len] == idx[i] + block.len) block.len++;
    }
    if (paced_ && !cutAtHorizon(b, cs, &block)) return;
    block.pos = b.firstSeq + block.at(0);
    if (!buildBlock(b, block, cs)) return;
    const uint64_t now = cs.blocks.adapt(block.len, ctx_.tscPerUs, kMaxBlock);  // one TSC reading per block (two cores: blocks of ~2)
    ctx_.commitDuty(ctx_.run, cs.core, block.pos, block.pos + block.len, now);
    i += block.len;
  }
}

bool ModelSynthesisEngine::cutAtHorizon(const SynthBatch& b, CoreState& cs, Block* block) {
  uint64_t due = dueTsc(cs, b.dueNs[block->at(0)]);
  if (due > readTsc() + leadTsc_ &&
      !waitUntilTsc(due - leadTsc_, ctx_.tscPerUs, ctx_.shareCpu, *ctx_.stop, [this, core = cs.core](uint64_t now) { return duty(core, now); })) {
    return false;
  }
  uint64_t horizon = readTsc() + leadTsc_;
  uint32_t k = 1;
  while (k < block->len && dueTsc(cs, b.dueNs[block->at(k)]) <= horizon) k++;
  block->len = k;
  return true;
}

// Reserve (wait for room and mbufs), build every frame from its template, commit; or, with
// one core at topspeed and nothing before the block still to leave, send the block at once
// (EngineContext::sendAtHead: no ring slots, no drain; docs/txcore.md).
bool ModelSynthesisEngine::buildBlock(const SynthBatch& b, const Block& block, CoreState& cs) {
  SequenceRing& ring = *ctx_.rings[cs.core];
  BuildCounters& counters = ctx_.stats->build[cs.core];
  const uint64_t pos = block.pos;
  const uint32_t len = block.len;
  const bool direct = ctx_.direct != nullptr && ctx_.direct(ctx_.run, cs.core, pos, len);
  if (!direct && !ring.hasRoom(pos + len)) {
    bump(counters.ringStalls);
    if (!ctx_.waitFor(cs.core, [&] { return ring.hasRoom(pos + len); })) return false;
  }
  rte_mbuf* mbufs[kMaxBlock];
  if (allocFrameMbufs(ctx_.pools->normal, mbufs, len) != 0) {
    bump(counters.poolStalls);
    if (!ctx_.waitFor(cs.core, [&] { return allocFrameMbufs(ctx_.pools->normal, mbufs, len) == 0; })) return false;
  }
  using Frames = bool (ModelSynthesisEngine::*)(const SynthBatch&, const Block&, CoreState&, rte_mbuf**, uint64_t*);
  using E = ModelSynthesisEngine;
  static constexpr Frames kFrames[10] = {
      &E::buildFrames<false, false, false, true>, &E::buildFrames<false, false, true, true>,
      &E::buildFrames<false, true, false, true>,  &E::buildFrames<false, true, true, true>,
      &E::buildFrames<true, false, false, true>,  &E::buildFrames<true, false, true, true>,
      &E::buildFrames<true, true, false, true>,   &E::buildFrames<true, true, true, true>,
      &E::buildFrames<true, false, false, false>, &E::buildFrames<true, false, true, false>,  // direct: one core, topspeed
  };
  const unsigned variant = direct ? 8 : (block.index == nullptr ? 4 : 0) | (paced_ ? 2 : 0);
  uint64_t bytes = 0;
  if (!(this->*kFrames[variant | (b.flowSeq != nullptr ? 1 : 0)])(b, block, cs, mbufs, &bytes)) return false;
  bump(counters.built, len);
  bump(counters.blocks);
  if (direct) {
    ctx_.sendAtHead(ctx_.run, cs.core, pos, mbufs, len, bytes);  // what the port does not take goes into the ring
    return true;
  }
  ring.commit(pos, pos + len);
  return true;
}

// Fills the block's slots. The descriptors come from the feeder's cache and each packet's
// template from a random flow's: descriptors are fetched kDescAhead packets ahead (with one
// core they are consecutive, so across blocks too, with the prefetch descriptor-prefetch.h
// picks for the CPU; the batch's padding makes the look-ahead safe without a bound check),
// and so are the slot facts, 2 x kPrefetchAhead ahead, and the template image,
// kPrefetchAhead ahead; with several cores both kPrefetchAhead ahead within the block), and
// each frame's first line two packets ahead. At topspeed the slots' due time is not written (the drain does not read it); without the ring
// (`Ring` false: sendAtHead) no slot is. mbufs[j] ends as packet j's frame either way, and
// *bytes as the block's bytes. False when stopped waiting for a jumbo mbuf (every mbuf of
// the block is then back in its pool).
template <bool Contiguous, bool Paced, bool Tag, bool Ring>
bool ModelSynthesisEngine::buildFrames(const SynthBatch& b, const Block& block, CoreState& cs, rte_mbuf** mbufs, uint64_t* bytes) {
  SequenceRing& ring = *ctx_.rings[cs.core];
  const SynthPlan& plan = *plan_;
  const SynthSlot* slots = plan.slots.data();
  const uint32_t room = ctx_.pools->normalRoom;
  const uint64_t pos = block.pos;
  const uint32_t len = block.len;
  const SynthDesc* descs = b.descs;
  const uint16_t owner = static_cast<uint16_t>(cs.core);
  const bool nta = descNta_;
  auto at = [&](uint32_t j) { return Contiguous ? block.first + j : block.index[j]; };
  if (!Contiguous) {
    for (uint32_t j = 0; j < len && j < kPrefetchAhead; j++) rte_prefetch0(&descs[at(j)]);
  }
  uint64_t sent = 0;
  for (uint32_t j = 0; j < len; j++) {
    if (Contiguous) {
      // In stages, across blocks: the descriptor, then its slot, then the slot's image (whose
      // address is in the slot: fetched in one go, that load stalled the loop on the slot).
      // Past the batch's end the descriptors are padding (kSynthDescPad): no bound check.
      const SynthDesc* ahead = descs + block.first + j;
      if ((j & 1) == 0) {  // two per line
        if (nta) rte_prefetch_non_temporal(ahead + kDescAhead);
        else rte_prefetch0(ahead + kDescAhead);
      }
      rte_prefetch0(&slots[ahead[2 * kPrefetchAhead].slot]);
      rte_prefetch0(plan.image(slots[ahead[kPrefetchAhead].slot]));
    } else if (j + 2 * kPrefetchAhead < len) {
      rte_prefetch0(&descs[at(j + 2 * kPrefetchAhead)]);
    }
    if (!Contiguous && j + kPrefetchAhead < len) {
      const SynthSlot& slot = slots[descs[at(j + kPrefetchAhead)].slot];
      rte_prefetch0(&slot);
      rte_prefetch0(plan.image(slot));
    }
    if (j + 2 < len) __builtin_prefetch(frameData(mbufs[j + 2]), 1);
    const uint32_t index = at(j);
    const SynthDesc& d = descs[index];
    const uint32_t length = d.length;
    const uint64_t flowSeq = Tag ? b.flowSeq[index] : 0;
    rte_mbuf* m = mbufs[j];
    if (__builtin_expect(length > room, 0)) {
      rte_pktmbuf_free(m);
      if ((m = buildLargeFrame(cs, d, pos + j, flowSeq)) == nullptr) return unwindBlock(block, mbufs, j);
      mbufs[j] = m;
    } else {
      synthesizeFrameT<Tag>(plan, d, pos + j, flowSeq, frameData(m), room);
      m->data_len = static_cast<uint16_t>(length);
      m->pkt_len = length;
    }
    sent += length;
    if (Ring) {
      SequenceSlot& slot = ring.slot(pos + j);
      slot.item = m;
      slot.bytes = length;
      slot.owner = owner;
      if (Paced) slot.dueTsc.store(dueTsc(cs, b.dueNs[index]), std::memory_order_relaxed);
    }
  }
  *bytes += sent;
  return true;
}

// Stopped while waiting for a jumbo mbuf at packet `built` (whose mbuf is already freed):
// every other mbuf of the block back.
bool ModelSynthesisEngine::unwindBlock(const Block& block, rte_mbuf** mbufs, uint32_t built) {
  if (built + 1 < block.len) rte_pktmbuf_free_bulk(mbufs + built + 1, block.len - built - 1);
  if (built > 0) rte_pktmbuf_free_bulk(mbufs, built);
  return false;
}

// Frames longer than a normal mbuf: built in the core's scratch, then copied into 64 KB
// jumbo segments. Jumbo mbufs are taken only within jumboWindow of the drain head, so every
// position before ours can drain and free its own: waiting here cannot deadlock.
rte_mbuf* ModelSynthesisEngine::buildLargeFrame(CoreState& cs, const SynthDesc& d, uint64_t seq, uint64_t flowSeq) {
  const MbufPools& pools = *ctx_.pools;
  const SequenceRing& ring = *ctx_.rings[cs.core];
  if (!ctx_.waitFor(cs.core, [&] { return seq + 1 <= ring.drained() + pools.jumboWindow; })) return nullptr;
  synthesizeFrame(*plan_, d, seq, flowSeq, cs.scratch, kScratchBytes);
  rte_mbuf* head = allocJumboChain(pools, d.length, [&](auto&& ready) { return ctx_.waitFor(cs.core, ready); });
  if (head == nullptr) return nullptr;
  copyIntoChain(head, cs.scratch);
  return head;
}

std::vector<std::pair<const char*, uint64_t>> ModelSynthesisEngine::figures(bool ended) const {
  SynthFeeder::Counters c = feeder_.counters();
  std::vector<std::pair<const char*, uint64_t>> f{{"chunks", c.chunks},          {"bins", c.bins},
                                                  {"dropped", c.dropped},        {"inputWaits", c.inputWaits},
                                                  {"batchWaits", c.batchWaits},  {"members", c.members},
                                                  {"mbufRoom", ctx_.pools != nullptr ? ctx_.pools->normalRoom : 0},
                                                  {"descPrefetchNta", descNta_ ? 1u : 0u}, {"pinned", feederCpu_ >= 0 ? 1u : 0u}};
  uint64_t first = ctx_.stats != nullptr ? ctx_.stats->firstSendTsc.load(std::memory_order_relaxed) : 0;
  if (startAtNs_ != 0 && first != 0) {
    // Wall clock of the first packet handed to the port, against when it was due.
    int64_t sentNs = refWallNs_ + static_cast<int64_t>((static_cast<unsigned __int128>(first - refTsc_) * 1000000000u) / ctx_.tscHz);
    int64_t skew = sentNs - (startAtNs_ + std::max<int64_t>(0, feeder_.firstDueNs()));
    f.emplace_back("startLateNs", skew > 0 ? static_cast<uint64_t>(skew) : 0);
    f.emplace_back("startEarlyNs", skew < 0 ? static_cast<uint64_t>(-skew) : 0);
  }
  (void)ended;
  return f;
}

}  // namespace txcore
