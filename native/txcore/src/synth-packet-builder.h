// Builds the bytes of one regenerated packet from its row's header template: the native
// twin of libs/flow-model/src/regen/packet-synthesizer.ts (docs/flow-models.md "Synthesis of
// a packet"), as testpmd's txonly builds frames from a template. Everything that depends on
// the flow's history (IPv4 id, TCP sequence and acknowledgement advance, the frame length,
// the flow sequence number) was settled by the feeder in the global order and travels in
// the descriptor, so any core can build any packet; the hot path only copies and adds.
// - fast path: a well-formed template (synth-plan.cc): one copy, a few stores, checksums
//   over the header bytes and the tag only (the payload is zeros and adds nothing);
// - general path: the TypeScript function write for write, every access bounds-checked the
//   way a Uint8Array ignores out-of-range writes and reads undefined as 0.
// DPDK-free (test/synthesis-test.cc checks both paths against each other).
#pragma once

#include <cstdint>
#include <cstring>

#include "synth-plan.h"

namespace txcore {

// One packet as the feeder hands it to its core (32 bytes; due time and flow sequence
// number live in side arrays, used only when paced / tagged).
struct SynthDesc {
  uint32_t slot;      // 2 * row + direction
  uint32_t variant;   // 0: a modelled flow; k >= 1: the k-th member of a class
  uint32_t instance;  // the tag's flow id
  uint32_t length;    // frame bytes
  uint32_t seqAdd;    // TCP sequence advance of this direction before the packet
  uint32_t ackAdd;    // ... of the other direction
  uint16_t ipIdAdd;   // packets this direction sent before (mod 2^16)
  uint8_t flags;      // TCP flags
  uint8_t pad = 0;
  uint32_t pad2 = 0;
};
static_assert(sizeof(SynthDesc) == 32, "descriptor is half a cache line");

// L = min(max(size, header + tag), l3 + 65535): the frame length of a packet of `size`.
inline uint32_t synthFrameLength(const SynthSlot& s, uint32_t size, bool tag) {
  uint32_t minimum = s.hdrLen + (tag ? kSynthTagBytes : 0);
  uint32_t length = size > minimum ? size : minimum;
  uint32_t cap = s.l3 + kMaxIpBytes;
  return length < cap ? length : cap;
}

// TCP payload + SYN + FIN: how far this packet advances its direction's sequence number.
inline uint32_t synthSeqBytes(const SynthSlot& s, uint32_t length, uint8_t flags) {
  if (!s.tcp) return 0;
  return length - s.hdrLen + ((flags & 0x02) ? 1 : 0) + ((flags & 0x01) ? 1 : 0);
}

// Writes the frame of `d` into frame[0 .. d.length). `globalSeq` / `flowSeq` for the tag.
void synthesizeGeneral(const SynthPlan& plan, const SynthDesc& d, uint64_t globalSeq, uint64_t flowSeq, uint8_t* frame);

namespace synth_detail {

inline void put16(uint8_t* p, uint32_t v) {
  p[0] = static_cast<uint8_t>(v >> 8);
  p[1] = static_cast<uint8_t>(v);
}
inline void put32(uint8_t* p, uint32_t v) {
  v = __builtin_bswap32(v);
  memcpy(p, &v, 4);
}
inline uint32_t get16(const uint8_t* p) { return (uint32_t{p[0]} << 8) | p[1]; }

// Sum of big-endian 16-bit words of p[0 .. n), n even or odd (tail padded with 0).
inline uint64_t wordSum(const uint8_t* p, uint32_t n) {
  uint64_t sum = 0;
  uint32_t i = 0;
  for (; i + 1 < n; i += 2) sum += (uint32_t{p[i]} << 8) | p[i + 1];
  if (i < n) sum += uint32_t{p[i]} << 8;
  return sum;
}

// The same for bytes whose word alignment starts one byte off (the first byte is a low byte).
inline uint64_t wordSumOdd(const uint8_t* p, uint32_t n) {
  uint64_t sum = 0;
  for (uint32_t i = 0; i < n; i++) sum += (i & 1) ? (uint32_t{p[i]} << 8) : p[i];
  return sum;
}

inline uint32_t finish(uint64_t sum) {
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >> 16);
  return ~static_cast<uint32_t>(sum) & 0xffff;
}

inline void writeTag(uint8_t* at, uint32_t instance, uint64_t globalSeq, uint64_t flowSeq) {
  put32(at, 0x4d435351u);  // "MCSQ"
  put32(at + 4, instance);
  uint64_t g = __builtin_bswap64(globalSeq), f = __builtin_bswap64(flowSeq);
  memcpy(at + 8, &g, 8);
  memcpy(at + 16, &f, 8);
}

}  // namespace synth_detail

