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
  const uint16_t be = __builtin_bswap16(static_cast<uint16_t>(v));
  memcpy(p, &be, 2);
}
inline void put32(uint8_t* p, uint32_t v) {
  v = __builtin_bswap32(v);
  memcpy(p, &v, 4);
}
inline uint32_t get16(const uint8_t* p) { return (uint32_t{p[0]} << 8) | p[1]; }

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

namespace synth_detail {

// Zeroes [from, to) in 32-byte stores while they stay within `capacity` (the frame buffer's
// writable size, >= to): bytes past `to` are not part of the frame.
inline void zeroTail(uint8_t* f, uint32_t from, uint32_t to, uint32_t capacity) {
  static const uint8_t kZeros[32] = {};
  uint32_t at = from;
  if (to - from <= 256 && to + 32 <= capacity) {
    for (; at < to; at += 32) __builtin_memcpy(f + at, kZeros, 32);
    return;
  }
  memset(f + from, 0, to - from);
}

// frame[0, L) = the slot's image (template, then zeros) and zeros past it. Whole 32-byte moves
// while the buffer has room for them: bytes written past L are not part of the frame.
inline void copyImage(uint8_t* f, const uint8_t* image, uint32_t imageLen, uint32_t L, uint32_t capacity) {
  const uint32_t head = L < imageLen ? L : imageLen;
  const uint32_t moves = (head + 31) & ~31u;  // <= imageLen
  if (moves > capacity || moves > 128) {
    memcpy(f, image, head);
  } else {
    switch (moves >> 5) {  // unrolled: no loop counter for the usual one or two lines
      case 4: __builtin_memcpy(f + 96, image + 96, 32); [[fallthrough]];
      case 3: __builtin_memcpy(f + 64, image + 64, 32); [[fallthrough]];
      case 2: __builtin_memcpy(f + 32, image + 32, 32); [[fallthrough]];
      default: __builtin_memcpy(f, image, 32);
    }
  }
  if (L > imageLen) zeroTail(f, imageLen, L, capacity);
}

// The 12 words of the tag trailer, as if it started at an even offset from l4.
inline uint64_t tagWords(uint32_t instance, uint64_t globalSeq, uint64_t flowSeq) {
  auto words = [](uint64_t v) { return (v >> 48) + ((v >> 32) & 0xffff) + ((v >> 16) & 0xffff) + (v & 0xffff); };
  return 0x4d43 + 0x5351 + (instance >> 16) + (instance & 0xffff) + words(globalSeq) + words(flowSeq);
}

}  // namespace synth_detail

