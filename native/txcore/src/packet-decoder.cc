#include "packet-decoder.h"

#include <algorithm>
#include <cstring>

namespace txcore {
namespace {

constexpr uint16_t kDltNull = 0, kDltEthernet = 1, kDltRawBsd = 12, kDltRawOpenBsd = 14, kDltRaw = 101,
                   kDltLoop = 108, kDltLinuxSll = 113, kDltIpv4 = 228, kDltIpv6 = 229, kDltLinuxSll2 = 276;

struct FlowKey {  // canonical: endpoint A <= endpoint B, so both directions hash alike
  uint8_t a[16];
  uint8_t b[16];
  uint16_t portA;
  uint16_t portB;
  uint8_t proto;
  uint8_t pad[3];
};
static_assert(sizeof(FlowKey) == 40, "FlowKey is hashed as five 64-bit words");

inline uint16_t be16(const uint8_t* p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }

uint64_t mix64(uint64_t h) {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  return h ^ (h >> 33);
}

uint64_t hashKey(const FlowKey& key) {
  uint64_t words[5];
  memcpy(words, &key, sizeof words);
  uint64_t h = 0x9e3779b97f4a7c15ULL;
  for (uint64_t w : words) h = mix64(h ^ w);
  return h == 0 ? 1 : h;
}

// Fills the key from two endpoints in canonical order.
void setEndpoints(FlowKey* key, const uint8_t* src, const uint8_t* dst, unsigned alen, uint16_t sport, uint16_t dport) {
  int c = memcmp(src, dst, alen);
  bool swap = c > 0 || (c == 0 && sport > dport);
  memcpy(key->a, swap ? dst : src, alen);
  memcpy(key->b, swap ? src : dst, alen);
  key->portA = swap ? dport : sport;
  key->portB = swap ? sport : dport;
}

// L4 ports and header length. Returns the L4 header length it skipped (0 when unknown).
unsigned decodeL4(const uint8_t* p, uint32_t avail, uint8_t proto, bool fragment, FlowKey* key, const uint8_t* src,
                  const uint8_t* dst, unsigned alen) {
  uint16_t sport = 0, dport = 0;
  unsigned hdr = 0;
  bool ported = proto == 6 || proto == 17 || proto == 132 || proto == 136;
  if (!fragment && ported && avail >= 4) {
    sport = be16(p);
    dport = be16(p + 2);
    hdr = proto == 6 ? (avail >= 13 ? (p[12] >> 4) * 4u : 20u) : proto == 132 ? 12u : 8u;
  } else if (!fragment && (proto == 1 || proto == 58)) {
    hdr = 8;
  }
  setEndpoints(key, src, dst, alen, sport, dport);
  key->proto = proto;
  return hdr;
}

void decodeIpv4(const uint8_t* p, uint32_t avail, uint32_t base, DecodedPacket* out) {
  if (avail < 20 || (p[0] >> 4) != 4) return;
  unsigned ihl = (p[0] & 0x0f) * 4u;
  if (ihl < 20 || ihl > avail) return;
  FlowKey key{};
  bool fragment = (be16(p + 6) & 0x3fff) != 0;  // MF or a non-zero offset: ports may be absent
  unsigned l4 = decodeL4(p + ihl, avail - ihl, p[9], fragment, &key, p + 12, p + 16, 4);
  out->isIp = true;
  out->flowHash = hashKey(key);
  out->payloadOffset = base + std::min<uint32_t>(avail, ihl + l4);
}

void decodeIpv6(const uint8_t* p, uint32_t avail, uint32_t base, DecodedPacket* out) {
  if (avail < 40 || (p[0] >> 4) != 6) return;
  uint8_t next = p[6];
  unsigned off = 40;
  bool fragment = false;
  for (int hops = 0; hops < 8 && off + 8 <= avail; hops++) {
    if (next == 0 || next == 43 || next == 60 || next == 135) {
      next = p[off];
      off += (p[off + 1] + 1u) * 8u;
    } else if (next == 44) {
      fragment = true;
      next = p[off];
      off += 8;
    } else if (next == 51) {
      next = p[off];
      off += (p[off + 1] + 2u) * 4u;
    } else {
      break;
    }
  }
  FlowKey key{};
  unsigned l4 = off <= avail ? decodeL4(p + off, avail - off, next, fragment, &key, p + 8, p + 24, 16)
                             : (setEndpoints(&key, p + 8, p + 24, 16, 0, 0), 0u);
  key.proto = next;
  out->isIp = true;
  out->flowHash = hashKey(key);
  out->payloadOffset = base + std::min<uint32_t>(avail, off + l4);
}

void decodeIp(const uint8_t* frame, uint32_t caplen, uint32_t at, DecodedPacket* out) {
  if (at >= caplen) return;
  unsigned version = frame[at] >> 4;
  if (version == 4) decodeIpv4(frame + at, caplen - at, at, out);
  if (version == 6) decodeIpv6(frame + at, caplen - at, at, out);
}

// `typeAt` is the offset of an EtherType; what follows it starts at typeAt + 2.
void decodeEtherType(const uint8_t* frame, uint32_t caplen, uint32_t typeAt, DecodedPacket* out) {
  for (int tags = 0; tags < 4 && typeAt + 2 <= caplen; tags++) {
    uint16_t type = be16(frame + typeAt);
    uint32_t next = typeAt + 2;
    if (type == 0x8100 || type == 0x88a8 || type == 0x9100) {
      typeAt += 4;
      continue;
    }
    if (type == 0x0800 || type == 0x86dd) return decodeIp(frame, caplen, next, out);
    if (type == 0x8847 || type == 0x8848) {  // MPLS: skip labels to the bottom of the stack
      while (next + 4 <= caplen && !(frame[next + 2] & 1)) next += 4;
      return decodeIp(frame, caplen, next + 4, out);
    }
    if (type == 0x8864 && next + 8 <= caplen) {  // PPPoE session: 6-byte header + PPP protocol
      uint16_t ppp = be16(frame + next + 6);
      if (ppp == 0x0021 || ppp == 0x0057) decodeIp(frame, caplen, next + 8, out);
    }
    return;
  }
}

}  // namespace

void decodePacket(const uint8_t* frame, uint32_t caplen, uint16_t linkType, DecodedPacket* out) {
  *out = DecodedPacket{};
  switch (linkType) {
    case kDltEthernet:
      out->payloadOffset = std::min<uint32_t>(caplen, 14);
      decodeEtherType(frame, caplen, 12, out);
      break;
    case kDltLinuxSll:
      out->payloadOffset = std::min<uint32_t>(caplen, 16);
      decodeEtherType(frame, caplen, 14, out);
      break;
    case kDltLinuxSll2:
      out->payloadOffset = std::min<uint32_t>(caplen, 20);
      // SLL2 puts the protocol first and the 20-byte header's end elsewhere.
      if (caplen >= 20 && (be16(frame) == 0x0800 || be16(frame) == 0x86dd)) decodeIp(frame, caplen, 20, out);
      break;
    case kDltRaw: case kDltRawBsd: case kDltRawOpenBsd: case kDltIpv4: case kDltIpv6:
      decodeIp(frame, caplen, 0, out);
      break;
    case kDltNull: case kDltLoop:
      out->payloadOffset = std::min<uint32_t>(caplen, 4);
      decodeIp(frame, caplen, 4, out);
      break;
    default:
      break;  // unknown link type: not IP, payload is the whole frame
  }
}

}  // namespace txcore