// The fast path: the template is well formed (slot.fast), the frame is d.length bytes.
inline void synthesizeFast(const SynthPlan& plan, const SynthSlot& s, const SynthDesc& d, uint64_t globalSeq, uint64_t flowSeq, uint8_t* f) {
  using namespace synth_detail;
  const uint32_t L = d.length;
  memcpy(f, plan.header(s), s.hdrLen);
  memset(f + s.hdrLen, 0, L - s.hdrLen);
  const uint32_t l3 = s.l3, l4 = s.l4;
  if (d.variant != 0) {
    if (s.proto == 6 || s.proto == 17) {
      uint8_t* port = f + l4 + ((d.slot & 1) ? 2 : 0);
      put16(port, 1024 + static_cast<uint32_t>((get16(port) + 7919ull * d.variant) % 64512));
    }
    uint32_t shift = (d.variant / 64512) & 0xff;
    if (shift != 0) f[l3 + ((d.slot & 1) == 0 ? (s.ipVersion == 4 ? 15 : 23) : (s.ipVersion == 4 ? 19 : 39))] += static_cast<uint8_t>(shift);
  }
  if (s.ipVersion == 4) {
    put16(f + l3 + 2, L - l3);
    put16(f + l3 + 4, (s.ipId0 + d.ipIdAdd) & 0xffff);
  } else {
    put16(f + l3 + 4, L - l3 - 40);
  }
  if (s.tcp) {
    f[l4 + 13] = d.flags;
    put32(f + l4 + 4, s.seq0 + d.seqAdd);
    if ((d.flags & 0x10) && s.hasOther) put32(f + l4 + 8, s.otherSeq + d.ackAdd);
  } else if (s.udp) {
    put16(f + l4 + 4, L - l4);
  }
  if (plan.tag) writeTag(f + L - kSynthTagBytes, d.instance, globalSeq, flowSeq);
  if (s.ipVersion == 4) {
    f[l3 + 10] = f[l3 + 11] = 0;
    put16(f + l3 + 10, finish(wordSum(f + l3, s.ihlBytes)));
  }
  if (s.csumAt >= 0 && l4 > l3) {
    uint8_t* field = f + l4 + s.csumAt;
    field[0] = field[1] = 0;
    uint32_t segment = L - l4;
    uint64_t sum = wordSum(f + l4, s.hdrLen - l4);
    if (plan.tag) {
      uint32_t at = L - kSynthTagBytes;
      sum += ((at - l4) & 1) ? wordSumOdd(f + at, kSynthTagBytes) : wordSum(f + at, kSynthTagBytes);
    }
    if (s.proto != 1) {
      sum += s.ipVersion == 4 ? wordSum(f + l3 + 12, 8) : wordSum(f + l3 + 8, 32);
      sum += s.proto + (segment >> 16) + (segment & 0xffff);
    }
    uint32_t c = finish(sum);
    if (s.proto == 17 && c == 0) c = 0xffff;
    put16(field, c);
  }
}

inline void synthesizeFrame(const SynthPlan& plan, const SynthDesc& d, uint64_t globalSeq, uint64_t flowSeq, uint8_t* frame) {
  const SynthSlot& s = plan.slots[d.slot];
  if (__builtin_expect(s.fast, 1)) synthesizeFast(plan, s, d, globalSeq, flowSeq, frame);
  else synthesizeGeneral(plan, d, globalSeq, flowSeq, frame);
}

}  // namespace txcore
