#include "train-pass.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstring>

namespace txcore {
namespace {
constexpr uint32_t kRecordsAhead = 16, kCountersAhead = 8;  // packets
}  // namespace

uint32_t trainGapBucket(double gapNs) {
  if (gapNs < 1024) return 0;
  uint64_t bits;
  memcpy(&bits, &gapNs, sizeof bits);
  const int32_t bucket = static_cast<int32_t>((bits >> 52) & 0x7ff) - 1023 - 9;
  return bucket < static_cast<int32_t>(TrainPass::kGapBuckets) - 1 ? static_cast<uint32_t>(bucket) : TrainPass::kGapBuckets - 1;
}

// --- TrainCounters (small-counter.ts) ---

TrainCounters::TrainCounters(uint32_t stride_, uint32_t counters) : stride(stride_) {
  keys.assign(size_t{counters} * stride, 0);
  counts.assign(size_t{counters} * stride, 0.0);
  sizes.assign(counters, 0);
}

uint32_t TrainCounters::allocate() {
  if (used == sizes.size()) reserve(std::max<uint32_t>(1, used * 2));
  return used++;
}

void TrainCounters::reserve(uint32_t counters) {
  if (counters <= sizes.size()) return;
  keys.resize(size_t{counters} * stride, 0);
  counts.resize(size_t{counters} * stride, 0.0);
  sizes.resize(counters, 0);
}

bool TrainCounters::add(uint32_t c, int32_t key, double weight) {
  const size_t base = size_t{c} * stride;
  const uint32_t size = sizes[c];
  for (size_t at = base; at < base + size; at++) {
    if (keys[at] == key) {
      counts[at] += weight;
      return true;
    }
  }
  if (size >= stride) return false;
  keys[base + size] = key;
  counts[base + size] = weight;
  sizes[c] = static_cast<uint8_t>(size + 1);
  return true;
}

// --- TrainHistogram (time-histogram.ts) ---

void TrainHistogram::add(double bin, double weight, uint32_t maxBins) {
  const double offset = bin > anchor ? bin - anchor : 0;
  double k = std::floor(offset / width);
  while (k >= maxBins) {
    halve();
    k = std::floor(offset / width);
  }
  const uint32_t key = static_cast<uint32_t>(k);
  if (keys.empty() || key > keys.back()) {
    keys.push_back(key);
    values.push_back(weight);
  } else if (key == keys.back()) {
    values.back() += weight;
  } else {  // a packet earlier than the latest one (captures are sometimes out of order)
    const size_t at = static_cast<size_t>(std::lower_bound(keys.begin(), keys.end(), key) - keys.begin());
    if (keys[at] == key) {
      values[at] += weight;
    } else {
      keys.insert(keys.begin() + static_cast<std::ptrdiff_t>(at), key);
      values.insert(values.begin() + static_cast<std::ptrdiff_t>(at), weight);
    }
  }
}

void TrainHistogram::halve() {
  size_t n = 0;
  for (size_t i = 0; i < keys.size(); i++) {
    const uint32_t k = keys[i] >> 1;
    if (n > 0 && keys[n - 1] == k) {
      values[n - 1] += values[i];
    } else {
      keys[n] = k;
      values[n++] = values[i];
    }
  }
  keys.resize(n);
  values.resize(n);
  shift++;
  width *= 2;
}

// --- TrainProfile (activity-profile.ts) ---

// width is a power of two, so bin * perWidth is bin / width exactly (and no division).
void TrainProfile::add(double bin, uint32_t maxEntries) {
  double index = std::floor(bin * perWidth);
  while (index >= maxEntries) {
    halve();
    index = std::floor(bin * perWidth);
  }
  const size_t at = static_cast<size_t>(index);
  if (at >= counts.size()) counts.resize(std::min<size_t>(maxEntries, std::max<size_t>(at + 1, counts.size() * 2)), 0.0);
  counts[at] += 1;
}

void TrainProfile::halve() {
  size_t used = counts.size();
  while (used > 0 && counts[used - 1] == 0) used--;
  const size_t half = (used + 1) / 2;
  for (size_t i = 0; i < half; i++) counts[i] = counts[2 * i] + (2 * i + 1 < used ? counts[2 * i + 1] : 0);
  std::fill(counts.begin() + static_cast<std::ptrdiff_t>(half), counts.end(), 0.0);
  shift++;
  width *= 2;
  perWidth *= 0.5;
}

// --- TrainPass (flow-accumulator.ts, flow-stats.ts) ---

TrainPass::TrainPass(const TrainPassConfig& c) : atoms(c.sizeAtoms, 0), buckets(kSizeBucketsKept, 1), flags(kFlagValues, 1), config(c) {}

void TrainPass::addBatch(const TrainBatch& b, std::vector<uint32_t>* templates) {
  if (std::isnan(startSec)) findStart(b);
  const double binNs = config.binNs;
  double ip = 0, nonIp = 0, bytes = 0, latest = lastNs;
  for (uint32_t i = 0; i < b.count; i++) {
    // The flows of a batch are scattered over the table: fetch a packet's records (and its
    // size atoms) before its turn.
    if (i + kRecordsAhead < b.count) prefetchRecords(b, i + kRecordsAhead);
    if (i + kCountersAhead < b.count) prefetchCounters(b, i + kCountersAhead);
    if (b.flowId[i] == kNoFlow || b.ipVersion[i] == 0) {
      nonIp++;
      continue;
    }
    const double wire = b.origLen[i];
    // Captures are sometimes slightly out of order: a packet before the first one counts at 0.
    const double timeNs = std::max(0.0, (b.tsSec[i] - startSec) * 1e9 + (static_cast<double>(b.tsNsec[i]) - startNsec));
    if (timeNs > latest) latest = timeNs;
    ip++;
    bytes += wire;
    packet(b, i, timeNs, std::floor(timeNs / binNs), templates);
  }
  lastNs = latest;
  ipPackets += ip;
  nonIpPackets += nonIp;
  ipBytes += bytes;
}

void TrainPass::prefetchRecords(const TrainBatch& b, uint32_t j) const {
  const uint32_t id = b.flowId[j];
  if (id >= capacity) return;  // kNoFlow too
  __builtin_prefetch(&flow[size_t{id} * kFlowStride], 1);
  __builtin_prefetch(&dir[(size_t{id} * 2 + b.direction[j]) * kDirStride], 1);
  const double* g = &gaps[size_t{id} * kGapBuckets];  // the four lines of the gap buckets: which one is not known yet
  for (uint32_t line = 0; line < kGapBuckets; line += 8) __builtin_prefetch(g + line, 1);
}

void TrainPass::prefetchCounters(const TrainBatch& b, uint32_t j) const {
  const uint32_t id = b.flowId[j];
  if (id >= capacity) return;
  const size_t slot = size_t{id} * 2 + b.direction[j];
  if (atoms.stride != 0 && slot < atoms.sizes.size()) {
    __builtin_prefetch(&atoms.keys[slot * atoms.stride]);
    __builtin_prefetch(&atoms.counts[slot * atoms.stride], 1);
  }
}

void TrainPass::findStart(const TrainBatch& b) {
  for (uint32_t i = 0; i < b.count; i++) {
    if (b.flowId[i] != kNoFlow && b.ipVersion[i] != 0) {
      startSec = b.tsSec[i];
      startNsec = b.tsNsec[i];
      return;
    }
  }
}

// FlowAccumulator.packet(): its inline case (a known flow in the same bin, nothing pending)
// is this function with its tests false, so one function covers both.
void TrainPass::packet(const TrainBatch& b, uint32_t i, double timeNs, double bin, std::vector<uint32_t>* templates) {
  const uint32_t id = b.flowId[i];
  const double wire = b.origLen[i];
  const double size = std::min(wire, double{kMaxWireSize});
  profile.add(bin, config.maxProfileEntries);
  if (id >= capacity || seen[id] == 0) addFlow(id, b.ipVersion[i], b.proto[i], bin, timeNs);
  double* f = &flow[size_t{id} * kFlowStride];
  if (f[kPackets] > 0) gaps[size_t{id} * kGapBuckets + trainGapBucket(timeNs - f[kPreviousNs])] += 1;
  f[kPackets] += 1;
  f[kWireBytes] += wire;
  if (timeNs < f[kFirstNs]) f[kFirstNs] = timeNs;
  if (timeNs > f[kLastNs]) f[kLastNs] = timeNs;
  f[kPreviousNs] = timeNs;
  if (f[kRunBin] == bin) f[kRunPackets] += 1;
  else endBinRun(id, bin);
  const uint32_t slot = id * 2 + b.direction[i];
  double* d = &dir[size_t{slot} * kDirStride];
  d[kDirPackets] += 1;
  if (d[kSizeRun] == size) d[kSizeRunPackets] += 1;
  else endSizeRun(slot, size);
  const double flagsValue = b.tcpFlags[i];
  if (d[kFlagsRun] == flagsValue) d[kFlagsRunPackets] += 1;
  else endFlagsRun(slot, flagsValue);
  if (d[kWantsTemplate] != 0) {  // FlowAccumulator.offerTemplate
    const bool syn = proto[id] == 6 && (b.tcpFlags[i] & 0x02) != 0;
    if (d[kWantsTemplate] == 2 && syn) return;
    if (templates != nullptr) {
      templates->push_back(slot);
      templates->push_back(i);
      templates->push_back((uint32_t{ipVersion[id]} << 8) | proto[id]);  // the flow's, as FlowStatsTable has them
    }
    d[kWantsTemplate] = syn ? 2 : 0;
  }
}

void TrainPass::addFlow(uint32_t id, uint8_t version, uint8_t protocol, double bin, double timeNs) {
  if (id >= capacity) grow(id);
  seen[id] = 1;
  ipVersion[id] = version;
  proto[id] = protocol;
  histograms[id] = TrainHistogram{};
  histograms[id].anchor = bin;
  double* f = &flow[size_t{id} * kFlowStride];
  f[kFirstNs] = timeNs;
  f[kLastNs] = timeNs;
  f[kRunBin] = -1;
  for (uint32_t slot = 2 * id; slot < 2 * id + 2; slot++) {
    double* d = &dir[size_t{slot} * kDirStride];
    d[kSizeRun] = -1;
    d[kFlagsRun] = -1;
    d[kWantsTemplate] = 1;
    d[kFirstFlags] = -1;
  }
}

void TrainPass::grow(uint32_t id) {
  uint32_t next = std::max<uint32_t>(4, capacity);
  while (next <= id) next *= 2;
  flow.resize(size_t{next} * kFlowStride, 0.0);
  dir.resize(size_t{next} * 2 * kDirStride, 0.0);
  gaps.resize(size_t{next} * kGapBuckets, 0.0);
  seen.resize(next, 0);
  ipVersion.resize(next, 0);
  proto.resize(next, 0);
  histograms.resize(next);
  bucketsOf.resize(size_t{next} * 2, kNoCounter);
  flagsOf.resize(size_t{next} * 2, kNoCounter);
  sizeMin.resize(size_t{next} * 2, kMaxWireSize);
  sizeMax.resize(size_t{next} * 2, 0);
  atoms.reserve(next * 2);
  capacity = next;
}

std::vector<uint32_t> TrainPass::settle() {
  std::vector<uint32_t> ids;
  for (uint32_t id = 0; id < capacity; id++) {
    if (seen[id] == 0) continue;
    endBinRun(id, -1);
    endSizeRun(2 * id, -1);
    endSizeRun(2 * id + 1, -1);
    endFlagsRun(2 * id, -1);
    endFlagsRun(2 * id + 1, -1);
    ids.push_back(id);
  }
  std::sort(ids.begin(), ids.end(), [this](uint32_t a, uint32_t b) {
    const double pa = flow[size_t{a} * kFlowStride + kPackets], pb = flow[size_t{b} * kFlowStride + kPackets];
    return pa != pb ? pa > pb : a < b;
  });
  return ids;
}

void TrainPass::endBinRun(uint32_t id, double bin) {
  double* f = &flow[size_t{id} * kFlowStride];
  if (f[kRunPackets] > 0) histograms[id].add(f[kRunBin], f[kRunPackets], config.maxBins);
  f[kRunBin] = bin;
  f[kRunPackets] = bin < 0 ? 0 : 1;
}

void TrainPass::endSizeRun(uint32_t slot, double size) {
  double* d = &dir[size_t{slot} * kDirStride];
  if (d[kSizeRunPackets] > 0) addSize(slot, d[kSizeRun], d[kSizeRunPackets]);
  d[kSizeRun] = size;
  d[kSizeRunPackets] = size < 0 ? 0 : 1;
}

void TrainPass::endFlagsRun(uint32_t slot, double flagsValue) {
  double* d = &dir[size_t{slot} * kDirStride];
  if (d[kFlagsRunPackets] > 0 && proto[slot >> 1] == 6) addFlags(slot, d[kFlagsRun], d[kFlagsRunPackets]);
  d[kFlagsRun] = flagsValue;
  d[kFlagsRunPackets] = flagsValue < 0 ? 0 : 1;
}

// FlowStatsTable.addSize: the size's atom, a free atom, or Space-Saving's victim (the rarest,
// earliest among ties) moved to its 64-byte bucket; addBucketed for the buckets.
void TrainPass::addSize(uint32_t slot, double size, double count) {
  const int32_t wire = static_cast<int32_t>(std::min(size, double{kMaxWireSize}));
  if (static_cast<uint32_t>(wire) < sizeMin[slot]) sizeMin[slot] = static_cast<uint32_t>(wire);
  if (static_cast<uint32_t>(wire) > sizeMax[slot]) sizeMax[slot] = static_cast<uint32_t>(wire);
  const size_t base = size_t{slot} * atoms.stride;
  const size_t end = base + atoms.sizes[slot];
  std::ptrdiff_t victim = -1;
  for (size_t at = base; at < end; at++) {
    if (atoms.keys[at] == wire) {
      atoms.counts[at] += count;
      return;
    }
    if (victim < 0 || atoms.counts[at] < atoms.counts[static_cast<size_t>(victim)]) victim = static_cast<std::ptrdiff_t>(at);
  }
  if (end < base + atoms.stride) {
    atoms.keys[end] = wire;
    atoms.counts[end] = count;
    atoms.sizes[slot]++;
    return;
  }
  int32_t bucketSize = wire;
  double bucketCount = count;
  if (victim >= 0) {
    bucketSize = atoms.keys[static_cast<size_t>(victim)];
    bucketCount = atoms.counts[static_cast<size_t>(victim)];
    atoms.keys[static_cast<size_t>(victim)] = wire;
    atoms.counts[static_cast<size_t>(victim)] = count;
  }
  int32_t c = bucketsOf[slot];
  if (c == kNoCounter) bucketsOf[slot] = c = static_cast<int32_t>(buckets.allocate());
  const uint32_t counter = static_cast<uint32_t>(c);
  if (!buckets.add(counter, bucketSize / static_cast<int32_t>(kSizeBucketBytes), bucketCount)) {
    buckets.counts[size_t{counter} * buckets.stride + buckets.sizes[counter] - 1] += bucketCount;
  }
}

void TrainPass::addFlags(uint32_t slot, double flagsValue, double count) {
  double* d = &dir[size_t{slot} * kDirStride];
  if (d[kFirstFlags] < 0) d[kFirstFlags] = flagsValue;
  d[kLastFlags] = flagsValue;
  int32_t c = flagsOf[slot];
  if (c == kNoCounter) flagsOf[slot] = c = static_cast<int32_t>(flags.allocate());
  flags.add(static_cast<uint32_t>(c), static_cast<int32_t>(flagsValue), count);
}

}  // namespace txcore
