#include "synth-packet-builder.h"

namespace txcore {
namespace {

// A frame with JavaScript Uint8Array semantics: reads past the end give 0 (undefined in
// arithmetic), writes past the end are dropped. Offsets are 64-bit so none can wrap.
struct BoundedFrame {
  uint8_t* p;
  uint64_t len;

  uint32_t get(uint64_t at) const { return at < len ? p[at] : 0; }
  void set(uint64_t at, uint32_t v) {
    if (at < len) p[at] = static_cast<uint8_t>(v);
  }
  uint32_t u16(uint64_t at) const { return (get(at) << 8) | get(at + 1); }
  uint32_t u32(uint64_t at) const { return (get(at) << 24) | (get(at + 1) << 16) | (get(at + 2) << 8) | get(at + 3); }
  // put16(b, at, v): b[at] = (v >>> 8) & 0xff; b[at+1] = v & 0xff (v already ToUint32'd)
  void put16(uint64_t at, uint32_t v) {
    set(at, (v >> 8) & 0xff);
    set(at + 1, v & 0xff);
  }
  void put32(uint64_t at, uint32_t v) {
    put16(at, (v >> 16) & 0xffff);
    put16(at + 2, v & 0xffff);
  }
  uint64_t sum(uint64_t from, uint64_t to, uint64_t initial = 0) const {
    uint64_t s = initial;
    uint64_t i = from;
    for (; i + 1 < to; i += 2) s += (get(i) << 8) | get(i + 1);
    if (i < to) s += get(i) << 8;
    return s;
  }
};

uint32_t finishSum(uint64_t sum) {
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >> 16);
  return ~static_cast<uint32_t>(sum) & 0xffff;
}

void applyVariant(BoundedFrame& f, const SynthSlot& s, uint32_t d, uint32_t variant) {
  if (variant == 0) return;
  if ((s.proto == 6 || s.proto == 17) && s.l4 + 4u <= f.len) {
    uint64_t at = d == 0 ? s.l4 : s.l4 + 2u;
    f.put16(at, 1024 + static_cast<uint32_t>((f.u16(at) + 7919ull * variant) % 64512));
  }
  uint32_t shift = (variant / 64512) & 0xff;
  if (shift == 0) return;
  bool v4 = s.ipVersion == 4;
  uint64_t clientLast = d == 0 ? s.l3 + (v4 ? 15u : 23u) : s.l3 + (v4 ? 19u : 39u);
  if (clientLast < f.len) f.set(clientLast, (f.get(clientLast) + shift) & 0xff);
}

void writeChecksums(BoundedFrame& f, const SynthSlot& s) {
  const uint64_t l3 = s.l3, l4 = s.l4, end = f.len;
  if (s.ipVersion == 4) {
    uint64_t headerLength = (f.get(l3) & 0x0f) * 4;
    f.set(l3 + 10, 0);
    f.set(l3 + 11, 0);
    f.put16(l3 + 10, finishSum(f.sum(l3, l3 + headerLength)));
  }
  if (!(l4 > l3) || s.csumAt < 0 || l4 + s.csumAt + 2 > end) return;
  f.set(l4 + s.csumAt, 0);
  f.set(l4 + s.csumAt + 1, 0);
  uint64_t pseudo = 0;
  if (s.proto != 1) {
    uint64_t length = end - l4;
    uint64_t addresses = s.ipVersion == 4 ? f.sum(l3 + 12, l3 + 20) : f.sum(l3 + 8, l3 + 40);
    pseudo = addresses + s.proto + (length >> 16) + (length & 0xffff);
  }
  uint32_t checksum = finishSum(f.sum(l4, end, pseudo));
  if (s.proto == 17 && checksum == 0) checksum = 0xffff;
  f.put16(l4 + s.csumAt, checksum);
}

}  // namespace

// packet-synthesizer.ts synthesizePacket, in its order: template, variant, IP lengths and id,
// TCP flags/seq/ack or UDP length, tag, IPv4 header checksum, transport checksum.
void synthesizeGeneral(const SynthPlan& plan, const SynthDesc& d, uint64_t globalSeq, uint64_t flowSeq, uint8_t* frame) {
  const SynthSlot& s = plan.slots[d.slot];
  const uint32_t dir = d.slot & 1;
  BoundedFrame f{frame, d.length};
  uint32_t copy = s.hdrLen < d.length ? s.hdrLen : d.length;
  memcpy(frame, plan.header(s), copy);
  memset(frame + copy, 0, d.length - copy);
  applyVariant(f, s, dir, d.variant);
  const uint64_t l3 = s.l3, l4 = s.l4;
  if (s.ipVersion == 4) {
    f.put16(l3 + 2, static_cast<uint32_t>(static_cast<int64_t>(d.length) - static_cast<int64_t>(l3)));
    f.put16(l3 + 4, (f.u16(l3 + 4) + d.ipIdAdd) & 0xffff);
  } else {
    f.put16(l3 + 4, static_cast<uint32_t>(static_cast<int64_t>(d.length) - static_cast<int64_t>(l3) - 40));
  }
  if (s.tcp) {
    f.set(l4 + 13, d.flags);
    f.put32(l4 + 4, f.u32(l4 + 4) + d.seqAdd);
    if (d.flags & 0x10) f.put32(l4 + 8, s.hasOther ? s.otherSeq + d.ackAdd : f.u32(l4 + 8));
  } else if (s.udp) {
    f.put16(l4 + 4, static_cast<uint32_t>(d.length - l4));
  }
  if (plan.tag && d.length >= kSynthTagBytes) synth_detail::writeTag(frame + d.length - kSynthTagBytes, d.instance, globalSeq, flowSeq);
  writeChecksums(f, s);
}

}  // namespace txcore
