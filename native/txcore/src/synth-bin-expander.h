// Expands count-chunk entries into timed packets and puts a bin's packets in the global
// order: the native twin of libs/flow-model/src/regen/bin-expander.ts expandEntry and the
// per-bin sort of traffic-generator.ts (docs/flow-models.md "Expansion, step by step").
// Each entry (instance i, absolute bin B, packets j0 .. j0+k-1) draws from its own stream
// (seed, i, B), in the documented order: interior times first, then per packet in time order
// its size (entry, offset) and, for mid-flow TCP packets with a flag table, one flag draw.
// Runs on the feeder thread; its scratch arrays only grow (to the largest bin seen), so the
// per-packet path does not allocate once warm. DPDK-free (test/synthesis-test.cc).
#pragma once

#include <cstdint>
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
  double time;        // ns from t = 0
  uint32_t instance;  // global instance id
  uint32_t record;    // the feeder's instance record
  uint32_t size;      // drawn wire size (0: none; the frame is then the bare template)
  uint8_t dir;
  uint8_t flags;
};

class BinExpander {
 public:
  explicit BinExpander(const SynthPlan& plan) : plan_(plan) {}
  // Appends entry (instance, bin, j0, k)'s packets to `out` in packet-index order.
  void expandEntry(const SynthInstance& inst, uint32_t instance, uint32_t record, uint64_t bin, uint32_t j0, uint32_t k,
                   std::vector<ExpandedPacket>& out);
  // `packets` hold a bin's packets in (instance, packet index) order; returns the indexes of
  // the order (time, instance, packet index), i.e. a stable sort by time.
  const std::vector<uint32_t>& order(const std::vector<ExpandedPacket>& packets);

 private:
  bool radixOrder(const std::vector<ExpandedPacket>& packets);

  const SynthPlan& plan_;
  std::vector<double> times_, gaps_;
  std::vector<uint32_t> order_;
  std::vector<uint64_t> keys_, keysTmp_;  // (time offset << 32 | index), radix scratch
  std::vector<uint32_t> counts_;
};

}  // namespace txcore
