#include "synth-plan.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <initializer_list>

#include "synth-packet-builder.h"

namespace txcore {
namespace {

uint32_t be32(const uint8_t* p) { return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3]; }

// offsets: ascending, from 0 to `total`, with `entries` + 1 values.
bool offsetsOk(const std::vector<uint32_t>& offsets, size_t entries, size_t total) {
  if (offsets.size() != entries + 1 || offsets[0] != 0 || offsets[entries] != total) return false;
  for (size_t i = 0; i < entries; i++) {
    if (offsets[i] > offsets[i + 1]) return false;
  }
  return true;
}

int8_t checksumOffset(uint8_t proto) {
  switch (proto) {
    case 6: return 16;
    case 17: return 6;
    case 1:
    case 58: return 2;
    default: return -1;
  }
}

// The straight-line builder's preconditions: IP header (and the transport header it
// rewrites) inside the template, in the usual order; everything else takes the general
// path, which mirrors packet-synthesizer.ts write for write.
bool wellFormed(const SynthSlot& s) {
  if (s.hdrLen - s.l3 > static_cast<int>(kMaxIpBytes - kSynthTagBytes)) return false;
  uint32_t ipEnd;
  if (s.ipVersion == 4) {
    if (s.l3 + 20u > s.hdrLen || s.ihlBytes < 20) return false;
    ipEnd = s.l3 + s.ihlBytes;
  } else if (s.ipVersion == 6) {
    ipEnd = s.l3 + 40u;
  } else {
    return false;
  }
  if (ipEnd > s.hdrLen || s.l4 < ipEnd) return false;
  if (s.proto == 6) return s.tcp;
  if (s.proto == 17) return s.udp;
  if (s.proto == 1 || s.proto == 58) return s.l4 + 4u <= s.hdrLen;
  return true;
}

uint32_t wordAt(const uint8_t* p, uint32_t at) { return (uint32_t{p[at]} << 8) | p[at + 1]; }

// Sum of the words of p[from, to) (relative to `from`), skipping the words at the offsets in
// `skip` (relative to `from`, even).
uint32_t sumExcept(const uint8_t* p, uint32_t from, uint32_t to, std::initializer_list<int> skip) {
  uint32_t sum = 0;
  for (uint32_t i = from; i < to; i += 2) {
    bool skipped = false;
    for (int k : skip) skipped = skipped || (k >= 0 && i - from == static_cast<uint32_t>(k));
    if (skipped) continue;
    sum += i + 1 < to ? wordAt(p, i) : uint32_t{p[i]} << 8;
  }
  return sum;
}

// The fast path's precomputed sums (synth-packet-builder.h synthesizeFast adds the rest).
void precomputeSums(SynthSlot& s, const uint8_t* hdr, bool dir1) {
  const bool v4 = s.ipVersion == 4;
  const uint32_t clientLast = dir1 ? (v4 ? 19 : 39) : (v4 ? 15 : 23);  // from l3
  s.clientWordAt = static_cast<uint16_t>(clientLast - 1);
  s.clientWord0 = static_cast<uint16_t>(wordAt(hdr, s.l3 + s.clientWordAt));
  if (v4) s.ipBase = sumExcept(hdr, s.l3, s.l3 + s.ihlBytes, {2, 4, 10, s.clientWordAt});
  s.portAt = dir1 ? 2 : 0;
  s.port0 = static_cast<uint16_t>(wordAt(hdr, s.l4 + s.portAt));
  if (s.csumAt < 0 || s.l4 <= s.l3) return;
  uint32_t sum = 0;
  if (s.tcp) {
    s.ack0Hi = static_cast<uint16_t>(wordAt(hdr, s.l4 + 8));
    s.ack0Lo = static_cast<uint16_t>(wordAt(hdr, s.l4 + 10));
    s.offsetFlags0 = static_cast<uint16_t>(wordAt(hdr, s.l4 + 12));
    sum = sumExcept(hdr, s.l4, s.hdrLen, {s.portAt, 4, 6, 8, 10, 12, 16});
  } else if (s.udp) {
    sum = sumExcept(hdr, s.l4, s.hdrLen, {s.portAt, 4, 6});
  } else {
    sum = sumExcept(hdr, s.l4, s.hdrLen, {s.csumAt});  // no port rewrite outside TCP/UDP
  }
  if (s.proto != 1) {
    uint32_t a0 = v4 ? 12 : 8, a1 = v4 ? 20 : 40;  // the addresses, from l3
    sum += sumExcept(hdr, s.l3 + a0, s.l3 + a1, {static_cast<int>(s.clientWordAt - a0)}) + s.proto;
  }
  s.l4Base = sum;
}

}  // namespace

