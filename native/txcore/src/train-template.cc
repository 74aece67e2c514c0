#include "train-template.h"

#include <algorithm>

namespace txcore {
namespace {

constexpr uint16_t kLinkEthernet = 1;

struct Bytes {
  const uint8_t* data;
  uint64_t len;
  uint32_t at(uint64_t i) const { return i < len ? data[i] : 0; }
};

bool isVlan(uint32_t ethertype) { return ethertype == 0x8100 || ethertype == 0x88a8 || ethertype == 0x9100; }

// header-template.ts transportHeaderLength.
uint32_t transportHeaderLength(const Bytes& d, uint64_t l4, uint64_t end, uint32_t proto) {
  if (proto == 6) return l4 + 12 < end ? std::max<uint32_t>(20, (d.at(l4 + 12) >> 4) * 4) : 20;
  if (proto == 17 || proto == 1 || proto == 58) return 8;
  return 0;
}

// header-template.ts vlanTags.
uint32_t vlanTags(const Bytes& d, uint64_t start, uint16_t linkType, uint32_t l3) {
  if (linkType != kLinkEthernet || l3 < 14) return 0;
  uint32_t tags = 0;
  for (uint64_t at = start + 12; at + 6 <= start + l3 && isVlan((d.at(at) << 8) | d.at(at + 1)); at += 4) tags++;
  return tags;
}

}  // namespace

void captureTrainTemplate(const uint8_t* data, uint64_t dataLen, uint64_t start, uint32_t capLen, uint16_t linkType, uint32_t ipVersion,
                          uint32_t proto, uint32_t l3, uint32_t l4, TrainTemplate* out) {
  const Bytes d{data, dataLen};
  const uint64_t end = start + capLen;
  const uint64_t ipHeaderEnd = ipVersion == 4 ? l3 + (d.at(start + l3) & 0x0f) * 4 : l3 + 40;
  const uint64_t l4Start = std::max<uint64_t>(l4 > 0 ? l4 : ipHeaderEnd, l3);  // a decoder's l4 is past l3
  const uint64_t l4Length = l4 > 0 ? transportHeaderLength(d, start + l4, end, proto) : 0;
  const uint64_t copyEnd = std::min(end, start + l4Start + l4Length);
  const uint32_t tags = vlanTags(d, start, linkType, l3);
  const uint64_t l3Offset = 14 + tags * 4;
  std::vector<uint8_t>& b = out->bytes;
  b.assign(l3Offset + (l4Start - l3) + l4Length, 0);
  auto put = [&b](uint64_t i, uint32_t v) {
    if (i < b.size()) b[i] = static_cast<uint8_t>(v);
  };
  // writeEthernet: MACs and tags of an Ethernet capture, else 02:00:<last 4 address bytes>.
  if (linkType == kLinkEthernet && l3 >= 14) {
    for (uint64_t i = 0; i < 12 + tags * 4; i++) put(i, d.at(start + i));
  } else {
    const uint64_t ip = start + l3;
    const uint64_t srcEnd = ipVersion == 4 ? ip + 16 : ip + 24;
    const uint64_t dstEnd = ipVersion == 4 ? ip + 20 : ip + 40;
    put(0, 0x02);
    put(6, 0x02);
    for (uint64_t i = 0; i < 4; i++) {
      put(2 + i, d.at(dstEnd - 4 + i));
      put(8 + i, d.at(srcEnd - 4 + i));
    }
  }
  const uint32_t ethertype = ipVersion == 4 ? 0x0800 : 0x86dd;
  put(12 + tags * 4, ethertype >> 8);
  put(13 + tags * 4, ethertype & 0xff);
  for (uint64_t from = start + l3, to = l3Offset; from < copyEnd; from++, to++) put(to, d.at(from));
  if (ipVersion == 4) {  // fragment fields cleared: the generated packet is whole
    put(l3Offset + 6, (l3Offset + 6 < b.size() ? b[l3Offset + 6] : 0) & 0x40);
    put(l3Offset + 7, 0);
  }
  out->l3Offset = static_cast<uint16_t>(l3Offset);
  out->l4Offset = static_cast<uint16_t>(l3Offset + (l4Start - l3));
}

}  // namespace txcore
