// A record becomes the payload of a UDP datagram behind its flow's Ethernet/IPv4/UDP
// header template (paper 2, section IV.B "Header Formation", V.C.2). The payload is the
// record's Data field by default (the paper: Data "will be blindly copied into the packet
// buffer"; its record sizes, 4..1472 B, are payload sizes), or the whole record, header
// included, with --payload record (for receivers that want the timestamp and device ID).
// Lengths and both checksums are filled per frame from the template's partial sums; a UDP
// checksum that folds to 0 is sent as 0xFFFF (RFC 768).
// A datagram over the Ethernet MTU (payload > 1472 B) is sent as IPv4 fragments of 1480
// bytes (the paper's IP Fragmentation, IV.B), each with the datagram's IP ID and the UDP
// checksum of the whole datagram in the first. The hot path never allocates: the caller
// hands in the mbufs.
#pragma once

#include <rte_mbuf.h>
#include <rte_memcpy.h>

#include <algorithm>
#include <cstring>

#include "ts-flow-table.h"

namespace txcore {

constexpr uint32_t kTsMaxUnfragmentedPayload = 1472;  // 1500 - 20 - 8
constexpr uint32_t kTsFragmentBytes = 1480;           // IP payload per fragment (a multiple of 8)

// Frames a payload of `len` bytes needs.
inline uint32_t tsFramesFor(uint32_t len) {
  return len <= kTsMaxUnfragmentedPayload ? 1 : (len + 8 + kTsFragmentBytes - 1) / kTsFragmentBytes;
}

namespace tsframe {

inline void put16(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v >> 8);
  p[1] = static_cast<uint8_t>(v);
}

inline void putSum(uint8_t* p, uint16_t folded) {
  uint16_t c = static_cast<uint16_t>(~folded);
  memcpy(p, &c, 2);  // memory-order word: the sums are over memory-order words
}

inline uint16_t udpChecksum(const TsFlowTemplate& t, uint16_t udpLen, uint32_t payloadSum) {
  uint16_t c = static_cast<uint16_t>(~tsFoldSum(static_cast<uint64_t>(t.udpSum) + 2ull * tsNetWord(udpLen) + payloadSum));
  return c == 0 ? 0xffff : c;
}

}  // namespace tsframe

// One frame: header + payload, lengths and checksums. `m` has room for 42 + len <= 1514.
inline void tsBuildFrame(rte_mbuf* m, const TsFlowTemplate& t, const uint8_t* payload, uint32_t len) {
  uint8_t* f = rte_pktmbuf_mtod(m, uint8_t*);
  memcpy(f, t.header, kTsHeaderTemplateBytes);
  rte_memcpy(f + kTsHeaderTemplateBytes, payload, len);
  const uint16_t ipLen = static_cast<uint16_t>(28 + len), udpLen = static_cast<uint16_t>(8 + len);
  tsframe::put16(f + 16, ipLen);
  tsframe::put16(f + 38, udpLen);
  tsframe::putSum(f + 24, tsFoldSum(static_cast<uint64_t>(t.ipSum) + tsNetWord(ipLen)));
  uint16_t udp = tsframe::udpChecksum(t, udpLen, tsRawSum(f + kTsHeaderTemplateBytes, len));
  memcpy(f + 40, &udp, 2);
  m->data_len = static_cast<uint16_t>(kTsHeaderTemplateBytes + len);
  m->pkt_len = m->data_len;
}

// tsFramesFor(len) fragments into mbufs[0..]: fragment i carries IP payload bytes
// [i x 1480, ...) of the datagram (UDP header + payload). Cold path (records > 1472 B).
__attribute__((noinline, cold)) inline void tsBuildFragments(rte_mbuf** mbufs, const TsFlowTemplate& t, const uint8_t* payload, uint32_t len,
                                                             uint16_t ipId) {
  const uint32_t frames = tsFramesFor(len), datagram = 8 + len;
  const uint16_t udpLen = static_cast<uint16_t>(datagram);
  for (uint32_t i = 0; i < frames; i++) {
    uint8_t* f = rte_pktmbuf_mtod(mbufs[i], uint8_t*);
    memcpy(f, t.header, 34);
    const uint32_t from = i * kTsFragmentBytes, n = std::min(kTsFragmentBytes, datagram - from);
    uint8_t* ip = f + 14;
    tsframe::put16(ip + 2, static_cast<uint16_t>(20 + n));
    tsframe::put16(ip + 4, ipId);
    tsframe::put16(ip + 6, static_cast<uint16_t>((i + 1 < frames ? 0x2000 : 0) | from / 8));  // MF | offset; no DF
    ip[10] = ip[11] = 0;
    tsframe::putSum(ip + 10, static_cast<uint16_t>(tsRawSum(ip, 20)));
    if (i == 0) {
      memcpy(f + 34, t.header + 34, 4);
      tsframe::put16(f + 38, udpLen);
      uint16_t udp = tsframe::udpChecksum(t, udpLen, tsRawSum(payload, len));
      memcpy(f + 40, &udp, 2);
      rte_memcpy(f + 42, payload, n - 8);
    } else {
      rte_memcpy(f + 34, payload + from - 8, n);
    }
    mbufs[i]->data_len = static_cast<uint16_t>(34 + n);
    mbufs[i]->pkt_len = mbufs[i]->data_len;
  }
}

}  // namespace txcore