std::string SynthPlan::finish() {
  const size_t t = rows, t2 = 2 * size_t{rows};
  if (!(binNs >= 1) || windowBins < 1) return "plan.binNs and plan.windowBins must be >= 1";
  if (cores < 1) return "plan.cores must be >= 1";
  if (ipVersion.size() != t || proto.size() != t || rowTemplate.size() != t || rowVariant.size() != t || rowPackets.size() != t ||
      rowReverse.size() != t || rowStartNs.size() != t || rowEndNs.size() != t || rowCore.size() != t) {
    return "plan: a per-row table does not have one entry per row";
  }
  if (l3Offset.size() != t2 || l4Offset.size() != t2 || firstFlags.size() != t2 || lastFlags.size() != t2) return "plan: a per-direction table does not have 2 entries per row";
  if (!offsetsOk(headerOffset, t2, headerBytes.size())) return "plan.headerOffset does not match headerBytes";
  if (!offsetsOk(sizeOffset, t2, sizeLo.size()) || sizeSpan.size() != sizeLo.size() || sizeCum.size() != sizeLo.size()) return "plan: the size tables do not match";
  if (!offsetsOk(flagOffset, t2, flagValue.size()) || flagCum.size() != flagValue.size()) return "plan: the flag tables do not match";
  if (!offsetsOk(gapOffset, t, gapLo.size()) || gapSpan.size() != gapLo.size() || gapCum.size() != gapLo.size()) return "plan: the gap tables do not match";
  for (uint32_t r = 0; r < rows; r++) {
    if (rowTemplate[r] >= rows) return "plan: row " + std::to_string(r) + " names a template out of range";
    if (rowCore[r] != kRowNotHere && rowCore[r] >= cores) return "plan: row " + std::to_string(r) + " is bound to a core out of range";
    double n = rowPackets[r], n1 = rowReverse[r];
    if (!(n >= 0 && n < 4294967296.0 && std::floor(n) == n && n1 >= 0 && std::floor(n1) == n1 && (n1 == 0 || n1 <= n - 1))) {
      return "plan: row " + std::to_string(r) + " has a packet count that is not a whole number of at most 2^32-1 (or too many reverse packets)";
    }
  }
  slots.assign(t2, SynthSlot{});
  for (size_t i = 0; i < t2; i++) {
    SynthSlot& s = slots[i];
    size_t row = i / 2;
    uint32_t len = headerOffset[i + 1] - headerOffset[i];
    if (len > 65535 || len > l3Offset[i] + size_t{kMaxIpBytes}) return "plan: the header template of slot " + std::to_string(i) + " is too long";
    s.headerAt = headerOffset[i];
    s.hdrLen = static_cast<uint16_t>(len);
    s.l3 = l3Offset[i];
    s.l4 = l4Offset[i];
    s.proto = proto[row];
    s.ipVersion = ipVersion[row];
    const uint8_t* hdr = headerBytes.data() + s.headerAt;
    s.ihlBytes = s.l3 < s.hdrLen ? static_cast<uint8_t>((hdr[s.l3] & 0x0f) * 4) : 0;
    s.csumAt = checksumOffset(s.proto);
    s.tcp = s.proto == 6 && s.l4 + 20u <= s.hdrLen;
    s.udp = s.proto == 17 && s.l4 + 8u <= s.hdrLen;
    size_t other = i ^ 1;
    uint32_t otherLen = headerOffset[other + 1] - headerOffset[other];
    s.hasOther = otherLen >= l4Offset[other] + 20u;
    if (s.hasOther) s.otherSeq = be32(headerBytes.data() + headerOffset[other] + l4Offset[other] + 4);
    s.fast = wellFormed(s);
    if (s.fast && s.ipVersion == 4) s.ipId0 = static_cast<uint16_t>((hdr[s.l3 + 4] << 8) | hdr[s.l3 + 5]);
    if (s.tcp) s.seq0 = be32(hdr + s.l4 + 4);
    if (s.fast) precomputeSums(s, hdr, (i & 1) != 0);
    if (s.fast && s.ipVersion == 4) s.shape = s.proto == 17 ? kShapeUdp4 : s.proto == 6 ? kShapeTcp4 : kShapeOther;
  }
  // Images: each template followed by zeros, so the fast builder copies a short frame's
  // header and zero payload in whole 32-byte moves (synthesizeFast).
  size_t imageBytes = 0;
  for (SynthSlot& s : slots) {
    s.imageAt = static_cast<uint32_t>(imageBytes);
    s.imageLen = ((s.hdrLen + 31u) & ~31u) + 32u;
    imageBytes += (s.imageLen + 63u) & ~63u;
  }
  // Each image starts a cache line (prefetched as one; a 64 B frame's image is two).
  images.assign(imageBytes + 128, 0);
  imageBase = static_cast<uint32_t>((64 - reinterpret_cast<uintptr_t>(images.data()) % 64) % 64);
  for (const SynthSlot& s : slots) memcpy(images.data() + imageBase + s.imageAt, headerBytes.data() + s.headerAt, s.hdrLen);
  // The longest frame: synthFrameLength of the largest size each slot can draw (an entry
  // [lo, lo + span) gives at most lo + span - 1; a span of 0 or 1 gives lo; no table, 0).
  largestFrame = 0;
  for (size_t i = 0; i < t2; i++) {
    uint32_t size = 0;
    for (uint32_t e = sizeOffset[i]; e < sizeOffset[i + 1]; e++) size = std::max<uint32_t>(size, sizeLo[e] + std::max<uint32_t>(sizeSpan[e], 1) - 1);
    largestFrame = std::max(largestFrame, synthFrameLength(slots[i], size, tag));
  }
  return checkPlanning();
}