// The fast path: the template is well formed (slot.fast); frame[0 .. capacity) is writable,
// capacity >= d.length. Checksums are the slot's precomputed sums of the template's constant
// words plus the words this packet sets (synth-plan.cc precomputeSums). A block of bytes
// summed at an odd offset contributes 256 x its even-offset sum modulo 65535; the folded
// result of a positive sum depends only on the sum modulo 65535, so that is exact.
// Specialised on the slot's shape (UDP or TCP over IPv4: the slot's facts are then known
// and their tests drop out) and on the tag; kShapeOther is the general form of the same code.
template <uint8_t Shape, bool Tag>
__attribute__((always_inline)) inline void synthesizeFast(const SynthPlan& plan, const SynthSlot& s, const SynthDesc& d, uint64_t globalSeq,
                                                          uint64_t flowSeq, uint8_t* f, uint32_t capacity) {
  using namespace synth_detail;
  constexpr bool kUdp4 = Shape == kShapeUdp4, kTcp4 = Shape == kShapeTcp4, kKnown = kUdp4 || kTcp4;
  const uint32_t L = d.length;
  const uint32_t l3 = s.l3, l4 = s.l4;
  const uint8_t proto = kUdp4 ? 17 : kTcp4 ? 6 : s.proto;
  const bool tcp = kTcp4 || (!kKnown && s.tcp), udp = kUdp4 || (!kKnown && s.udp);
  copyImage(f, plan.image(s), s.imageLen, L, capacity);
  uint32_t port = s.port0, clientWord = s.clientWord0;
  if (d.variant != 0) {
    if (proto == 6 || proto == 17) {
      port = 1024 + static_cast<uint32_t>((port + 7919ull * d.variant) % 64512);
      put16(f + l4 + s.portAt, port);
    }
    uint32_t shift = (d.variant / 64512) & 0xff;
    if (shift != 0) {
      clientWord = (clientWord & 0xff00) | ((clientWord + shift) & 0xff);
      f[l3 + s.clientWordAt + 1] = static_cast<uint8_t>(clientWord);
    }
  }
  if (kKnown || s.ipVersion == 4) {
    uint32_t total = L - l3, id = (s.ipId0 + d.ipIdAdd) & 0xffff;
    put32(f + l3 + 2, (total << 16) | id);  // total length and id are neighbours
    put16(f + l3 + 10, finish(uint64_t{s.ipBase} + total + id + clientWord));
  } else {
    put16(f + l3 + 4, L - l3 - 40);
  }
  if (!kKnown && (s.csumAt < 0 || l4 <= l3)) {  // a fast TCP or UDP slot always has its checksum inside
    if (Tag) writeTag(f + L - kSynthTagBytes, d.instance, globalSeq, flowSeq);
    return;
  }
  const uint32_t segment = L - l4;
  uint64_t sum = s.l4Base;
  if (proto != 1) sum += clientWord + (segment >> 16) + (segment & 0xffff);
  if (tcp) {
    f[l4 + 13] = d.flags;
    uint32_t seq = s.seq0 + d.seqAdd;
    put32(f + l4 + 4, seq);
    uint32_t ackHi = s.ack0Hi, ackLo = s.ack0Lo;
    if ((d.flags & 0x10) && s.hasOther) {
      uint32_t ack = s.otherSeq + d.ackAdd;
      put32(f + l4 + 8, ack);
      ackHi = ack >> 16, ackLo = ack & 0xffff;
    }
    sum += port + (seq >> 16) + (seq & 0xffff) + ackHi + ackLo + ((s.offsetFlags0 & 0xff00u) | d.flags);
  } else if (udp) {
    if (!kUdp4) put16(f + l4 + 4, segment);  // kUdp4: with the checksum below, its neighbour
    sum += port + segment;
  }
  if (Tag) {
    const uint32_t at = L - kSynthTagBytes;
    writeTag(f + at, d.instance, globalSeq, flowSeq);
    uint64_t words = tagWords(d.instance, globalSeq, flowSeq);
    sum += ((at - l4) & 1) ? words * 256 : words;
  }
  uint32_t c = finish(sum);
  if (proto == 17 && c == 0) c = 0xffff;
  if (kUdp4) put32(f + l4 + 4, (segment << 16) | c);
  else put16(f + l4 + (kTcp4 ? 16 : s.csumAt), c);
}

// Writes frame[0 .. d.length); frame[d.length .. capacity) may be written too (scratch).
template <bool Tag>
__attribute__((always_inline)) inline void synthesizeFrameT(const SynthPlan& plan, const SynthDesc& d, uint64_t globalSeq, uint64_t flowSeq,
                                                            uint8_t* frame, uint32_t capacity) {
  const SynthSlot& s = plan.slots[d.slot];
  if (__builtin_expect(!s.fast, 0)) return synthesizeGeneral(plan, d, globalSeq, flowSeq, frame);
  switch (s.shape) {
    case kShapeUdp4: return synthesizeFast<kShapeUdp4, Tag>(plan, s, d, globalSeq, flowSeq, frame, capacity);
    case kShapeTcp4: return synthesizeFast<kShapeTcp4, Tag>(plan, s, d, globalSeq, flowSeq, frame, capacity);
    default: return synthesizeFast<kShapeOther, Tag>(plan, s, d, globalSeq, flowSeq, frame, capacity);
  }
}

inline void synthesizeFrame(const SynthPlan& plan, const SynthDesc& d, uint64_t globalSeq, uint64_t flowSeq, uint8_t* frame, uint32_t capacity) {
  if (plan.tag) synthesizeFrameT<true>(plan, d, globalSeq, flowSeq, frame, capacity);
  else synthesizeFrameT<false>(plan, d, globalSeq, flowSeq, frame, capacity);
}

}  // namespace txcore
