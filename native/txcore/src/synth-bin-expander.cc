#include "synth-bin-expander.h"

#include <algorithm>
#include <cmath>
#include <cstddef>

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


// The plan's tables as plain pointers and the entry's generator as a local: kept in
// registers, not reloaded after every store through `out` (they could alias otherwise).
struct Tables {
  const uint32_t *gapOffset, *gapCum, *sizeOffset, *sizeCum, *flagOffset, *flagCum;
  const double *gapLo, *gapSpan;
  const uint16_t *sizeLo, *sizeSpan;
  const uint8_t *flagValue, *firstFlags, *lastFlags;
  explicit Tables(const SynthPlan& p)
      : gapOffset(p.gapOffset.data()), gapCum(p.gapCum.data()), sizeOffset(p.sizeOffset.data()), sizeCum(p.sizeCum.data()),
        flagOffset(p.flagOffset.data()), flagCum(p.flagCum.data()), gapLo(p.gapLo.data()), gapSpan(p.gapSpan.data()),
        sizeLo(p.sizeLo.data()), sizeSpan(p.sizeSpan.data()), flagValue(p.flagValue.data()), firstFlags(p.firstFlags.data()),
        lastFlags(p.lastFlags.data()) {}
};

// bin-expander.ts interiorTimes: gaps from the row's gap table packed into [lo, hi), or m
// sorted uniform offsets when the row has none (or the window is narrower than 1 ns).
inline __attribute__((always_inline)) void interiorTimes(const Tables& t, Xoshiro128ss& rng, uint32_t row, uint32_t m, double lo, double hi,
                                                         double* out, double* gaps) {
  const double width = hi - lo;
  const uint32_t g0 = t.gapOffset[row], g1 = t.gapOffset[row + 1];
  if (m >= 2 && g1 > g0 && width >= 1) {
    const uint32_t total = t.gapCum[g1 - 1];
    double sum = 0;
    for (uint32_t i = 0; i + 1 < m; i++) {
      uint32_t u = rng.below(total);  // drawn even for a one-entry table (the stream's position)
      uint32_t e = g1 - g0 == 1 ? g0 : pickEntry(t.gapCum, g0, g1, u);
      double gap = t.gapLo[e] + rng.belowDouble(t.gapSpan[e]);
      gaps[i] = gap;
      sum += gap;
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
    out[0] = time;
    for (uint32_t i = 0; i + 1 < m; i++) out[i + 1] = (time += gaps[i]);
    return;
  }
  for (uint32_t i = 0; i < m; i++) out[i] = lo + rng.belowDouble(width);
  if (m > 1) std::sort(out, out + m);
}

inline __attribute__((always_inline)) uint32_t drawSize(const Tables& t, Xoshiro128ss& rng, uint32_t slot) {
  const uint32_t s0 = t.sizeOffset[slot], s1 = t.sizeOffset[slot + 1];
  if (s1 <= s0) return 0;
  uint32_t u = rng.below(t.sizeCum[s1 - 1]);
  uint32_t e = s1 - s0 == 1 ? s0 : pickEntry(t.sizeCum, s0, s1, u);
  return t.sizeLo[e] + rng.below(t.sizeSpan[e]);
}

// First packet of its direction in the cycle: its first flags; the last: its last flags;
// otherwise one draw from the mid-flow flag table (the last flags when it is empty).
inline __attribute__((always_inline)) uint8_t drawFlags(const Tables& t, Xoshiro128ss& rng, uint32_t slot, uint64_t before, uint64_t beforeNext,
                                                        uint64_t total) {
  if (before == 0) return t.firstFlags[slot];
  if (beforeNext >= total) return t.lastFlags[slot];
  const uint32_t f0 = t.flagOffset[slot], f1 = t.flagOffset[slot + 1];
  if (f1 <= f0) return t.lastFlags[slot];
  return t.flagValue[pickEntry(t.flagCum, f0, f1, rng.below(t.flagCum[f1 - 1]))];
}

}  // namespace

