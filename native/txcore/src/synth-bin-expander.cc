#include "synth-bin-expander.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "synth-packet-builder.h"

namespace txcore {

namespace {

// reverseBefore(j) of direction-sequence.ts, stepped j -> j+1 without a division per packet:
// reverseBefore(j) = floor(((j-1) * n1 + (n-1-n1)) / (n-1)) for j >= 2 (0 below, and 0 when
// n1 = 0 or n <= 1). The formula gives 0 at j = 1 too, so the cursor may start there. The
// numerator grows by n1 <= n-1 per step, so the quotient grows by 0 or 1.
class DirectionCursor {
 public:
  DirectionCursor(uint64_t n, uint64_t n1, uint64_t j) : on_(n1 > 0 && n > 1), d_(n > 1 ? n - 1 : 1), n1_(n1), j_(j) {
    if (!on_ || j == 0) return;
    unsigned __int128 num = static_cast<unsigned __int128>(j - 1) * n1 + (n - 1 - n1);
    q_ = static_cast<uint64_t>(num / d_);
    r_ = static_cast<uint64_t>(num % d_);
  }
  bool on() const { return on_; }
  uint64_t before() const { return q_; }  // reverseBefore(j)
  // Moves to j+1; returns reverseBefore(j+1).
  uint64_t step() {
    if (on_) {
      if (j_ == 0) {
        q_ = 0;
        r_ = d_ - n1_;  // the numerator at j = 1
      } else {
        r_ += n1_;
        while (r_ >= d_) r_ -= d_, q_++;
      }
    }
    j_++;
    return q_;
  }

