#include "train-rows.h"

#include <cmath>

#include "js-number.h"
#include "train-classes.h"

namespace txcore {
namespace {

using P = TrainPass;


// gapMasks (model-budget.ts): per flow id of `flows`, bit b set when gap bucket b counted packets.
std::vector<uint32_t> gapMasks(const TrainPass& pass, const std::vector<uint32_t>& flows) {
  std::vector<uint32_t> masks(pass.capacity, 0);
  for (uint32_t id : flows) {
    const double* gaps = pass.gaps.data() + size_t{id} * P::kGapBuckets;
    uint32_t mask = 0;
    for (uint32_t b = 0; b < P::kGapBuckets; b++) {
      if (gaps[b] > 0) mask |= 1u << b;
    }
    masks[id] = mask;
  }
  return masks;
}

// flowRowSizes (model-budget.ts): each flow's row estimate plus one coefficient, into `out`; returns the sum.
double flowRowSizes(const TrainDraftInput& in, const std::vector<uint32_t>& masks, std::vector<double>* out) {
  const TrainPass& p = *in.pass;
  double total = 0;
  for (size_t i = 0; i < in.flows->size(); i++) {
    const uint32_t id = (*in.flows)[i];
    double bytes = kTrainRowFixedBytes + __builtin_popcount(masks[id]) * kTrainSmallEntryBytes;
    for (uint32_t slot = 2 * id; slot < 2 * id + 2; slot++) {
      const int32_t buckets = p.bucketsOf[slot];
      const int32_t flags = p.flagsOf[slot];
      const double entries = static_cast<double>(p.atoms.sizes[slot]) + (buckets == P::kNoCounter ? 0.0 : p.buckets.sizes[buckets]);
      bytes += (in.templateLength(slot) + entries * kTrainSizeEntryBytes) + (flags == P::kNoCounter ? 0.0 : p.flags.sizes[flags]) * kTrainSmallEntryBytes;
    }
    (*out)[i] = bytes + 4;
    total += (*out)[i];
  }
  return total;
}

// addFlowDirection (row-draft.ts): direction `d` of `row` from the pass's slot.
void addFlowDirection(TrainRowSet* set, const TrainDraftInput& in, uint32_t row, uint32_t d, uint32_t slot) {
  const TrainPass& p = *in.pass;
  const double* dir = p.dir.data() + size_t{slot} * P::kDirStride;
  const double firstFlags = dir[P::kFirstFlags];
  const double lastFlags = dir[P::kLastFlags];
  const uint32_t s = 2 * row + d;
  const uint32_t length = in.templateLength(slot);
  set->setTemplate(s, length > 0 ? static_cast<int32_t>(slot) : -1, length);
  set->firstFlags[s] = static_cast<uint8_t>(firstFlags > 0 ? firstFlags : 0);
  set->lastFlags[s] = static_cast<uint8_t>(lastFlags);
  appendTrainSizes(set, p.atoms, slot, p.buckets, p.bucketsOf[slot], p.sizeMin[slot], p.sizeMax[slot]);
  appendTrainFlags(set, p.flags, p.flagsOf[slot], dir[P::kDirPackets], firstFlags, lastFlags);
  set->endDirection(s);
}

// addFlowRow (row-draft.ts): flow `id` modelled on its own.
void addFlowRow(TrainRowSet* set, const TrainDraftInput& in, uint32_t id, uint32_t gapMask) {
  const TrainPass& p = *in.pass;
  const double binNs = p.config.binNs;
  const uint32_t row = set->count++;
  const TrainHistogram& h = p.histograms[id];
  const double* f = p.flow.data() + size_t{id} * P::kFlowStride;
  const double firstNs = f[P::kFirstNs];
  const double lastNs = f[P::kLastNs];
  const double startBin = h.anchor;
  const double startNs = jsMax(firstNs, startBin * binNs);
  set->kind[row] = TrainRowSet::kFlowRow;
  set->ipVersion[row] = p.ipVersion[id];
  set->proto[row] = p.proto[id];
  set->startBin[row] = startBin;
  set->lastBin[row] = jsMax(startBin, std::floor(lastNs / binNs));
  set->packets[row] = f[P::kPackets];
  set->reverse[row] = p.dir[(2 * size_t{id} + 1) * P::kDirStride + P::kDirPackets];
  set->startNs[row] = startNs;
  set->endNs[row] = jsMax(startNs, lastNs);
  set->members[row] = 1;
  set->concurrency[row] = 1;
  addFlowDirection(set, in, row, 0, 2 * id);
  addFlowDirection(set, in, row, 1, 2 * id + 1);
  set->setGaps(row, p.gaps.data() + size_t{id} * P::kGapBuckets, gapMask);
  set->memberSizeOffset[row + 1] = static_cast<uint32_t>(set->memberSizeBucket.size());
  set->setHistogram(row, h.shift, h.keys, h.values);
}

void addFlowRows(TrainRowSet* set, const TrainDraftInput& in, const uint32_t* ids, size_t n, const std::vector<uint32_t>& masks) {
  for (size_t i = 0; i < n; i++) addFlowRow(set, in, ids[i], masks[ids[i]]);
}

}  // namespace

void appendTrainSizes(TrainRowSet* set, const TrainCounters& atoms, uint32_t atomsAt, const TrainCounters& buckets, int32_t bucketsAt, double sizeMin,
                      double sizeMax) {
  const uint32_t atomCount = atoms.sizes[atomsAt];
  const size_t a = size_t{atomsAt} * atoms.stride;
  for (size_t i = a; i < a + atomCount; i++) {
    if (atoms.counts[i] > 0) set->addSize(static_cast<uint32_t>(atoms.keys[i]), 1, atoms.counts[i]);
  }
  if (bucketsAt == P::kNoCounter) return;
  const uint32_t bucketCount = buckets.sizes[bucketsAt];
  const size_t b = size_t{static_cast<uint32_t>(bucketsAt)} * buckets.stride;
  for (size_t i = b; i < b + bucketCount; i++) {
    const double count = buckets.counts[i];
    if (!(count > 0)) continue;
    // Bucket [lo, lo + 64) cut to [sizeMin, sizeMax] (row-draft.ts says why).
    const double lo = static_cast<double>(buckets.keys[i]) * P::kSizeBucketBytes;
    if (sizeMin > sizeMax) {
      set->addSize(static_cast<uint32_t>(lo), P::kSizeBucketBytes, count);
    } else {
      const double above = lo > sizeMin ? lo : sizeMin;
      const double from = above < sizeMax ? above : sizeMax;
      const double hi = lo + P::kSizeBucketBytes - 1;
      const double below = hi < sizeMax ? hi : sizeMax;
      const double to = below > from ? below : from;
      set->addSize(static_cast<uint32_t>(from), static_cast<uint32_t>(to - from + 1), count);
    }
  }
}

void appendTrainFlags(TrainRowSet* set, const TrainCounters& flags, int32_t flagsAt, double packets, double firstFlags, double lastFlags) {
  if (flagsAt == P::kNoCounter) return;
  const size_t base = size_t{static_cast<uint32_t>(flagsAt)} * flags.stride;
  const uint32_t size = flags.sizes[flagsAt];
  double counts[256];
  int32_t first = -1, last = -1;
  for (uint32_t i = 0; i < size; i++) {
    const double key = flags.keys[base + i];
    if (first < 0 && key == firstFlags) first = static_cast<int32_t>(i);
    if (last < 0 && key == lastFlags) last = static_cast<int32_t>(i);
    counts[i] = flags.counts[base + i];
  }
  if (packets >= 1 && first >= 0 && counts[first] > 0) counts[first]--;
  if (packets >= 2 && last >= 0 && counts[last] > 0) counts[last]--;
  for (uint32_t i = 0; i < size; i++) {
    if (counts[i] > 0) set->addFlag(flags.keys[base + i], counts[i]);
  }
}

TrainRowSet draftTrainRows(const TrainDraftInput& in, double avail, uint32_t maxBins) {
  const std::vector<uint32_t>& flows = *in.flows;
  const std::vector<uint32_t> masks = gapMasks(*in.pass, flows);
  std::vector<double> sizes(flows.size());
  const double total = flowRowSizes(in, masks, &sizes);
  auto allFlows = [&] {
    TrainRowSet set(static_cast<uint32_t>(flows.size()));
    addFlowRows(&set, in, flows.data(), flows.size(), masks);
    return set;
  };
  if (total <= avail * 0.75) return allFlows();
  const double maxClasses = jsMax(1, std::floor((avail * 0.1) / kTrainClassRowEstimateBytes));
  double used = 0;
  size_t individual = 0;
  while (individual < flows.size() && used + sizes[individual] <= avail * 0.6) used += sizes[individual++];
  if (individual == flows.size()) return allFlows();
  const std::vector<std::vector<uint32_t>> groups =
      assignTrainClasses(in, flows.data() + individual, flows.size() - individual, static_cast<size_t>(maxClasses));
  TrainRowSet set(static_cast<uint32_t>(individual + groups.size()));
  addFlowRows(&set, in, flows.data(), individual, masks);
  addTrainClassRows(&set, in, groups, maxBins, masks);
  return set;
}

}  // namespace txcore