void BinExpander::expandEntry(const SynthInstance& inst, uint32_t instance, uint32_t record, uint64_t bin, uint32_t j0, uint32_t k,
                              std::vector<ExpandedPacket>& out) {
  if (k == 0) return;  // the TypeScript loop adds nothing either
  const Tables t(plan_);
  Xoshiro128ss rng;
  rng.reseed(streamKey(plan_.seed, instance, bin));
  const uint32_t row = inst.row;
  const double n = inst.packets, n1 = inst.reverse;
  const double windowNs = static_cast<double>(plan_.windowBins) * plan_.binNs;
  const double cycleNs = static_cast<double>(bin / plan_.windowBins) * windowNs;
  const bool endpoints = std::isfinite(inst.startNs);
  const bool fixedFirst = endpoints && j0 == 0;
  const bool fixedLast = endpoints && n >= 2 && static_cast<double>(j0) + k == n;
  const double binStart = static_cast<double>(bin) * plan_.binNs;
  const double lo = fixedFirst ? cycleNs + inst.startNs : binStart;
  const double hi = std::max(lo, fixedLast ? cycleNs + inst.endNs : binStart + plan_.binNs);
  if (times_.size() < k) times_.resize(k);
  if (gaps_.size() < k) gaps_.resize(k);
  double* times = times_.data();
  if (fixedFirst) times[0] = lo;
  interiorTimes(t, rng, row, k - (fixedFirst ? 1 : 0) - (fixedLast ? 1 : 0), lo, hi, times + (fixedFirst ? 1 : 0), gaps_.data());
  if (fixedLast) times[k - 1] = hi;
  const uint64_t total = static_cast<uint64_t>(n), reverse = static_cast<uint64_t>(n1);
  const bool tcp = plan_.proto[row] == 6;
  DirectionCursor cursor(total, reverse, j0);
  const size_t base = out.size();
  out.resize(base + k);
  ExpandedPacket* packets = out.data() + base;
  for (uint32_t idx = 0; idx < k; idx++) {
    const uint64_t j = uint64_t{j0} + idx;
    const uint64_t rb = cursor.before(), rbNext = cursor.step();
    const uint8_t d = static_cast<uint8_t>(rbNext - rb);
    const uint32_t slot = 2 * row + d;
    ExpandedPacket& p = packets[idx];
    p.time = times[idx];
    p.instance = instance;
    p.record = record;
    p.dir = d;
    p.size = drawSize(t, rng, slot);
    p.flags = 0;
    if (tcp) {
      uint64_t before = d ? rb : j - rb, beforeNext = d ? rbNext : j + 1 - rbNext;
      p.flags = drawFlags(t, rng, slot, before, beforeNext, d ? reverse : total - reverse);
    }
  }
}

const std::vector<uint32_t>& BinExpander::order(const std::vector<ExpandedPacket>& packets) {
  const uint32_t n = static_cast<uint32_t>(packets.size());
  order_.resize(n);
  for (uint32_t i = 0; i < n; i++) order_[i] = i;
  bool sorted = true;
  for (uint32_t i = 1; i < n && sorted; i++) sorted = !(packets[i].time < packets[i - 1].time);
  if (sorted) return order_;
  if (n <= 32) {  // insertion sort: stable, and cheapest for a handful of packets
    for (uint32_t i = 1; i < n; i++) {
      uint32_t v = order_[i], at = i;
      while (at > 0 && packets[v].time < packets[order_[at - 1]].time) order_[at] = order_[at - 1], at--;
      order_[at] = v;
    }
    return order_;
  }
  if (!radixOrder(packets)) {
    std::stable_sort(order_.begin(), order_.end(), [&](uint32_t a, uint32_t b) { return packets[a].time < packets[b].time; });
  }
  return order_;
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

// Times are whole nanoseconds in the normal case and a bin spans far less than 2^32 ns:
// then an LSD radix sort (12-bit digits; 2 passes cover a 10 ms bin) over (time - earliest)
// is stable and linear. False (the caller sorts by comparison) for fractional times or a
// wider span.
bool BinExpander::radixOrder(const std::vector<ExpandedPacket>& packets) {
  const uint32_t n = static_cast<uint32_t>(packets.size());
  double lo = packets[0].time, hi = lo;
  for (const ExpandedPacket& p : packets) {
    // whole ns (times are < 2^53); the conversion test avoids a floor() call per packet
    if (p.time != static_cast<double>(static_cast<int64_t>(p.time))) return false;
    lo = std::min(lo, p.time);
    hi = std::max(hi, p.time);
  }
  if (hi - lo >= 4294967296.0) return false;
  const uint64_t span = static_cast<uint64_t>(hi - lo);
  if (span == 0) return true;  // all at one time: input order is the order
  keys_.resize(n);
  keysTmp_.resize(n);
  if (counts_.size() < 3 * 4097) counts_.resize(3 * 4097);
  uint64_t *keys = keys_.data(), *tmp = keysTmp_.data();
  if (span < (1u << 12)) radixSort<1>(packets.data(), n, lo, keys, tmp, counts_.data(), order_.data());
  else if (span < (1u << 24)) radixSort<2>(packets.data(), n, lo, keys, tmp, counts_.data(), order_.data());
  else radixSort<3>(packets.data(), n, lo, keys, tmp, counts_.data(), order_.data());
  return true;
}

}  // namespace txcore
