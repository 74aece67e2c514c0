#include "train-classes.h"

#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "js-number.h"

namespace txcore {
namespace {

using P = TrainPass;

constexpr uint32_t kCountBuckets = 41;  // log2-buckets.ts COUNT_BUCKETS


// floorLog2 (log2-buckets.ts): -1 below 1.
int32_t floorLog2(double value) {
  if (value < 1) return -1;
  if (value < 4294967296.0) return 31 - __builtin_clz(static_cast<uint32_t>(value));
  return 32 + floorLog2(std::floor(value / 4294967296.0));
}

uint32_t countBucket(double count) {
  const int32_t b = floorLog2(count);
  return static_cast<uint32_t>(std::min<int32_t>(kCountBuckets - 1, std::max<int32_t>(0, b)));
}

// servicePort (flow-classes.ts): the well-known port if any, else a registered destination port, else 0.
uint32_t servicePort(const TrainDraftInput& in, uint32_t id) {
  const uint32_t slot = 2 * id;
  const uint8_t proto = in.pass->proto[id];
  if (in.templateLength(slot) == 0 || (proto != 6 && proto != 17)) return 0;
  const TrainTemplate& t = (*in.templates)[slot];
  if (t.l4Offset + 4u > t.bytes.size()) return 0;
  const uint32_t src = (uint32_t{t.bytes[t.l4Offset]} << 8) | t.bytes[t.l4Offset + 1];
  const uint32_t dst = (uint32_t{t.bytes[t.l4Offset + 2]} << 8) | t.bytes[t.l4Offset + 3];
  if (std::min(src, dst) < 1024) return std::min(src, dst);
  return dst < 49152 ? dst : 0;
}

// A class direction's counters: one counter each of atoms, buckets and flag values.
struct MergedDirection {
  double packets = 0, firstFlags = -1, lastFlags = 0;
  TrainCounters atoms, buckets, flags;
  double sizeMin = P::kMaxWireSize, sizeMax = 0;
  explicit MergedDirection(uint32_t atomCapacity) : atoms(atomCapacity, 1), buckets(P::kSizeBucketsKept, 1), flags(P::kFlagValues, 1) {}
};

// CounterMerger (counter-merger.ts): sums many flow directions' counters into one, as adding
// them one by one would; position tables find a key in O(1), only touched entries are reset.
class CounterMerger {
 public:
  CounterMerger()
      : atomAt_(P::kMaxWireSize + 1, -1), bucketAt_(P::kMaxWireSize / P::kSizeBucketBytes + 1, -1), flagAt_(256, -1) {}

  void mergeSlot(const TrainPass& p, uint32_t slot, MergedDirection* into) {
    const double min = p.sizeMin[slot];
    const double max = p.sizeMax[slot];
    if (min < into->sizeMin) into->sizeMin = min;
    if (max > into->sizeMax) into->sizeMax = max;
    const uint32_t atomCount = p.atoms.sizes[slot];
    if (atomCount > 0) mergeAtoms(p.atoms, size_t{slot} * p.atoms.stride, atomCount, into);
    const int32_t b = p.bucketsOf[slot];
    if (b != P::kNoCounter) mergeInto(&bucketAt_, &into->buckets, p.buckets, size_t{static_cast<uint32_t>(b)} * p.buckets.stride, p.buckets.sizes[b], true);
    const int32_t fl = p.flagsOf[slot];
    if (fl != P::kNoCounter) mergeInto(&flagAt_, &into->flags, p.flags, size_t{static_cast<uint32_t>(fl)} * p.flags.stride, p.flags.sizes[fl], false);
  }

  // The direction is complete: the position tables are cleared for the next one.
  void finish(const MergedDirection& d) {
    clear(&atomAt_, d.atoms);
    clear(&bucketAt_, d.buckets);
    clear(&flagAt_, d.flags);
  }

 private:
  void mergeAtoms(const TrainCounters& from, size_t at, uint32_t n, MergedDirection* into) {
    TrainCounters& atoms = into->atoms;
    for (size_t i = at; i < at + n; i++) {
      const double count = from.counts[i];
      if (!(count > 0)) continue;
      const int32_t key = from.keys[i];
      const int32_t p = atomAt_[key];
      if (p >= 0) {
        atoms.counts[p] += count;
      } else if (atoms.sizes[0] < atoms.stride) {
        const uint8_t size = atoms.sizes[0];
        atoms.keys[size] = key;
        atoms.counts[size] = count;
        atoms.sizes[0] = size + 1;
        atomAt_[key] = size;
      } else {
        addBucket(key / static_cast<int32_t>(P::kSizeBucketBytes), count, into);
      }
    }
  }

