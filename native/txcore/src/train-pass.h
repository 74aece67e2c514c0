// The trainer's per-packet pass in native code (issue 4, train speed): the twin of
// libs/flow-model's FlowAccumulator and the structures it fills (flow-stats.ts,
// time-histogram.ts, small-counter.ts, activity-profile.ts). Same records, same layouts, the
// same double operations in the same order, so the statistics it hands back are the
// TypeScript pass's number for number and the model trained from them is byte-identical
// (native/txcore/src/train-pass.spec.ts trains every corpus capture both ways).
//
// What stays in TypeScript: reading the trace (the batches are libs/pcap's) and, of
// finish(), the coefficient budget, assembling and encoding the model (the rows are drafted
// from this pass by train-rows.cc, the fit is train-fit.cc's).
// Memory grows with the distinct flows and their occupied histogram bins, not with the trace's
// length; a packet allocates only when it starts a flow, a histogram bin or a counter.
// DPDK-free.
#pragma once

#include <cstddef>
#include <cstdint>
#include <new>
#include <vector>

namespace txcore {

// A std::vector allocator on cache-line boundaries: a flow's 64-byte record is then one line.
template <typename T>
struct LineAligned {
  using value_type = T;
  LineAligned() = default;
  template <typename U>
  LineAligned(const LineAligned<U>&) {}
  T* allocate(size_t n) { return static_cast<T*>(::operator new(n * sizeof(T), std::align_val_t{64})); }
  void deallocate(T* p, size_t) { ::operator delete(p, std::align_val_t{64}); }
  bool operator==(const LineAligned&) const { return true; }
};
template <typename T>
using LineVector = std::vector<T, LineAligned<T>>;

struct TrainPassConfig {
  double binNs = 0;
  uint32_t maxBins = 0;            // a flow histogram's bins before it halves its resolution
  uint32_t sizeAtoms = 0;          // exact sizes kept per flow direction
  uint32_t maxProfileEntries = 0;  // the activity profile's entries before it halves
};

// The columns of one libs/pcap PacketBatch the pass reads, borrowed for one call.
struct TrainBatch {
  uint32_t count = 0;
  const uint32_t* flowId = nullptr;
  const uint8_t* ipVersion = nullptr;
  const uint8_t* proto = nullptr;
  const double* tsSec = nullptr;
  const uint32_t* tsNsec = nullptr;
  const uint32_t* origLen = nullptr;
  const uint8_t* direction = nullptr;
  const uint8_t* tcpFlags = nullptr;
  // For header templates (TemplateSelector), when given: the batch's bytes and where each
  // packet's are, its link type and header offsets.
  const uint8_t* data = nullptr;
  uint64_t dataLen = 0;
  const uint32_t* dataOffset = nullptr;
  const uint32_t* capLen = nullptr;
  const uint16_t* linkType = nullptr;
  const uint16_t* l3Offset = nullptr;
  const uint16_t* l4Offset = nullptr;
};

// Many small counters of at most `stride` keys each (small-counter.ts).
struct TrainCounters {
  uint32_t stride = 0;
  uint32_t used = 0;
  std::vector<int32_t> keys;
  std::vector<double> counts;
  std::vector<uint8_t> sizes;

  TrainCounters(uint32_t stride, uint32_t counters);
  uint32_t allocate();
  void reserve(uint32_t counters);
  bool add(uint32_t c, int32_t key, double weight);
};

// A flow's packets per histogram bin of 2^shift time bins from `anchor` (time-histogram.ts).
struct TrainHistogram {
  double anchor = 0;
  uint32_t shift = 0;
  double width = 1;
  std::vector<uint32_t> keys;
  std::vector<double> values;

  void add(double bin, double weight, uint32_t maxBins);
  void halve();
};

// The trace's packets per time bin, at most maxEntries entries (activity-profile.ts).
struct TrainProfile {
  uint32_t shift = 0;
  double width = 1, perWidth = 1;  // 2^shift and 2^-shift
  std::vector<double> counts = std::vector<double>(1, 0.0);

  void add(double bin, uint32_t maxEntries);
  void halve();
};

class TrainPass {
 public:
  // Record layouts of flow-stats.ts.
  static constexpr uint32_t kFlowStride = 8, kPackets = 0, kWireBytes = 1, kFirstNs = 2, kLastNs = 3, kPreviousNs = 4, kRunBin = 5, kRunPackets = 6;
  static constexpr uint32_t kDirStride = 8, kDirPackets = 0, kSizeRun = 1, kSizeRunPackets = 2, kFlagsRun = 3, kFlagsRunPackets = 4,
                            kWantsTemplate = 5, kFirstFlags = 6, kLastFlags = 7;
  static constexpr uint32_t kGapBuckets = 32, kSizeBucketBytes = 64, kMaxWireSize = 65535, kFlagValues = 16, kSizeBucketsKept = 24;
  static constexpr uint32_t kNoFlow = 0xffffffffu;
  static constexpr int32_t kNoCounter = -1;

  explicit TrainPass(const TrainPassConfig& config);

  // Counts the batch's packets. Appends to `templates` a (slot, packet index, flow's ip version
  // << 8 | protocol) triple for each packet that becomes its direction's header template, in
  // the order the TypeScript pass takes them (a later one replaces an earlier one); `templates`
  // may be null (TrainPassWorker chooses them on the reader's thread).
  void addBatch(const TrainBatch& batch, std::vector<uint32_t>* templates);
  // Hands every pending run to the statistics (call once, at the end) and returns the flow
  // ids heaviest first (ties: lower id first), as FlowAccumulator.settle().
  std::vector<uint32_t> settle();

  // Totals (FlowAccumulator's getters).
  double startSec = __builtin_nan(""), startNsec = 0, lastNs = 0, ipPackets = 0, nonIpPackets = 0, ipBytes = 0;

  // The statistics (FlowStatsTable's arrays).
  uint32_t capacity = 0;
  LineVector<double> flow, dir, gaps;
  std::vector<uint8_t> seen, ipVersion, proto;
  std::vector<TrainHistogram> histograms;
  std::vector<int32_t> bucketsOf, flagsOf;
  std::vector<uint32_t> sizeMin, sizeMax;
  TrainCounters atoms, buckets, flags;
  TrainProfile profile;
  const TrainPassConfig config;

 private:
  void findStart(const TrainBatch& b);
  void prefetchRecords(const TrainBatch& b, uint32_t j) const;
  void prefetchCounters(const TrainBatch& b, uint32_t j) const;
  void packet(const TrainBatch& b, uint32_t i, double timeNs, double bin, std::vector<uint32_t>* templates);
  void addFlow(uint32_t id, uint8_t version, uint8_t protocol, double bin, double timeNs);
  void grow(uint32_t id);
  void endBinRun(uint32_t id, double bin);
  void endSizeRun(uint32_t slot, double size);
  void endFlagsRun(uint32_t slot, double flagsValue);
  void addSize(uint32_t slot, double size, double count);
  void addFlags(uint32_t slot, double flagsValue, double count);
};

// gapBucketOf of flow-accumulator.ts: 0 below 1024 ns, else floor(log2(gap)) - 9, at most 31.
uint32_t trainGapBucket(double gapNs);

}  // namespace txcore
