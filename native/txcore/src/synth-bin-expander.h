// Expands count-chunk entries into timed packets and puts a bin's packets in the global
// order: the native twin of libs/flow-model/src/regen/bin-expander.ts expandEntry and the
// per-bin sort of traffic-generator.ts (docs/flow-models.md "Expansion, step by step").
// Each entry (instance i, absolute bin B, packets j0 .. j0+k-1) draws from its own stream
// (seed, i, B), in the documented order: interior times first, then per packet in time order
// its size (entry, offset) and, for mid-flow TCP packets with a flag table, one flag draw.
// A draw whose value cannot matter (the entry of a one-entry table, an offset in a range of
// 0 or 1) only advances the stream (Xoshiro128ss::skip), as it must: the stream's position
// is what the next draw depends on. Each packet also gets its frame length and how far it
// advances its direction's TCP sequence (both functions of the slot and the drawn size), so
// the feeder only adds its flow's history. While expanding, the radix keys of the bin's sort
// are written too (time offset from the bin's start, packet index), with their digit counts.
// Runs on the feeder thread; scratch only grows (to the largest bin seen), so the
// per-packet path does not allocate once warm. DPDK-free (test/synthesis-test.cc).
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "synth-plan.h"
#include "synth-prng.h"

namespace txcore {

// What the expander needs of an instance (a modelled flow or a class member).
struct SynthInstance {
  uint32_t row = 0;      // template row
  uint32_t variant = 0;
  double packets = 0;    // n per window cycle
  double reverse = 0;    // n1 of them in direction 1
  double startNs = 0;    // exact first / last packet time in the window (NaN: none)
  double endNs = 0;
};

struct ExpandedPacket {
  // The descriptor's first half (SynthDesc's first four fields), copied by the feeder as is.
  uint32_t slot;      // 2 * row + direction
  uint32_t variant;
  uint32_t instance;  // global instance id
  uint32_t length;    // frame bytes (synthFrameLength of the drawn size)
  double time;        // ns from t = 0
  uint32_t record;    // the feeder's instance record
  uint32_t seqFlags;  // TCP flags << 24 | the packet's TCP sequence advance (synthSeqBytes < 2^24)
  uint8_t flags() const { return static_cast<uint8_t>(seqFlags >> 24); }
  uint32_t seqBytes() const { return seqFlags & 0xffffff; }
};
static_assert(sizeof(ExpandedPacket) == 32, "two packets per cache line");

class BinExpander {
 public:
  explicit BinExpander(const SynthPlan& plan);
  // Starts absolute bin `bin`, which will hold `packets` packets (the sum of its entries').
  void beginBin(uint64_t bin, uint64_t packets);
  // Appends entry (instance, this bin, j0, k)'s packets in packet-index order.
  void expandEntry(const SynthInstance& inst, uint32_t instance, uint32_t record, uint32_t j0, uint32_t k);
  const ExpandedPacket* packets() const { return packets_.get(); }
  size_t size() const { return count_; }
  // Latest time in the bin (packets at or after the run's end are dropped).
  double latest() const { return latest_; }
  // Indexes of the bin's packets in the order (time, instance, packet index): a stable sort
  // by time of the (instance, packet index) order they were appended in. kOrderPad more
  // entries follow, each 0, so a reader may look that far ahead (prefetching).
  const uint32_t* order();
  static constexpr size_t kOrderPad = 8;

 private:
  // Per (row, direction): how its size is drawn. kNone: no table, size 0, no draw; kConstant:
  // one entry of span <= 1 (two draws, both without effect); kSingle: one entry (the entry
  // draw without effect); kTable: pick an entry, then an offset.
  struct SlotDraws {
    enum Mode : uint8_t { kNone, kConstant, kSingle, kTable };
    Mode mode = kNone;
    bool tcp = false;        // the row is TCP: flags are drawn (or fixed) per packet
    uint16_t hdrLen = 0;     // what synthFrameLength / synthSeqBytes need of the slot
    uint32_t minLength = 0, maxLength = 0;  // synthFrameLength's bounds: max(size, min), at most max
    uint32_t lengthOf(uint32_t size) const {
      const uint32_t length = size > minLength ? size : minLength;
      return length < maxLength ? length : maxLength;
    }
    uint32_t s0 = 0, s1 = 0, total = 0;
    uint32_t lo = 0, span = 0;
    uint32_t f0 = 0, f1 = 0, flagTotal = 0;
    uint8_t firstFlags = 0, lastFlags = 0;
  };

  // Per row: how its gaps are drawn (kNone: no gap table, uniform offsets).
  struct RowDraws {
    enum Mode : uint8_t { kNone, kSingle, kTable };
    Mode mode = kNone;
    uint32_t g0 = 0, g1 = 0, total = 0;
    double lo = 0, span = 0;  // the one entry's (kSingle)
  };
  void reserve(size_t n);
  void interiorTimes(const RowDraws& row, Xoshiro128ss& rng, uint32_t m, double lo, double hi, ExpandedPacket* out);
  void radixFromKeys();
  bool radixOrder();
  void expandPackets(const SynthInstance& inst, uint32_t instance, uint32_t record, uint32_t j0, uint32_t k, Xoshiro128ss& rng, ExpandedPacket* out);
  uint8_t drawFlags(const SlotDraws& s, Xoshiro128ss& rng, uint64_t before, uint64_t beforeNext, uint64_t total) const;
  template <unsigned Passes>
  void keyRange(size_t from);

  const SynthPlan& plan_;
  std::vector<SlotDraws> slotDraws_;
  std::vector<RowDraws> rowDraws_;
  // The bin.
  uint64_t bin_ = 0;
  double binStart_ = 0, cycleNs_ = 0, latest_ = 0;
  std::unique_ptr<ExpandedPacket[]> packets_;
  size_t count_ = 0, capacity_ = 0;
  // Radix keys written while expanding: (time - binStart) << 32 | index, whole ns only.
  bool keyed_ = false;    // this bin's keys are being written (it is large enough to sort so)
  bool keysOk_ = false;   // ... and every time so far fits (whole, within the passes' span)
  unsigned passes_ = 0;   // 12-bit digits covering the bin's span
  double keySpan_ = 0;    // 2^(12 passes), at most 2^32
  bool gapsWhole_ = true; // every gap entry starts at a whole ns (times are then whole when an entry's ends are)
  std::vector<double> gaps_, uniform_;
  std::vector<uint32_t> order_;
  std::vector<uint64_t> keys_, keysTmp_;
  std::vector<uint32_t> counts_;  // passes x 4097 digit counts
};

}  // namespace txcore
