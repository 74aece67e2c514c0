#include "synth-feeder.h"

#include <sys/mman.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>

#include "tsc-waiter.h"

namespace txcore {
namespace {

size_t pageAlign(size_t v) { return (v + 4095) & ~size_t{4095}; }

constexpr size_t kDispatchAhead = BinExpander::kOrderPad;

bool wholeCount(double v) { return v >= 0 && v < 4294967296.0 && std::floor(v) == v; }

}  // namespace

SynthFeeder::~SynthFeeder() {
  if (arena_ != nullptr) munmap(arena_, arenaBytes_);
}

TxFailure SynthFeeder::open(const SynthPlan* plan, SynthChunkQueue* queue, const PacingConfig& pacing, uint32_t batchDescs, uint64_t maxPackets) {
  plan_ = plan;
  maxPackets_ = maxPackets;
  queue_ = queue;
  pacing_ = pacing;
  expander_ = std::make_unique<BinExpander>(*plan);
  for (uint32_t r = 0; r < plan->rows; r++) {
    addInstance(SynthInstance{plan->rowTemplate[r], plan->rowVariant[r], plan->rowPackets[r], plan->rowReverse[r], plan->rowStartNs[r], plan->rowEndNs[r]});
  }
  nextInstance_ = memberBase_ = plan->rows;
  const bool paced = pacing.mode != PacingConfig::kTopspeed;
  const size_t cap = batchDescs;
  size_t each = pageAlign((cap + kSynthDescPad) * sizeof(SynthDesc)) + (paced ? pageAlign(cap * 8) : 0) + (plan->tag ? pageAlign(cap * 8) : 0) +
                (plan->cores > 1 ? pageAlign(cap * 4 * plan->cores) : 0);
  arenaBytes_ = each * kSynthBatches;
  void* mem = mmap(nullptr, arenaBytes_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (mem == MAP_FAILED) {
    arena_ = nullptr;
    return TxFailure::make(stage::kNoMemory, ENOMEM, "cannot allocate " + std::to_string(arenaBytes_ >> 20) + " MB of synthesis batches");
  }
  arena_ = static_cast<uint8_t*>(mem);
  uint8_t* at = arena_;
  for (SynthBatch& b : batches_) {
    b.capacity = batchDescs;
    b.descs = reinterpret_cast<SynthDesc*>(at), at += pageAlign((cap + kSynthDescPad) * sizeof(SynthDesc));
    if (paced) b.dueNs = reinterpret_cast<int64_t*>(at), at += pageAlign(cap * 8);
    if (plan->tag) b.flowSeq = reinterpret_cast<uint64_t*>(at), at += pageAlign(cap * 8);
    if (plan->cores > 1) b.coreIndex = reinterpret_cast<uint32_t*>(at), at += pageAlign(cap * 4 * plan->cores);
  }
  return {};
}

void SynthFeeder::addInstance(const SynthInstance& inst) {
  FlowState state;
  state.variant = inst.variant;
  state.core = plan_->rowCore[inst.row];
  insts_.push_back(inst);
  states_.push_back(state);
}

void SynthFeeder::prepare(const std::atomic<bool>& stop, std::chrono::steady_clock::time_point deadline) {
  // Fault the batches in now, so the footprint is fixed before the first packet.
  for (size_t off = 0; off < arenaBytes_; off += 4096) static_cast<volatile uint8_t*>(arena_)[off] = 0;
  run(stop, true, deadline);
  if (!ended() && openGen_ == gen_ && batches_[gen_ % kSynthBatches].count > 0) publish();
}

void SynthFeeder::serve(const std::atomic<bool>& stop) {
  if (!ended()) run(stop, false);
  if (!ended()) finish();  // stopped: let every waiting core see the end
  queue_->close();
}

// The feed loop. Preparing, it returns when every batch is full (more would mean waiting for
// cores that have not started) or at the deadline; serving, it waits for input and cores,
// and publishes what it holds whenever it has to wait for input (nothing is held back).
void SynthFeeder::run(const std::atomic<bool>& stop, bool preparing, std::chrono::steady_clock::time_point deadline) {
  while (!ended()) {
    if (stop.load(std::memory_order_relaxed)) return;
    if (chunk_ == nullptr) {
      chunk_ = queue_->tryPop();
      if (chunk_ == nullptr) {
        inputWaits_.fetch_add(1, std::memory_order_relaxed);
        if (!preparing && openGen_ == gen_ && batches_[gen_ % kSynthBatches].count > 0) publish();
        chunk_ = preparing ? queue_->pop(stop, deadline) : queue_->pop(stop);
        if (chunk_ == nullptr && preparing && std::chrono::steady_clock::now() >= deadline && !queue_->inputEnded() && !queue_->aborted(nullptr)) return;
      }
      if (chunk_ == nullptr) {
        std::string message;
        if (queue_->aborted(&message)) fail(message);
        else if (!stop.load(std::memory_order_relaxed)) finish();  // end of input
        return;
      }
      if (!beginChunk(*chunk_)) return;
    }
    switch (feedChunk(stop, !preparing)) {
      case Fed::kDone:
        chunk_ = nullptr;
        queue_->release();
        break;
      case Fed::kBlocked:
      case Fed::kStopped:
        return;
      case Fed::kFailed:
        return;
    }
  }
}

// A chunk's bins must follow the previous chunk's; a chunk that starts a window cycle
// forgets the previous cycle's class members (their lanes restart, plan-builder.ts), so the
// instance table holds one cycle's members at most, whatever the duration.
bool SynthFeeder::beginChunk(const SynthChunk& c) {
  if (c.firstBin != nextBin_ || c.firstBin + c.binCount > plan_->totalBins) {
    fail("count chunk for bins " + std::to_string(c.firstBin) + ".." + std::to_string(c.firstBin + c.binCount) + " arrived where bin " +
         std::to_string(nextBin_) + " was due (of " + std::to_string(plan_->totalBins) + ")");
    return false;
  }
  if (c.firstBin > 0 && c.firstBin % plan_->windowBins == 0) {
    insts_.resize(plan_->rows);
    states_.resize(plan_->rows);
    memberBase_ = nextInstance_;
  }
  for (size_t i = 0; i < c.newTemplate.size(); i++) {
    uint32_t row = c.newTemplate[i];
    double n = c.newPackets[i], n1 = c.newReverse[i];
    if (row >= plan_->rows || !wholeCount(n) || !wholeCount(n1) || (n1 > 0 && n1 > n - 1)) {
      fail("count chunk at bin " + std::to_string(c.firstBin) + ": new instance " + std::to_string(nextInstance_) + " is inconsistent");
      return false;
    }
    addInstance(SynthInstance{row, c.newVariant[i], n, n1, c.newStartNs[i], c.newEndNs[i]});
    nextInstance_++;
  }
  members_.store(insts_.size() - plan_->rows, std::memory_order_relaxed);
  nextBin_ = c.firstBin + c.binCount;
  bin_ = 0;
  binReady_ = false;
  chunks_.fetch_add(1, std::memory_order_relaxed);
  return true;
}

SynthFeeder::Fed SynthFeeder::feedChunk(const std::atomic<bool>& stop, bool mayWait) {
  while (bin_ < chunk_->binCount) {
    if (!binReady_) {
      if (!expandBin(bin_)) return Fed::kFailed;
      binReady_ = true;
      cursor_ = 0;
    }
    const size_t n = expander_->size();
    SynthBatch* b = nullptr;
    while (cursor_ < n) {
      if (b == nullptr || b->count == b->capacity) {
        b = openBatch(stop, mayWait);
        if (b == nullptr) return stop.load(std::memory_order_relaxed) ? Fed::kStopped : Fed::kBlocked;
      }
      cursor_ = dispatch(*b, cursor_);
      if (seq_ >= maxPackets_) {  // the packet limit: the stream ends here
        finish();
        return Fed::kDone;
      }
    }
    bin_++;
    binReady_ = false;
    bins_.store(bins_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  }
  return Fed::kDone;
}

// Gathers the bin's entries this host sends, in (instance, first packet) order, expands
// them and orders the packets: a stable sort by time of that sequence is the global order
// (time, instance, packet index) of traffic-generator.ts.
bool SynthFeeder::expandBin(uint32_t bin) {
  const SynthChunk& c = *chunk_;
  const uint64_t absolute = c.firstBin + bin;
  entries_.clear();
  uint64_t packets = 0;
  for (uint32_t e = c.entryOffset[bin]; e < c.entryOffset[bin + 1]; e++) {
    uint64_t id = c.instance[e];
    uint64_t record = id < plan_->rows ? id : id - memberBase_ + plan_->rows;
    if ((id >= plan_->rows && id < memberBase_) || record >= insts_.size()) {
      fail("count chunk at bin " + std::to_string(absolute) + " names instance " + std::to_string(id) + ", which no chunk of this cycle created");
      return false;
    }
    if (states_[record].core == kRowNotHere || c.count[e] == 0) continue;
    if (uint64_t{c.firstPacket[e]} + c.count[e] > static_cast<uint64_t>(insts_[record].packets)) {
      fail("count chunk at bin " + std::to_string(absolute) + " sends packets past instance " + std::to_string(id) + "'s count");
      return false;
    }
    entries_.push_back(e);
    packets += c.count[e];
  }
  auto before = [&](uint32_t a, uint32_t b) {
    return c.instance[a] != c.instance[b] ? c.instance[a] < c.instance[b] : c.firstPacket[a] < c.firstPacket[b];
  };
  if (!std::is_sorted(entries_.begin(), entries_.end(), before)) std::sort(entries_.begin(), entries_.end(), before);
  expander_->beginBin(absolute, packets);
  for (uint32_t e : entries_) {
    uint64_t id = c.instance[e];
    uint32_t record = static_cast<uint32_t>(id < plan_->rows ? id : id - memberBase_ + plan_->rows);
    expander_->expandEntry(insts_[record], c.instance[e], record, c.firstPacket[e], c.count[e]);
  }
  order_ = expander_->order();
  checkEnd_ = expander_->latest() >= plan_->endNs;
  return true;
}

// The batch of the generation being filled, opened (reset) once per generation. Reusing a
// ring slot waits until every core released it; false-y (nullptr) when that would mean
// waiting and `mayWait` is false (before the start), or when stopped while waiting.
SynthBatch* SynthFeeder::openBatch(const std::atomic<bool>& stop, bool mayWait) {
  SynthBatch* b = &batches_[gen_ % kSynthBatches];
  if (openGen_ == gen_) {
    if (b->count < b->capacity) return b;
    publish();
    b = &batches_[gen_ % kSynthBatches];
  }
  if (gen_ >= kSynthBatches && b->released.load(std::memory_order_acquire) < plan_->cores) {
    if (!mayWait) return nullptr;
    Backoff backoff;
    while (b->released.load(std::memory_order_acquire) < plan_->cores) {
      if (stop.load(std::memory_order_relaxed)) return nullptr;
      backoff.pause();
    }
  }
  b->released.store(0, std::memory_order_relaxed);
  b->count = 0;
  b->firstSeq = seq_;
  memset(b->coreCount, 0, sizeof b->coreCount);
  openGen_ = gen_;
  return b;
}

// The current bin's packets from `from` on take the next global positions, until the batch
// is full or the bin ends; returns where it stopped. One specialisation per run shape (paced,
// tagged, several cores) and per bin (whether any packet is at or past the end).
size_t SynthFeeder::dispatch(SynthBatch& b, size_t from) {
  const ExpandedPacket* packets = expander_->packets();
  const size_t to = expander_->size();
  const bool paced = b.dueNs != nullptr, tag = b.flowSeq != nullptr, multi = b.coreIndex != nullptr;
  using Run = size_t (SynthFeeder::*)(SynthBatch&, const ExpandedPacket*, const uint32_t*, size_t, size_t);
  static constexpr Run kRuns[16] = {
      &SynthFeeder::dispatchRun<false, false, false, false>, &SynthFeeder::dispatchRun<false, false, false, true>,
      &SynthFeeder::dispatchRun<false, false, true, false>,  &SynthFeeder::dispatchRun<false, false, true, true>,
      &SynthFeeder::dispatchRun<false, true, false, false>,  &SynthFeeder::dispatchRun<false, true, false, true>,
      &SynthFeeder::dispatchRun<false, true, true, false>,   &SynthFeeder::dispatchRun<false, true, true, true>,
      &SynthFeeder::dispatchRun<true, false, false, false>,  &SynthFeeder::dispatchRun<true, false, false, true>,
      &SynthFeeder::dispatchRun<true, false, true, false>,   &SynthFeeder::dispatchRun<true, false, true, true>,
      &SynthFeeder::dispatchRun<true, true, false, false>,   &SynthFeeder::dispatchRun<true, true, false, true>,
      &SynthFeeder::dispatchRun<true, true, true, false>,    &SynthFeeder::dispatchRun<true, true, true, true>,
  };
  const Run run = kRuns[(paced ? 8 : 0) | (tag ? 4 : 0) | (multi ? 2 : 0) | (checkEnd_ ? 1 : 0)];
  return (this->*run)(b, packets, order_, from, to);
}

// Each instance's history advances here, in the global order, exactly as packet-synthesizer.ts's
// InstanceState does packet by packet (packets at t >= end are dropped: CheckEnd).
// Locals, so the loop keeps its state in registers.
template <bool Paced, bool Tag, bool Multi, bool CheckEnd>
size_t SynthFeeder::dispatchRun(SynthBatch& b, const ExpandedPacket* packets, const uint32_t* order, size_t from, size_t to) {
  FlowState* states = states_.data();
  SynthDesc* descs = b.descs;
  const double endNs = plan_->endNs;
  uint32_t count = b.count;
  uint64_t seq = seq_;
  uint64_t dropped = 0;
  size_t at = from;
  // Room: the batch's, and the packet limit's (drops take none).
  const uint64_t room = std::min<uint64_t>(b.capacity - count, maxPackets_ - seq);
  const size_t end = CheckEnd ? to : std::min<size_t>(to, from + room);
  const uint32_t last = count + static_cast<uint32_t>(room);
  for (; at < end && (!CheckEnd || count < last); at++) {
    // A bin of a million packets (1 s bins) is far larger than the caches and the order
    // visits it at random: fetch a few packets ahead (the end of `order` is padded).
    __builtin_prefetch(&packets[order[at + kDispatchAhead]]);
    const ExpandedPacket& p = packets[order[at]];
    if (CheckEnd && p.time >= endNs) {
      dropped++;
      continue;
    }
    FlowState& st = states[p.record];
    const uint32_t d = p.slot & 1;
    const uint32_t i = count++;
    // The head (slot, variant, instance, length) as the expander wrote it, then the history.
    uint8_t* to = reinterpret_cast<uint8_t*>(descs + i);
    memcpy(to, &p, 16);
    const uint64_t adds = st.advance[d] | (uint64_t{st.advance[1 - d]} << 32);
    const uint64_t rest = st.sent[d] | (uint64_t{p.flags()} << 16);
    memcpy(to + 16, &adds, 8);
    memcpy(to + 24, &rest, 8);
    if (Tag) b.flowSeq[i] = st.total;
    if (Paced) b.dueNs[i] = dueNs(p.time, seq);
    if (Multi) b.coreIndex[static_cast<size_t>(st.core) * b.capacity + b.coreCount[st.core]++] = i;
    st.advance[d] += p.seqBytes();
    st.sent[d]++;
    st.total++;
    seq++;
  }
  b.count = count;
  seq_ = seq;
  if (dropped != 0) dropped_.store(dropped_.load(std::memory_order_relaxed) + dropped, std::memory_order_relaxed);
  return at;
}

// WHEN a packet is due, ns after t = 0 (pacer.h's split): original timing / speed, or the
// n-th packet at n / pps; never earlier than its predecessor (the drain sends in order).
int64_t SynthFeeder::dueNs(double time, uint64_t seq) {
  double due = pacing_.mode == PacingConfig::kPps ? static_cast<double>(seq) * 1e9 / pacing_.value : time / pacing_.value;
  int64_t ns = std::max<int64_t>(static_cast<int64_t>(due), prevDue_);
  prevDue_ = ns;
  if (seq == 0) firstDueNs_.store(ns, std::memory_order_release);
  return ns;
}

void SynthFeeder::publish() {
  batches_[gen_ % kSynthBatches].published.store(gen_ + 1, std::memory_order_release);
  gen_++;
  publishedAny_ = true;
}

void SynthFeeder::finish() {
  if (openGen_ == gen_ && batches_[gen_ % kSynthBatches].count > 0) publish();
  if (firstDueNs_.load(std::memory_order_relaxed) < 0) firstDueNs_.store(0, std::memory_order_release);
  endSeq_.store(seq_, std::memory_order_release);
  endGen_.store(gen_, std::memory_order_release);
}

// The input failed (TypeScript aborted it, or a chunk is inconsistent): what was fed is
// sent, then the run reports the failure (like a trace corrupt mid-way).
void SynthFeeder::fail(const std::string& message) {
  failure_ = TxFailure::make(stage::kSynthInput, EINVAL, message);
  finish();
}

const SynthBatch* SynthFeeder::acquire(uint32_t gen, const std::atomic<bool>& stop) const {
  const SynthBatch& b = batches_[gen % kSynthBatches];
  Backoff backoff;
  for (;;) {
    if (b.published.load(std::memory_order_acquire) == gen + 1) break;
    if (endGen_.load(std::memory_order_acquire) <= gen || stop.load(std::memory_order_relaxed)) return nullptr;
    backoff.pause();
  }
  if (backoff.waited()) batchWaits_.fetch_add(1, std::memory_order_relaxed);
  return &b;
}

SynthFeeder::Counters SynthFeeder::counters() const {
  auto get = [](const std::atomic<uint64_t>& v) { return v.load(std::memory_order_relaxed); };
  return Counters{get(chunks_), get(bins_), get(dropped_), get(inputWaits_), get(batchWaits_), get(members_)};
}

}  // namespace txcore
