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

}  // namespace

// bin-expander.ts interiorTimes: gaps from the row's gap table packed into [lo, hi), or m
// sorted uniform offsets when the row has none (or the window is narrower than 1 ns).
void BinExpander::interiorTimes(uint32_t row, uint32_t m, double lo, double hi) {
  const double width = hi - lo;
  const uint32_t g0 = plan_.gapOffset[row], g1 = plan_.gapOffset[row + 1];
  if (m >= 2 && g1 > g0 && width >= 1) {
    const uint32_t total = plan_.gapCum[g1 - 1];
    double sum = 0;
    gaps_.resize(m - 1);
    for (uint32_t i = 0; i + 1 < m; i++) {
      uint32_t e = pickEntry(plan_.gapCum.data(), g0, g1, rng_.below(total));
      double gap = plan_.gapLo[e] + rng_.belowDouble(plan_.gapSpan[e]);
      gaps_[i] = gap;
      sum += gap;
    }
    if (sum > width - 1) {
      const double scale = (width - 1) / sum;
      sum = 0;
      for (double& gap : gaps_) {
        gap = std::floor(gap * scale);
        sum += gap;
      }
    }
    double time = lo + rng_.belowDouble(width - sum);
    times_.push_back(time);
    for (double gap : gaps_) times_.push_back(time += gap);
    return;
  }
  size_t first = times_.size();
  for (uint32_t i = 0; i < m; i++) times_.push_back(lo + rng_.belowDouble(width));
  if (m > 1) std::sort(times_.begin() + static_cast<std::ptrdiff_t>(first), times_.end());
}

uint32_t BinExpander::drawSize(uint32_t slot) {
  const uint32_t s0 = plan_.sizeOffset[slot], s1 = plan_.sizeOffset[slot + 1];
  if (s1 <= s0) return 0;
  uint32_t e = pickEntry(plan_.sizeCum.data(), s0, s1, rng_.below(plan_.sizeCum[s1 - 1]));
  return plan_.sizeLo[e] + rng_.below(plan_.sizeSpan[e]);
}

// First packet of its direction in the cycle: its first flags; the last: its last flags;
// otherwise one draw from the mid-flow flag table (the last flags when it is empty).
uint8_t BinExpander::drawFlags(uint32_t slot, uint64_t before, uint64_t beforeNext, uint64_t total) {
  if (before == 0) return plan_.firstFlags[slot];
  if (beforeNext >= total) return plan_.lastFlags[slot];
  const uint32_t f0 = plan_.flagOffset[slot], f1 = plan_.flagOffset[slot + 1];
  if (f1 <= f0) return plan_.lastFlags[slot];
  return plan_.flagValue[pickEntry(plan_.flagCum.data(), f0, f1, rng_.below(plan_.flagCum[f1 - 1]))];
}

void BinExpander::expandEntry(const SynthInstance& inst, uint32_t instance, uint32_t record, uint64_t bin, uint32_t j0, uint32_t k,
                              std::vector<ExpandedPacket>& out) {
  if (k == 0) return;  // the TypeScript loop adds nothing either
  rng_.reseed(streamKey(plan_.seed, instance, bin));
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
  times_.clear();
  if (fixedFirst) times_.push_back(lo);
  interiorTimes(row, k - (fixedFirst ? 1 : 0) - (fixedLast ? 1 : 0), lo, hi);
  if (fixedLast) times_.push_back(hi);
  const uint64_t total = static_cast<uint64_t>(n), reverse = static_cast<uint64_t>(n1);
  const bool tcp = plan_.proto[row] == 6;
  DirectionCursor cursor(total, reverse, j0);
  for (uint32_t idx = 0; idx < k; idx++) {
    const uint64_t j = uint64_t{j0} + idx;
    const uint64_t rb = cursor.before(), rbNext = cursor.step();
    const uint8_t d = static_cast<uint8_t>(rbNext - rb);
    const uint32_t slot = 2 * row + d;
    ExpandedPacket p;
    p.time = times_[idx];
    p.instance = instance;
    p.record = record;
    p.dir = d;
    p.size = drawSize(slot);
    p.flags = 0;
    if (tcp) {
      uint64_t before = d ? rb : j - rb, beforeNext = d ? rbNext : j + 1 - rbNext;
      p.flags = drawFlags(slot, before, beforeNext, d ? reverse : total - reverse);
    }
    out.push_back(p);
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

// Times are whole nanoseconds in the normal case and a bin spans far less than 2^32 ns:
// then an LSD radix sort over the bytes of (time - earliest) is stable and linear. False
// (the caller sorts by comparison) for fractional times or a wider span.
bool BinExpander::radixOrder(const std::vector<ExpandedPacket>& packets) {
  const uint32_t n = static_cast<uint32_t>(packets.size());
  double lo = packets[0].time, hi = lo;
  for (const ExpandedPacket& p : packets) {
    if (p.time != std::floor(p.time)) return false;
    lo = std::min(lo, p.time);
    hi = std::max(hi, p.time);
  }
  if (hi - lo >= 4294967296.0) return false;
  keys_.resize(n);
  keysTmp_.resize(n);
  for (uint32_t i = 0; i < n; i++) keys_[i] = (static_cast<uint64_t>(packets[i].time - lo) << 32) | i;
  const uint64_t span = static_cast<uint64_t>(hi - lo);
  for (unsigned shift = 32; shift < 64 && (span >> (shift - 32)) != 0; shift += 8) {
    uint32_t count[257] = {};
    for (uint32_t i = 0; i < n; i++) count[((keys_[i] >> shift) & 0xff) + 1]++;
    for (unsigned b = 0; b < 256; b++) count[b + 1] += count[b];
    for (uint32_t i = 0; i < n; i++) keysTmp_[count[(keys_[i] >> shift) & 0xff]++] = keys_[i];
    keys_.swap(keysTmp_);
  }
  for (uint32_t i = 0; i < n; i++) order_[i] = static_cast<uint32_t>(keys_[i]);
  return true;
}

}  // namespace txcore
