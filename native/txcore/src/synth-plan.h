// The static part of a regeneration plan as the native engine holds it: the model's header
// templates and sampling tables (libs/flow-model RegenerationPlan / PlanTemplates, byte-exact
// layout in docs/flow-models.md), the model rows' instances, which generation core each row
// is bound to, and per (row, direction) "slot" facts precomputed once so the hot paths only
// add and copy. Copied from JavaScript before any thread sees it; read-only afterwards.
// DPDK-free (test/synthesis-test.cc).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace txcore {

constexpr uint16_t kRowNotHere = 0xffff;  // a row another host (or no core) sends
constexpr uint32_t kSynthTagBytes = 24;
constexpr uint32_t kMaxIpBytes = 65535;
// Shapes of a fast slot the builder has a specialisation for (everything else: kShapeOther).
constexpr uint8_t kShapeOther = 0, kShapeUdp4 = 1, kShapeTcp4 = 2;

// Per template slot (2 * row + direction): what synthesis needs without looking further.
// One cache line each, aligned: a core prefetches a packet's slot as one line (a slot split
// over two lines stalled the frame builder on the second half).
struct alignas(64) SynthSlot {
  uint32_t headerAt = 0;  // first template byte in SynthPlan::headerBytes
  uint32_t imageAt = 0;   // the template then zeros up to imageLen (SynthPlan::images, after imageBase), 64-byte aligned
  uint32_t imageLen = 0;  // a multiple of 32, >= hdrLen + 32
  uint16_t hdrLen = 0, l3 = 0, l4 = 0;
  uint8_t proto = 0, ipVersion = 0;
  uint8_t ihlBytes = 0;       // IPv4 header length from the template
  int8_t csumAt = -1;         // transport checksum offset from l4 (-1: none filled)
  bool fast = false;          // a well-formed template: the straight-line builder applies
  uint8_t shape = 0;          // kShape*: which specialisation of the fast builder (synth-packet-builder.h)
  bool tcp = false;           // TCP header inside the template: flags/seq/ack rewritten
  bool udp = false;           // UDP header inside the template: length rewritten
  bool hasOther = false;      // the other direction has a full TCP template (its seq acks)
  uint16_t ipId0 = 0;         // template values the builder adds to
  uint32_t seq0 = 0, otherSeq = 0;
  // Fast path, checksums as sums of the template's constant 16-bit words plus the words a
  // packet changes (RFC 1071 sums are sums: the zero payload adds nothing):
  uint16_t portAt = 0;        // the client port word (rewritten for class members), from l4
  uint16_t clientWordAt = 0;  // the word holding the client address's last byte, from l3
  uint16_t clientWord0 = 0, port0 = 0, ack0Hi = 0, ack0Lo = 0, offsetFlags0 = 0;
  uint32_t ipBase = 0;        // IPv4 header words but length, id, checksum and client word
  uint32_t l4Base = 0;        // transport header's constant words (+ pseudo addresses but the client word, + proto)
};
static_assert(sizeof(SynthSlot) == 64, "a slot is one cache line");

struct SynthPlan {
  uint32_t seed = 0;
  double binNs = 0;
  uint64_t windowBins = 1;
  uint64_t totalBins = 0;
  double endNs = 0;
  bool tag = false;
  unsigned cores = 1;

  // PlanTemplates (T rows), exactly as the TypeScript plan holds them.
  uint32_t rows = 0;
  std::vector<uint8_t> ipVersion, proto;                    // [T]
  std::vector<uint32_t> headerOffset;                       // [2T+1]
  std::vector<uint8_t> headerBytes;
  std::vector<uint16_t> l3Offset, l4Offset;                 // [2T]
  std::vector<uint8_t> firstFlags, lastFlags;               // [2T]
  std::vector<uint32_t> sizeOffset;                         // [2T+1]
  std::vector<uint16_t> sizeLo, sizeSpan;
  std::vector<uint32_t> sizeCum;
  std::vector<uint32_t> flagOffset;                         // [2T+1]
  std::vector<uint8_t> flagValue;
  std::vector<uint32_t> flagCum;
  std::vector<uint32_t> gapOffset;                          // [T+1]
  std::vector<double> gapLo, gapSpan;
  std::vector<uint32_t> gapCum;

  // The rows' own instances (instance i < T is row i).
  std::vector<uint32_t> rowTemplate, rowVariant;            // [T]
  std::vector<double> rowPackets, rowReverse, rowStartNs, rowEndNs;  // [T]
  std::vector<uint16_t> rowCore;                            // [T]: generation core, or kRowNotHere

  std::vector<SynthSlot> slots;                             // [2T], from finish()
  uint32_t largestFrame = 0;                                // from finish(): the longest frame any packet can be
  std::vector<uint8_t> images;                              // every slot's image (imageBase + SynthSlot::imageAt)
  uint32_t imageBase = 0;                                   // where the images start: a 64-byte boundary of this vector's buffer

  // Count planning (synth-planner.h, PlanBuilder's twin): the model's own tables.
  uint32_t chunkBins = 2048;        // bins per count chunk (never across a window cycle)
  bool nativeCounts = false;        // evaluate the count graph here; else counts come with each chunk
  uint32_t profileShift = 0;
  std::vector<uint8_t> kind;                                       // [T] 0 flow, 1 class
  std::vector<double> modelPackets, modelReverse;                  // [T] per window (a class: all members)
  std::vector<int32_t> startBin, lastBin, binsPerCoef, coefBase, coefCount;  // [T] the count graph's tables
  std::vector<float> coef, profile;
  std::vector<uint32_t> lanes;                                     // [T] a class's max(1, round(concurrency))
  std::vector<uint32_t> memberSizeOffset;                          // [T+1]
  std::vector<uint8_t> memberSizeBucket;
  std::vector<uint32_t> memberSizeCum;                             // cumulative weights (plan-templates.ts cumulate)

  // Checks every table against the others (sizes, ascending offsets, entries in range) and
  // precomputes the slots. Returns "" or what is wrong (a wrapper bug or a damaged model).
  std::string finish();
  std::string checkPlanning() const;
  // (row, bin) pairs the planner visits per packet it yields, over one window cycle: each row
  // counts the bins from its first to its last packet (a class row, with no packets of its
  // own, the whole window). About 0.1 for a dense model, 20 for a sparse one (the sample's).
  double pairsPerPacket() const;
  const uint8_t* header(const SynthSlot& s) const { return headerBytes.data() + s.headerAt; }
  const uint8_t* image(const SynthSlot& s) const { return images.data() + imageBase + s.imageAt; }
};

}  // namespace txcore