  static void mergeInto(std::vector<int32_t>* at, TrainCounters* into, const TrainCounters& from, size_t base, uint32_t n, bool spill) {
    for (size_t i = base; i < base + n; i++) {
      const int32_t key = from.keys[i];
      const int32_t p = (*at)[key];
      if (p >= 0) {
        into->counts[p] += from.counts[i];
      } else {
        const uint8_t size = into->sizes[0];
        if (size < into->stride) {
          into->keys[size] = key;
          into->counts[size] = from.counts[i];
          into->sizes[0] = size + 1;
          (*at)[key] = size;
        } else if (spill) {
          into->counts[size - 1] += from.counts[i];
        }
      }
    }
  }

  void addBucket(int32_t key, double count, MergedDirection* into) {
    TrainCounters& buckets = into->buckets;
    const int32_t p = bucketAt_[key];
    if (p >= 0) {
      buckets.counts[p] += count;
      return;
    }
    const uint8_t size = buckets.sizes[0];
    if (size >= buckets.stride) {
      buckets.counts[size - 1] += count;
      return;
    }
    buckets.keys[size] = key;
    buckets.counts[size] = count;
    buckets.sizes[0] = size + 1;
    bucketAt_[key] = size;
  }

  static void clear(std::vector<int32_t>* at, const TrainCounters& c) {
    for (uint32_t i = 0; i < c.sizes[0]; i++) (*at)[c.keys[i]] = -1;
  }