// The planner's tables (validateFlowModel's checks, plus what the planner relies on): every
// index the count graph and the rounder compute stays inside its table.
std::string SynthPlan::checkPlanning() const {
  const size_t t = rows;
  if (chunkBins < 1) return "plan.chunkBins must be >= 1";
  if (kind.size() != t || modelPackets.size() != t || modelReverse.size() != t || startBin.size() != t || lastBin.size() != t ||
      binsPerCoef.size() != t || coefBase.size() != t || coefCount.size() != t || lanes.size() != t) {
    return "plan: a per-row planning table does not have one entry per row";
  }
  if (profileShift > 62 || (profile.size() << profileShift) < windowBins || (profile.size() << profileShift) >> profileShift != profile.size()) {
    return "plan: the activity profile is shorter than the window";
  }
  if (!offsetsOk(memberSizeOffset, t, memberSizeBucket.size()) || memberSizeCum.size() != memberSizeBucket.size()) return "plan: the member-size tables do not match";
  for (uint32_t r = 0; r < rows; r++) {
    const std::string row = "plan: row " + std::to_string(r);
    if (kind[r] > 1) return row + " has an unknown kind";
    if (startBin[r] < 0 || static_cast<uint64_t>(lastBin[r]) >= windowBins || lastBin[r] < startBin[r]) return row + " has a bad bin span";
    if (coefCount[r] < 1 || binsPerCoef[r] < 1 || coefBase[r] < 0 || static_cast<size_t>(coefBase[r]) + static_cast<size_t>(coefCount[r]) > coef.size()) {
      return row + " has bad coefficients";
    }
    double n = modelPackets[r];
    if (!(n >= 0 && n < 4294967296.0 && std::floor(n) == n)) return row + " has a packet count that is not a whole number of at most 2^32-1";
    if (kind[r] == 1 && lanes[r] < 1) return row + " (a class) has no lanes";
  }
  return "";
}

double SynthPlan::pairsPerPacket() const {
  double pairs = 0, packets = 0;
  for (uint32_t r = 0; r < rows; r++) {
    const bool span = std::isfinite(rowStartNs[r]) && std::isfinite(rowEndNs[r]) && binNs > 0;
    pairs += span ? std::floor(rowEndNs[r] / binNs) - std::floor(rowStartNs[r] / binNs) + 1 : static_cast<double>(windowBins);
    packets += rowPackets[r];
  }
  return packets > 0 ? pairs / packets : HUGE_VAL;
}

}  // namespace txcore
