#include "trace-parser.h"

#include <algorithm>
#include <cstdio>
#include <cstring>

namespace txcore {
namespace {

constexpr uint32_t kPcapMicro = 0xa1b2c3d4;
constexpr uint32_t kPcapNano = 0xa1b23c4d;
constexpr uint32_t kPcapngShb = 0x0a0d0d0a;
constexpr uint32_t kPcapngBom = 0x1a2b3c4d;
constexpr uint32_t kBlockIdb = 1, kBlockPb = 2, kBlockSpb = 3, kBlockEpb = 6;
constexpr uint16_t kOptEnd = 0, kOptTsresol = 9, kOptTsoffset = 14;

uint32_t load32(const uint8_t* p) {
  uint32_t v;
  memcpy(&v, p, 4);
  return v;
}

std::string num(uint64_t v) { return std::to_string(v); }

}  // namespace

uint32_t TraceParser::rd32(const uint8_t* p) const {
  uint32_t v = load32(p);
  return swapped_ ? __builtin_bswap32(v) : v;
}

uint16_t TraceParser::rd16(const uint8_t* p) const {
  uint16_t v;
  memcpy(&v, p, 2);
  return swapped_ ? __builtin_bswap16(v) : v;
}

bool TraceParser::detect(const uint8_t* p, size_t n, std::string* error) {
  if (n < 4) {
    *error = "file too short for a capture header (" + num(n) + " bytes)";
    return false;
  }
  uint32_t magic = load32(p);
  pcapng_ = magic == kPcapngShb;
  bool pcap = magic == kPcapMicro || magic == kPcapNano || __builtin_bswap32(magic) == kPcapMicro ||
              __builtin_bswap32(magic) == kPcapNano;
  if (!pcapng_ && !pcap) {
    char hex[16];
    snprintf(hex, sizeof hex, "%08x", __builtin_bswap32(magic));
    *error = std::string("not a pcap or pcapng file (first bytes ") + hex + ")";
    return false;
  }
  restart();
  return true;
}

void TraceParser::restart() {
  needHeader_ = true;
  interfaces_.clear();
}

ParseResult TraceParser::next(const uint8_t* p, size_t avail, size_t* consumed, TraceRecord* rec, std::string* error) {
  return pcapng_ ? nextPcapng(p, avail, consumed, rec, error) : nextPcap(p, avail, consumed, rec, error);
}

ParseResult TraceParser::nextPcap(const uint8_t* p, size_t avail, size_t* consumed, TraceRecord* rec, std::string* error) {
  if (needHeader_) {
    if (avail < 24) return ParseResult::kNeedMore;
    uint32_t magic = load32(p);
    swapped_ = magic != kPcapMicro && magic != kPcapNano;
    uint32_t native = swapped_ ? __builtin_bswap32(magic) : magic;
    if (native != kPcapMicro && native != kPcapNano) {
      *error = "bad pcap file header magic";
      return ParseResult::kError;
    }
    nanos_ = native == kPcapNano;
    linkType_ = static_cast<uint16_t>(rd32(p + 20) & 0xffff);  // upper bits carry FCS info
    needHeader_ = false;
    *consumed = 24;
    return ParseResult::kSkip;
  }
  if (avail < 16) return ParseResult::kNeedMore;
  uint32_t caplen = rd32(p + 8);
  if (caplen > kMaxCaplen) {
    *error = "captured length " + num(caplen) + " exceeds " + num(kMaxCaplen);
    return ParseResult::kError;
  }
  if (avail < 16 + static_cast<size_t>(caplen)) return ParseResult::kNeedMore;
  int64_t sec = rd32(p);
  int64_t frac = rd32(p + 4);
  rec->tsNs = sec * 1000000000LL + (nanos_ ? frac : frac * 1000);
  rec->hasTs = true;
  rec->dataOffset = 16;
  rec->caplen = caplen;
  rec->linkType = linkType_;
  *consumed = 16 + caplen;
  return ParseResult::kPacket;
}

ParseResult TraceParser::nextPcapng(const uint8_t* p, size_t avail, size_t* consumed, TraceRecord* rec, std::string* error) {
  if (avail < 12) return ParseResult::kNeedMore;
  uint32_t type = load32(p);
  if (type == kPcapngShb) {
    uint32_t bom = load32(p + 8);
    if (bom != kPcapngBom && __builtin_bswap32(bom) != kPcapngBom) {
      *error = "pcapng section header with a bad byte-order magic";
      return ParseResult::kError;
    }
    swapped_ = bom != kPcapngBom;
    interfaces_.clear();  // interface ids are per section
    needHeader_ = false;
  } else if (needHeader_) {
    *error = "pcapng file does not start with a section header block";
    return ParseResult::kError;
  }
  type = rd32(p);
  uint32_t len = rd32(p + 4);
  if (len < 12 || len % 4 != 0 || len > kMaxBlockBytes) {
    *error = "pcapng block of type " + num(type) + " has an invalid length " + num(len);
    return ParseResult::kError;
  }
  if (avail < len) return ParseResult::kNeedMore;
  if (rd32(p + len - 4) != len) {
    *error = "pcapng block of type " + num(type) + ": trailing length does not match " + num(len);
    return ParseResult::kError;
  }
  *consumed = len;
  if (type == kPcapngShb) return ParseResult::kSkip;
  if (type == kBlockIdb) return readInterface(p, len, error) ? ParseResult::kSkip : ParseResult::kError;
  if (type == kBlockEpb || type == kBlockSpb || type == kBlockPb) return pcapngPacket(type, p, len, rec, error);
  return ParseResult::kSkip;
}

bool TraceParser::readInterface(const uint8_t* p, uint32_t len, std::string* error) {
  if (len < 20) {
    *error = "pcapng interface block too short";
    return false;
  }
  Interface ifc;
  ifc.linkType = rd16(p + 8);
  ifc.snaplen = rd32(p + 12);
  for (uint32_t off = 16; off + 4 <= len - 4;) {
    uint16_t code = rd16(p + off), olen = rd16(p + off + 2);
    if (code == kOptEnd) break;
    if (off + 4 + olen > len - 4) {
      *error = "pcapng interface option runs past its block";
      return false;
    }
    if (code == kOptTsresol && olen >= 1) ifc.tsresol = p[off + 4];
    if (code == kOptTsoffset && olen >= 8) {
      uint64_t v = (static_cast<uint64_t>(rd32(p + off + 4 + (swapped_ ? 0 : 4))) << 32) | rd32(p + off + 4 + (swapped_ ? 4 : 0));
      ifc.tsoffsetSec = static_cast<int64_t>(v);
    }
    off += 4 + ((olen + 3u) & ~3u);
  }
  uint8_t exp = ifc.tsresol & 0x7f;
  if ((ifc.tsresol & 0x80) ? exp > 63 : exp > 19) {
    *error = "pcapng interface has an unsupported if_tsresol " + num(ifc.tsresol);
    return false;
  }
  interfaces_.push_back(ifc);
  return true;
}

int64_t TraceParser::pcapngTime(const Interface& ifc, uint64_t raw) const {
  uint8_t exp = ifc.tsresol & 0x7f;
  __int128 ns;
  if (ifc.tsresol & 0x80) {
    ns = (static_cast<__int128>(raw) * 1000000000) >> exp;
  } else if (exp <= 9) {
    int64_t mul = 1;
    for (int i = exp; i < 9; i++) mul *= 10;
    ns = static_cast<__int128>(raw) * mul;
  } else {
    uint64_t div = 1;
    for (int i = 9; i < exp; i++) div *= 10;
    ns = raw / div;
  }
  return static_cast<int64_t>(ns + static_cast<__int128>(ifc.tsoffsetSec) * 1000000000);
}

ParseResult TraceParser::pcapngPacket(uint32_t type, const uint8_t* p, uint32_t len, TraceRecord* rec, std::string* error) {
  uint32_t ifid = 0, caplen = 0, header = 0;
  uint64_t raw = 0;
  if (type == kBlockSpb) {
    header = 12;
    if (len < 16) { *error = "pcapng simple packet block too short"; return ParseResult::kError; }
    uint32_t origlen = rd32(p + 8);
    caplen = std::min(origlen, len - 16);
  } else {
    header = 28;  // EPB and the obsolete PB share the layout up to the data
    if (len < 32) { *error = "pcapng packet block too short"; return ParseResult::kError; }
    ifid = type == kBlockEpb ? rd32(p + 8) : rd16(p + 8);
    raw = (static_cast<uint64_t>(rd32(p + 12)) << 32) | rd32(p + 16);
    caplen = rd32(p + 20);
    if (caplen > len - 32) {
      *error = "pcapng packet block: captured length " + num(caplen) + " runs past its block";
      return ParseResult::kError;
    }
  }
  if (ifid >= interfaces_.size()) {
    *error = "pcapng packet refers to undefined interface " + num(ifid);
    return ParseResult::kError;
  }
  const Interface& ifc = interfaces_[ifid];
  if (type == kBlockSpb && ifc.snaplen != 0 && caplen > ifc.snaplen) caplen = ifc.snaplen;
  if (caplen > kMaxCaplen) {
    *error = "captured length " + num(caplen) + " exceeds " + num(kMaxCaplen);
    return ParseResult::kError;
  }
  rec->dataOffset = header;
  rec->caplen = caplen;
  rec->linkType = ifc.linkType;
  rec->hasTs = type != kBlockSpb;
  rec->tsNs = rec->hasTs ? pcapngTime(ifc, raw) : 0;
  return ParseResult::kPacket;
}

}  // namespace txcore