  std::vector<int32_t> atomAt_, bucketAt_, flagAt_;
};

// Per class sums of its members (flow-classes.ts ClassSums).
struct ClassSums {
  std::vector<double> startBin, lastBin;
  std::vector<uint32_t> shift;
  std::vector<std::vector<double>> dense;
  std::vector<double> packets, reverse, activeNs, gaps, memberSizes;
  explicit ClassSums(size_t classes)
      : startBin(classes, __builtin_inf()), lastBin(classes, 0), shift(classes, 0), dense(classes), packets(classes, 0), reverse(classes, 0),
        activeNs(classes, 0), gaps(classes * P::kGapBuckets, 0), memberSizes(classes * kCountBuckets, 0) {}
};

// classSpans: the bins each class spans (every member's anchor and last packet).
void classSpans(const TrainPass& p, const std::vector<std::vector<uint32_t>>& groups, ClassSums* sums) {
  for (size_t c = 0; c < groups.size(); c++) {
    for (uint32_t id : groups[c]) {
      const double anchor = p.histograms[id].anchor;
      const double last = std::floor(p.flow[size_t{id} * P::kFlowStride + P::kLastNs] / p.config.binNs);
      if (anchor < sums->startBin[c]) sums->startBin[c] = anchor;
      if (anchor > sums->lastBin[c]) sums->lastBin[c] = anchor;
      if (last > sums->lastBin[c]) sums->lastBin[c] = last;
    }
  }
}

// addMemberHistogram: a member's counts at the centres of its histogram bins into the class's dense bins.
void addMemberHistogram(std::vector<double>* dense, double startBin, uint32_t shift, const TrainHistogram& h, double memberLast) {
  const double half = std::floor(h.width / 2);
  const double classWidth = std::ldexp(1.0, static_cast<int>(shift));
  for (size_t i = 0; i < h.keys.size(); i++) {
    const double centre = h.anchor + h.keys[i] * h.width + half;
    const double bin = centre < memberLast ? centre : memberLast;
    const size_t at = static_cast<size_t>(std::floor((bin - startBin) / classWidth));
    if (at < dense->size()) (*dense)[at] += h.values[i];  // always inside (the class spans its members); a typed array would drop it too
  }
}

// classTotals: histograms on each class's grid, totals, member sizes and gaps, members in order.
void classTotals(const TrainPass& p, const std::vector<std::vector<uint32_t>>& groups, const std::vector<uint32_t>& gapMasks, ClassSums* sums) {
  const double binNs = p.config.binNs;
  for (size_t c = 0; c < groups.size(); c++) {
    for (uint32_t id : groups[c]) {
      const double* f = p.flow.data() + size_t{id} * P::kFlowStride;
      const TrainHistogram& h = p.histograms[id];
      addMemberHistogram(&sums->dense[c], sums->startBin[c], sums->shift[c], h, jsMax(h.anchor, std::floor(f[P::kLastNs] / binNs)));
      sums->packets[c] += f[P::kPackets];
      sums->reverse[c] += p.dir[(2 * size_t{id} + 1) * P::kDirStride + P::kDirPackets];
      sums->activeNs[c] += f[P::kLastNs] - f[P::kFirstNs] + binNs;
      sums->memberSizes[c * kCountBuckets + countBucket(f[P::kPackets])] += 1;
      const double* gaps = p.gaps.data() + size_t{id} * P::kGapBuckets;
      double* into = sums->gaps.data() + c * P::kGapBuckets;
      for (uint32_t mask = gapMasks[id]; mask != 0; mask &= mask - 1) {
        const uint32_t b = static_cast<uint32_t>(__builtin_ctz(mask));
        into[b] += gaps[b];
      }
    }
  }
}

// mergeDirections: direction `d` of each class, every member's counters merged in member order.
std::vector<MergedDirection> mergeDirections(const TrainPass& p, const std::vector<std::vector<uint32_t>>& groups, uint32_t d, CounterMerger* merger) {
  std::vector<MergedDirection> out;
  out.reserve(groups.size());
  for (const std::vector<uint32_t>& members : groups) {
    out.emplace_back(p.config.sizeAtoms * 2);
    MergedDirection& m = out.back();
    for (uint32_t id : members) {
      const uint32_t slot = 2 * id + d;
      const double* dir = p.dir.data() + size_t{slot} * P::kDirStride;
      const double memberPackets = dir[P::kDirPackets];
      m.packets += memberPackets;
      merger->mergeSlot(p, slot, &m);
      if (memberPackets > 0 && m.firstFlags < 0) m.firstFlags = dir[P::kFirstFlags];
      if (memberPackets > 0) m.lastFlags = dir[P::kLastFlags];
    }
    merger->finish(m);
  }
  return out;
}

// heaviestMember: the first of the heaviest members, of those with a reverse template if `withReverse`; -1: none.
int64_t heaviestMember(const TrainDraftInput& in, const std::vector<uint32_t>& members, bool withReverse) {
  const TrainPass& p = *in.pass;
  int64_t best = -1;
  for (uint32_t m : members) {
    if (withReverse && in.templateLength(2 * m + 1) == 0) continue;
    if (best < 0 || p.flow[size_t{m} * P::kFlowStride + P::kPackets] > p.flow[static_cast<size_t>(best) * P::kFlowStride + P::kPackets]) best = m;
  }
  return best;
}

uint32_t gapMaskOf(const double* values) {
  uint32_t mask = 0;
  for (uint32_t b = 0; b < P::kGapBuckets; b++) {
    if (values[b] > 0) mask |= 1u << b;
  }
  return mask;
}

void addClassRow(TrainRowSet* set, const TrainDraftInput& in, const std::vector<uint32_t>& members, size_t c, const ClassSums& sums,
                 const MergedDirection& forward, const MergedDirection& backward) {
  const TrainPass& p = *in.pass;
  const uint32_t row = set->count++;
  const uint32_t heaviest = static_cast<uint32_t>(heaviestMember(in, members, false));
  const double startBin = sums.startBin[c];
  const double lastBin = sums.lastBin[c];
  const double spanNs = (lastBin - startBin + 1) * p.config.binNs;
  set->kind[row] = TrainRowSet::kClassRow;
  set->ipVersion[row] = p.ipVersion[heaviest];
  set->proto[row] = p.proto[heaviest];
  set->startBin[row] = startBin;
  set->lastBin[row] = lastBin;
  set->packets[row] = sums.packets[c];
  set->reverse[row] = sums.reverse[c];
  set->startNs[row] = __builtin_nan("");
  set->endNs[row] = __builtin_nan("");
  set->members[row] = static_cast<double>(members.size());
  set->concurrency[row] = static_cast<float>(jsMin(static_cast<double>(members.size()), jsMax(1, sums.activeNs[c] / spanNs)));
  const int64_t withReverse = in.templateLength(2 * heaviest + 1) > 0 ? heaviest : heaviestMember(in, members, true);
  for (uint32_t d = 0; d < 2; d++) {
    const uint32_t s = 2 * row + d;
    const double* hd = p.dir.data() + (2 * size_t{heaviest} + d) * P::kDirStride;
    const int64_t slot = d == 0 ? 2 * int64_t{heaviest} : withReverse >= 0 ? 2 * withReverse + 1 : -1;
    const uint32_t length = slot >= 0 ? in.templateLength(static_cast<uint32_t>(slot)) : 0;
    set->setTemplate(s, length > 0 ? static_cast<int32_t>(slot) : -1, length);
    set->firstFlags[s] = static_cast<uint8_t>(jsMax(0, hd[P::kFirstFlags]));
    set->lastFlags[s] = static_cast<uint8_t>(hd[P::kLastFlags]);
    const MergedDirection& merged = d == 0 ? forward : backward;
    appendTrainSizes(set, merged.atoms, 0, merged.buckets, 0, merged.sizeMin, merged.sizeMax);
    appendTrainFlags(set, merged.flags, 0, merged.packets, merged.firstFlags, merged.lastFlags);
    set->endDirection(s);
  }
  const double* gaps = sums.gaps.data() + c * P::kGapBuckets;
  set->setGaps(row, gaps, gapMaskOf(gaps));
  set->setMemberSizes(row, sums.memberSizes.data() + c * kCountBuckets, kCountBuckets);
  set->setDenseHistogram(row, sums.shift[c], sums.dense[c]);
}

}  // namespace

std::vector<std::vector<uint32_t>> assignTrainClasses(const TrainDraftInput& in, const uint32_t* ids, size_t n, size_t maxClasses) {
  const TrainPass& p = *in.pass;
  std::unordered_map<uint64_t, size_t> groupOf;
  std::vector<std::vector<uint32_t>> byKey;  // in order of each key's first flow
  for (size_t i = 0; i < n; i++) {
    const uint32_t id = ids[i];
    const uint64_t key = (uint64_t{p.ipVersion[id]} * 256 + p.proto[id]) * 65536 + servicePort(in, id);
    auto [it, added] = groupOf.try_emplace(key, byKey.size());
    if (added) byKey.emplace_back();
    byKey[it->second].push_back(id);
  }
  std::vector<std::pair<double, size_t>> withPackets;
  for (size_t g = 0; g < byKey.size(); g++) {
    double packets = 0;
    for (uint32_t id : byKey[g]) packets += p.flow[size_t{id} * P::kFlowStride + P::kPackets];
    withPackets.emplace_back(packets, g);
  }
  std::stable_sort(withPackets.begin(), withPackets.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  std::vector<std::vector<uint32_t>> groups;
  for (const auto& [packets, g] : withPackets) groups.push_back(std::move(byKey[g]));
  if (groups.size() <= maxClasses) return groups;
  const size_t kept = maxClasses > 0 ? maxClasses - 1 : 0;
  std::vector<uint32_t> rest;
  for (size_t g = kept; g < groups.size(); g++) rest.insert(rest.end(), groups[g].begin(), groups[g].end());
  groups.resize(kept);
  groups.push_back(std::move(rest));
  return groups;
}

void addTrainClassRows(TrainRowSet* set, const TrainDraftInput& in, const std::vector<std::vector<uint32_t>>& groups, uint32_t maxBins,
                       const std::vector<uint32_t>& gapMasks) {
  const TrainPass& p = *in.pass;
  ClassSums sums(groups.size());
  classSpans(p, groups, &sums);
  for (size_t c = 0; c < groups.size(); c++) {
    uint32_t shift = 0;
    const double bins = sums.lastBin[c] - sums.startBin[c] + 1;
    while (std::ceil(bins / std::ldexp(1.0, static_cast<int>(shift))) > maxBins) shift++;
    sums.shift[c] = shift;
    sums.dense[c].assign(static_cast<size_t>(std::ceil(bins / std::ldexp(1.0, static_cast<int>(shift)))), 0.0);
  }
  classTotals(p, groups, gapMasks, &sums);
  CounterMerger merger;
  const std::vector<MergedDirection> forward = mergeDirections(p, groups, 0, &merger);
  const std::vector<MergedDirection> backward = mergeDirections(p, groups, 1, &merger);
  for (size_t c = 0; c < groups.size(); c++) addClassRow(set, in, groups[c], c, sums, forward[c], backward[c]);
}

}  // namespace txcore