 private:
  bool on_;
  uint64_t d_, n1_, j_;
  uint64_t q_ = 0, r_ = 0;
};

// A whole number (the bin's times are below 2^53 ns; beyond 2^62 it reports false).
inline bool whole(double x) { return x > -4.6e18 && x < 4.6e18 && static_cast<double>(static_cast<int64_t>(x)) == x; }

}  // namespace

BinExpander::BinExpander(const SynthPlan& plan) : plan_(plan), slotDraws_(2 * size_t{plan.rows}), rowDraws_(plan.rows) {
  for (uint32_t r = 0; r < plan.rows; r++) {
    RowDraws& g = rowDraws_[r];
    g.g0 = plan.gapOffset[r];
    g.g1 = plan.gapOffset[r + 1];
    if (g.g1 > g.g0) {
      g.total = plan.gapCum[g.g1 - 1];
      g.mode = g.g1 - g.g0 == 1 ? RowDraws::kSingle : RowDraws::kTable;
      g.lo = plan.gapLo[g.g0];
      g.span = plan.gapSpan[g.g0];
    }
  }
  for (double lo : plan.gapLo) gapsWhole_ = gapsWhole_ && std::isfinite(lo) && std::floor(lo) == lo;
  for (uint32_t i = 0; i < slotDraws_.size(); i++) {
    SlotDraws& s = slotDraws_[i];
    const SynthSlot& slot = plan.slots[i];
    s.tcp = plan.proto[i / 2] == 6;
    s.hdrLen = slot.hdrLen;
    s.minLength = synthFrameLength(slot, 0, plan.tag);
    s.maxLength = slot.l3 + kMaxIpBytes;
    s.s0 = plan.sizeOffset[i];
    s.s1 = plan.sizeOffset[i + 1];
    if (s.s1 > s.s0) {
      s.total = plan.sizeCum[s.s1 - 1];
      s.lo = plan.sizeLo[s.s0];
      s.span = plan.sizeSpan[s.s0];
      s.mode = s.s1 - s.s0 > 1 ? SlotDraws::kTable : s.span <= 1 ? SlotDraws::kConstant : SlotDraws::kSingle;
    }
    s.f0 = plan.flagOffset[i];
    s.f1 = plan.flagOffset[i + 1];
    s.flagTotal = s.f1 > s.f0 ? plan.flagCum[s.f1 - 1] : 0;
    s.firstFlags = plan.firstFlags[i];
    s.lastFlags = plan.lastFlags[i];
  }
}

void BinExpander::reserve(size_t n) {
  if (n <= capacity_) return;
  size_t capacity = std::max(n, capacity_ * 2);
  std::unique_ptr<ExpandedPacket[]> grown(new ExpandedPacket[capacity]);
  if (count_ > 0) memcpy(grown.get(), packets_.get(), count_ * sizeof(ExpandedPacket));
  packets_ = std::move(grown);
  capacity_ = capacity;
}

void BinExpander::beginBin(uint64_t bin, uint64_t packets) {
  bin_ = bin;
  binStart_ = static_cast<double>(bin) * plan_.binNs;
  cycleNs_ = static_cast<double>(bin / plan_.windowBins) * (static_cast<double>(plan_.windowBins) * plan_.binNs);
  latest_ = -1;
  count_ = 0;
  reserve(packets);
  // Keys pay off from a few dozen packets (below that insertion sort is cheaper than the
  // digit counts' prefix sums); 12-bit digits over the bin's width.
  // The key's high half holds the offset: at most 2^32 ns (3 digits of 12 bits cover that).
  passes_ = plan_.binNs <= 4096.0 ? 1 : plan_.binNs <= 16777216.0 ? 2 : plan_.binNs <= 4294967296.0 ? 3 : 0;
  keyed_ = packets > 32 && passes_ > 0;
  keysOk_ = keyed_;
  if (!keyed_) return;
  keySpan_ = std::min(std::ldexp(1.0, 12 * static_cast<int>(passes_)), 4294967296.0);
  if (keys_.size() < packets) keys_.resize(packets), keysTmp_.resize(packets);
  if (counts_.size() < 3 * 4097) counts_.resize(3 * 4097);
  std::fill(counts_.begin(), counts_.begin() + passes_ * 4097, 0);
}

// bin-expander.ts interiorTimes: gaps from the row's gap table packed into [lo, hi), or m
// sorted uniform offsets when it has none (or the window is narrower than 1 ns). Writes the
// m times into out[0 .. m).time.
inline void BinExpander::interiorTimes(const RowDraws& g, Xoshiro128ss& rng, uint32_t m, double lo, double hi, ExpandedPacket* out) {
  const double width = hi - lo;
  if (m >= 2 && g.mode != RowDraws::kNone && width >= 1) {
    if (gaps_.size() < m) gaps_.resize(m);
    double* gaps = gaps_.data();
    double sum = 0;
    if (g.mode == RowDraws::kSingle) {
      const uint32_t span = toUint32(g.span);
      for (uint32_t i = 0; i + 1 < m; i++) {
        rng.skip();  // the entry draw (one entry: whatever it is)
        const double gap = g.lo + (span > 1 ? rng.below(span) : (rng.skip(), 0u));
        gaps[i] = gap;
        sum += gap;
      }
    } else {
      for (uint32_t i = 0; i + 1 < m; i++) {
        const uint32_t e = pickEntry(plan_.gapCum.data(), g.g0, g.g1, rng.below(g.total));
        const double gap = plan_.gapLo[e] + rng.belowDouble(plan_.gapSpan[e]);
        gaps[i] = gap;
        sum += gap;
      }
    }
    if (sum > width - 1) {
      const double scale = (width - 1) / sum;
      sum = 0;
      for (uint32_t i = 0; i + 1 < m; i++) {
        gaps[i] = std::floor(gaps[i] * scale);
        sum += gaps[i];
      }
    }
    double time = lo + rng.belowDouble(width - sum);
    out[0].time = time;
    for (uint32_t i = 0; i + 1 < m; i++) out[i + 1].time = (time += gaps[i]);
    return;
  }
  if (uniform_.size() < m) uniform_.resize(m);
  double* times = uniform_.data();
  for (uint32_t i = 0; i < m; i++) times[i] = lo + rng.belowDouble(width);
  if (m > 1) std::sort(times, times + m);
  for (uint32_t i = 0; i < m; i++) out[i].time = times[i];
}

void BinExpander::expandEntry(const SynthInstance& inst, uint32_t instance, uint32_t record, uint32_t j0, uint32_t k) {
  if (k == 0) return;  // the TypeScript loop adds nothing either
  Xoshiro128ss rng;
  rng.reseed(streamKey(plan_.seed, instance, bin_));
  const double n = inst.packets;
  const bool endpoints = std::isfinite(inst.startNs);
  const bool fixedFirst = endpoints && j0 == 0;
  const bool fixedLast = endpoints && n >= 2 && static_cast<double>(j0) + k == n;
  const double lo = fixedFirst ? cycleNs_ + inst.startNs : binStart_;
  const double hi = std::max(lo, fixedLast ? cycleNs_ + inst.endNs : binStart_ + plan_.binNs);
  reserve(count_ + k);
  const size_t base = count_;
  ExpandedPacket* packets = packets_.get() + base;
  if (fixedFirst) packets[0].time = lo;
  interiorTimes(rowDraws_[inst.row], rng, k - (fixedFirst ? 1 : 0) - (fixedLast ? 1 : 0), lo, hi, packets + (fixedFirst ? 1 : 0));
  if (fixedLast) packets[k - 1].time = hi;
  expandPackets(inst, instance, record, j0, k, rng, packets);
  count_ += k;
  // Every time lies in [lo, hi] and the last is the latest (the interior ones ascend from lo,
  // packed below hi). They are whole ns when lo and hi are (draws and floors are integers,
  // gap entries start at whole ns): then the keys hold the offsets exactly.
  latest_ = std::max(latest_, packets[k - 1].time);
  if (!keysOk_) return;
  keysOk_ = gapsWhole_ && lo >= binStart_ && hi - binStart_ < keySpan_ && whole(lo) && whole(hi);
  if (!keysOk_) return;
  if (passes_ == 1) keyRange<1>(base);
  else if (passes_ == 2) keyRange<2>(base);
  else keyRange<3>(base);
}

// Direction, size and flags of each packet in time order (the draws after the times), and the
// descriptor head. A flow that sends one way with one fixed size and no flags (the common UDP
// row) takes a loop without the per-packet choices: two draws without effect per packet.
inline void BinExpander::expandPackets(const SynthInstance& inst, uint32_t instance, uint32_t record, uint32_t j0, uint32_t k, Xoshiro128ss& rng,
                                       ExpandedPacket* packets) {
  const uint32_t row = inst.row;
  const uint64_t total = static_cast<uint64_t>(inst.packets), reverse = static_cast<uint64_t>(inst.reverse);
  DirectionCursor cursor(total, reverse, j0);
  const SlotDraws* slots = slotDraws_.data() + 2 * size_t{row};
  const bool tcp = slots[0].tcp;
  if (!cursor.on() && !tcp && slots[0].mode == SlotDraws::kConstant) {
    const uint32_t length = slots[0].lengthOf(slots[0].lo);
    for (uint32_t idx = 0; idx < k; idx++) {
      rng.skip(), rng.skip();
      ExpandedPacket& p = packets[idx];
      p.slot = 2 * row;
      p.variant = inst.variant;
      p.instance = instance;
      p.length = length;
      p.record = record;
      p.seqFlags = 0;
    }
    return;
  }
  const uint32_t* sizeCum = plan_.sizeCum.data();
  for (uint32_t idx = 0; idx < k; idx++) {
    const uint64_t rb = cursor.before(), rbNext = cursor.step();
    const uint32_t d = static_cast<uint32_t>(rbNext - rb);
    const SlotDraws& s = slots[d];
    uint32_t size = 0;
    switch (s.mode) {  // drawSize of bin-expander.ts: entry, then offset
      case SlotDraws::kNone: break;
      case SlotDraws::kConstant: rng.skip(), rng.skip(), size = s.lo; break;
      case SlotDraws::kSingle: rng.skip(), size = s.lo + rng.below(s.span); break;
      case SlotDraws::kTable: {
        const uint32_t e = pickEntry(sizeCum, s.s0, s.s1, rng.below(s.total));
        size = plan_.sizeLo[e] + rng.below(plan_.sizeSpan[e]);
        break;
      }
    }
    ExpandedPacket& p = packets[idx];
    p.slot = 2 * row + d;
    p.variant = inst.variant;
    p.instance = instance;
    p.length = s.lengthOf(size);
    p.record = record;
    p.seqFlags = 0;
    if (tcp) {
      const uint64_t j = uint64_t{j0} + idx;
      const uint64_t before = d ? rb : j - rb, beforeNext = d ? rbNext : j + 1 - rbNext;
      const uint8_t flags = drawFlags(s, rng, before, beforeNext, d ? reverse : total - reverse);
      p.seqFlags = (uint32_t{flags} << 24) | synthSeqBytes(plan_.slots[p.slot], p.length, flags);
    }
  }
}

// TCP flags: the first packet of its direction in the cycle gets its first flags, the last
// its last flags; the others one draw from the mid-flow table (the last flags when it is empty).
inline uint8_t BinExpander::drawFlags(const SlotDraws& s, Xoshiro128ss& rng, uint64_t before, uint64_t beforeNext, uint64_t total) const {
  if (before == 0) return s.firstFlags;
  if (beforeNext >= total || s.f1 <= s.f0) return s.lastFlags;
  return plan_.flagValue[pickEntry(plan_.flagCum.data(), s.f0, s.f1, rng.below(s.flagTotal))];
}

// The radix keys and digit counts of packets [from, count): (offset from the bin's start)
// << 32 | index, exact (see expandEntry).
template <unsigned Passes>
void BinExpander::keyRange(size_t from) {
  const ExpandedPacket* p = packets_.get();
  uint64_t* keys = keys_.data();
  uint32_t* counts = counts_.data() + 1;
  const double base = binStart_;
  for (size_t i = from; i < count_; i++) {
    const uint64_t o = static_cast<uint64_t>(static_cast<int64_t>(p[i].time - base));  // in [0, 2^32): a signed conversion is one instruction
    keys[i] = (o << 32) | i;
    for (unsigned d = 0; d < Passes; d++) counts[d * 4097 + ((o >> (12 * d)) & 0xfff)]++;
  }
}

const uint32_t* BinExpander::order() {
  const uint32_t n = static_cast<uint32_t>(count_);
  const ExpandedPacket* packets = packets_.get();
  if (order_.size() < n + kOrderPad) order_.resize(n + kOrderPad);
  uint32_t* order = order_.data();
  std::fill(order + n, order + n + kOrderPad, 0);
  bool sorted = true;
  for (uint32_t i = 1; i < n && sorted; i++) sorted = !(packets[i].time < packets[i - 1].time);
  if (keysOk_ && !sorted) {
    radixFromKeys();  // writes every index
    return order;
  }
  for (uint32_t i = 0; i < n; i++) order[i] = i;
  if (sorted) return order;
  if (n <= 32) {  // insertion sort: stable, and cheapest for a handful of packets
    for (uint32_t i = 1; i < n; i++) {
      uint32_t v = order[i], at = i;
      while (at > 0 && packets[v].time < packets[order[at - 1]].time) order[at] = order[at - 1], at--;
      order[at] = v;
    }
    return order;
  }
  if (!radixOrder()) {
    std::stable_sort(order, order + n, [&](uint32_t a, uint32_t b) { return packets[a].time < packets[b].time; });
  }
  return order;
}

namespace {

// One stable LSD pass per 12-bit digit of the time offset (the key's high half), the last
// writing the indexes (the key's low half) straight into `order`.
template <unsigned Passes>
void radixPasses(uint64_t* keys, uint64_t* tmp, uint32_t* counts, uint32_t n, uint32_t* order) {
  for (unsigned p = 0; p < Passes; p++) {
    uint32_t* c = counts + p * 4097;
    for (unsigned b = 0; b < 4096; b++) c[b + 1] += c[b];
    const unsigned shift = 32 + 12 * p;
    if (p + 1 == Passes) {
      for (uint32_t i = 0; i < n; i++) order[c[(keys[i] >> shift) & 0xfff]++] = static_cast<uint32_t>(keys[i]);
    } else {
      for (uint32_t i = 0; i < n; i++) tmp[c[(keys[i] >> shift) & 0xfff]++] = keys[i];
      std::swap(keys, tmp);
    }
  }
}

template <unsigned Passes>
void radixSort(const ExpandedPacket* packets, uint32_t n, double lo, uint64_t* keys, uint64_t* tmp, uint32_t* counts, uint32_t* order) {
  std::fill(counts, counts + Passes * 4097, 0);
  for (uint32_t i = 0; i < n; i++) {
    const uint64_t t = static_cast<uint64_t>(packets[i].time - lo);
    keys[i] = (t << 32) | i;
    for (unsigned p = 0; p < Passes; p++) counts[p * 4097 + ((t >> (12 * p)) & 0xfff) + 1]++;
  }
  radixPasses<Passes>(keys, tmp, counts, n, order);
}

}  // namespace

// The keys and digit counts written while expanding (keyRange).
void BinExpander::radixFromKeys() {
  const uint32_t n = static_cast<uint32_t>(count_);
  uint64_t *keys = keys_.data(), *tmp = keysTmp_.data();
  if (passes_ == 1) radixPasses<1>(keys, tmp, counts_.data(), n, order_.data());
  else if (passes_ == 2) radixPasses<2>(keys, tmp, counts_.data(), n, order_.data());
  else radixPasses<3>(keys, tmp, counts_.data(), n, order_.data());
}

// The general case (keys off: a time that is fractional, or outside the bin's span): whole
// ns times spanning less than 2^32 ns sort by radix over (time - earliest); false (the
// caller sorts by comparison) for fractional times or a wider span.
bool BinExpander::radixOrder() {
  const uint32_t n = static_cast<uint32_t>(count_);
  const ExpandedPacket* packets = packets_.get();
  double lo = packets[0].time, hi = lo;
  for (uint32_t i = 0; i < n; i++) {
    const double t = packets[i].time;
    if (t != static_cast<double>(static_cast<int64_t>(t))) return false;
    lo = std::min(lo, t);
    hi = std::max(hi, t);
  }
  if (hi - lo >= 4294967296.0) return false;
  const uint64_t span = static_cast<uint64_t>(hi - lo);
  if (span == 0) return true;  // all at one time: input order is the order
  if (keys_.size() < n) keys_.resize(n), keysTmp_.resize(n);
  if (counts_.size() < 3 * 4097) counts_.resize(3 * 4097);
  uint64_t *keys = keys_.data(), *tmp = keysTmp_.data();
  if (span < (1u << 12)) radixSort<1>(packets, n, lo, keys, tmp, counts_.data(), order_.data());
  else if (span < (1u << 24)) radixSort<2>(packets, n, lo, keys, tmp, counts_.data(), order_.data());
  else radixSort<3>(packets, n, lo, keys, tmp, counts_.data(), order_.data());
  return true;
}

}  // namespace txcore
