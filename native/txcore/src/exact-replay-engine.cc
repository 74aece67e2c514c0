#include "exact-replay-engine.h"

#include <rte_mbuf.h>
#include <rte_memcpy.h>
#include <rte_prefetch.h>

#include <algorithm>

#include "frame-mbufs.h"
#include "jumbo-chain.h"
#include "tag-trailer.h"
#include "tsc-waiter.h"

namespace txcore {
namespace {

constexpr unsigned kPrefetchAhead = 4;

// Writes `n` bytes at `offset` of a chained frame (only frames over 64 KB get here).
void writeAt(rte_mbuf* head, uint32_t offset, const uint8_t* src, uint32_t n) {
  for (rte_mbuf* m = head; m != nullptr && n > 0; m = m->next) {
    if (offset >= m->data_len) {
      offset -= m->data_len;
      continue;
    }
    uint32_t take = std::min<uint32_t>(n, m->data_len - offset);
    uint8_t* dst = rte_pktmbuf_mtod_offset(m, uint8_t*, offset);
    if (src != nullptr) memcpy(dst, src, take), src += take;
    else memset(dst, 0, take);
    n -= take;
    offset = 0;
  }
}

}  // namespace

TxFailure ExactReplayEngine::begin(const EngineContext& context) {
  ctx_ = context;
  config_.stream.cores = context.cores;
  paced_ = config_.stream.pacing.mode != PacingConfig::kTopspeed;
  tscPerNsQ32_ = static_cast<uint64_t>((static_cast<unsigned __int128>(context.tscHz) << 32) / 1000000000u);
  leadTsc_ = static_cast<uint64_t>(config_.leadUs) * context.tscPerUs;
  return streamer_.open(config_.stream);
}

void ExactReplayEngine::runOnCore(unsigned core) {
  CoreState& cs = cores_[core];
  cs.core = core;
  cs.startTsc = ctx_.startTsc->load(std::memory_order_acquire);
  cs.blocks.start();
  for (uint32_t gen = 0;; gen++) {
    const TraceBuffer* b = streamer_.acquire(gen, *ctx_.stop);
    if (b == nullptr) return;
    processBuffer(core, *b, cs);
    streamer_.release(b);  // even when stopped: the reader may be waiting for it
    if (stopped()) return;
  }
}

// Walks this core's packets of one buffer in blocks of at most blocks.cap packets and, when
// paced, only packets due within the lead time. Global order: a block is a run of
// CONSECUTIVE global positions owned by this core, which are its ring positions. Flow order:
// any next packets of this core, at the next positions of its own ring.
void ExactReplayEngine::processBuffer(unsigned core, const TraceBuffer& b, CoreState& cs) {
  const bool single = ctx_.cores == 1;
  const uint32_t* idx = single ? nullptr : b.indexOf(core);
  const uint32_t count = single ? b.count : b.coreCount[core];
  Block block;
  for (uint32_t i = 0; i < count;) {
    if (stopped()) return;
    uint32_t limit = std::min(cs.blocks.cap, count - i);
    block.len = 1;
    block.index[0] = single ? i : idx[i];
    if (single || ctx_.flowOrder) {
      for (; block.len < limit; block.len++) block.index[block.len] = single ? i + block.len : idx[i + block.len];
    } else {
      while (block.len < limit && idx[i + block.len] == block.index[0] + block.len) block.index[block.len] = idx[i + block.len], block.len++;
    }
    if (paced_ && !cutAtHorizon(b, cs, &block)) return;
    block.pos = ctx_.flowOrder ? cs.ringPos : b.firstSeq + block.index[0];
    if (!buildBlock(core, b, block, cs)) return;
    cs.ringPos += block.len;
    const uint64_t now = cs.blocks.adapt(block.len, ctx_.tscPerUs, kMaxBlock);
    ctx_.commitDuty(ctx_.run, core, block.pos, block.pos + block.len, now);
    i += block.len;
  }
}

// Paced: waits until the block's first packet is within the lead time of being due, then
// keeps only the packets due within the lead time. False when stopped while waiting.
bool ExactReplayEngine::cutAtHorizon(const TraceBuffer& b, CoreState& cs, Block* block) {
  uint64_t due = dueTsc(cs, b.descs[block->index[0]].dueNs);
  if (due > readTsc() + leadTsc_ &&
      !waitUntilTsc(due - leadTsc_, ctx_.tscPerUs, ctx_.shareCpu, *ctx_.stop, [this, core = cs.core](uint64_t now) { return duty(core, now); })) {
    return false;
  }
  uint64_t horizon = readTsc() + leadTsc_;
  uint32_t k = 1;
  while (k < block->len && dueTsc(cs, b.descs[block->index[k]].dueNs) <= horizon) k++;
  block->len = k;
  return true;
}

// Copies one frame into `normal` (or a jumbo mbuf when it does not fit) and tags it.
inline rte_mbuf* ExactReplayEngine::buildFrame(unsigned core, const TraceBuffer& b, uint32_t index, uint64_t seq,
                                               uint64_t pos, rte_mbuf* normal, uint32_t* bytes) {
  const PacketDesc& d = b.descs[index];
  const uint8_t* src = b.bytes + d.offset;
  const bool tag = b.tags != nullptr;
  uint32_t frameLen = tag ? taggedLength(d.caplen, b.tags[index].payloadOffset) : d.caplen;
  uint8_t trailer[kTagBytes];
  if (tag) encodeTag(trailer, b.tags[index].flowId, seq, b.tags[index].flowSeq);
  *bytes = frameLen;
  if (__builtin_expect(frameLen > ctx_.pools->normalRoom, 0)) {
    rte_pktmbuf_free(normal);
    return buildLargeFrame(core, src, d.caplen, frameLen, tag ? trailer : nullptr, pos);
  }
  uint8_t* dst = rte_pktmbuf_mtod(normal, uint8_t*);
  rte_memcpy(dst, src, d.caplen);
  if (tag) {
    if (d.caplen < frameLen - kTagBytes) memset(dst + d.caplen, 0, frameLen - kTagBytes - d.caplen);
    memcpy(dst + frameLen - kTagBytes, trailer, kTagBytes);
  }
  normal->data_len = static_cast<uint16_t>(frameLen);
  normal->pkt_len = frameLen;
  return normal;
}

// Reserve (wait for room), fill, commit; or, with one core at topspeed and nothing before
// the block still to leave, send it at once (EngineContext::sendAtHead: no ring slots, no
// drain). False when stopped first.
bool ExactReplayEngine::buildBlock(unsigned core, const TraceBuffer& b, const Block& block, CoreState& cs) {
  SequenceRing& ring = *ctx_.rings[core];
  BuildCounters& counters = ctx_.stats->build[core];
  const uint64_t pos = block.pos;
  const uint32_t len = block.len;
  const bool direct = ctx_.direct != nullptr && ctx_.direct(ctx_.run, core, pos, len);
  if (!direct && !ring.hasRoom(pos + len)) {
    bump(counters.ringStalls);
    if (!ctx_.waitFor(core, [&] { return ring.hasRoom(pos + len); })) return false;
  }
  rte_mbuf* mbufs[kMaxBlock];
  if (allocFrameMbufs(ctx_.pools->normal, mbufs, len) != 0) {
    bump(counters.poolStalls);
    if (!ctx_.waitFor(core, [&] { return allocFrameMbufs(ctx_.pools->normal, mbufs, len) == 0; })) return false;
  }
  uint64_t blockBytes = 0;
  for (uint32_t j = 0; j < len; j++) {
    if (j + kPrefetchAhead < len) rte_prefetch0(b.bytes + b.descs[block.index[j + kPrefetchAhead]].offset);
    uint32_t bytes = 0;
    uint32_t index = block.index[j];
    rte_mbuf* m = buildFrame(core, b, index, b.firstSeq + index, pos + j, mbufs[j], &bytes);
    if (m == nullptr) {  // stopped while waiting for a jumbo mbuf (mbufs[j] is already freed)
      if (j + 1 < len) rte_pktmbuf_free_bulk(mbufs + j + 1, len - j - 1);
      if (j > 0) rte_pktmbuf_free_bulk(mbufs, j);
      return false;
    }
    mbufs[j] = m;
    blockBytes += bytes;
    if (direct) continue;
    SequenceSlot& slot = ring.slot(pos + j);
    slot.item = m;
    slot.bytes = bytes;
    slot.owner = static_cast<uint16_t>(core);
    slot.dueTsc.store(paced_ ? dueTsc(cs, b.descs[index].dueNs) : 0, std::memory_order_relaxed);
  }
  bump(counters.built, len);
  bump(counters.blocks);
  if (direct) {
    ctx_.sendAtHead(ctx_.run, core, pos, mbufs, len, blockBytes);  // what the port does not take goes into the ring
    return true;
  }
  ring.commit(pos, pos + len);
  return true;
}

// Frames longer than a normal mbuf: one 64 KB segment (or a chain beyond that). Jumbo
// mbufs are taken only for positions within jumboWindow of the drain head: every position
// before ours can then drain and free its jumbo mbufs, so waiting here cannot deadlock.
rte_mbuf* ExactReplayEngine::buildLargeFrame(unsigned core, const uint8_t* src, uint32_t caplen, uint32_t frameLen,
                                             const uint8_t* tag, uint64_t pos) {
  const MbufPools& pools = *ctx_.pools;
  const SequenceRing& ring = *ctx_.rings[core];
  if (!ctx_.waitFor(core, [&] { return pos + 1 <= ring.drained() + pools.jumboWindow; })) return nullptr;
  rte_mbuf* head = allocJumboChain(pools, frameLen, [&](auto&& ready) { return ctx_.waitFor(core, ready); });
  if (head == nullptr) return nullptr;
  writeAt(head, 0, src, caplen);
  if (tag != nullptr) {
    if (caplen < frameLen - kTagBytes) writeAt(head, caplen, nullptr, frameLen - kTagBytes - caplen);
    writeAt(head, frameLen - kTagBytes, tag, kTagBytes);
  }
  return head;
}

}  // namespace txcore
