// Just enough decoding to bind a packet's flow to a core and to find where its payload
// starts (for --tag): Ethernet (+802.1Q/802.1ad/QinQ, MPLS), Linux SLL/SLL2, raw IP,
// BSD loopback; IPv4 (fragments), IPv6 (extension headers); TCP/UDP/SCTP/UDP-Lite ports.
// Flows are BIDIRECTIONAL: both directions of a 5-tuple hash alike (issue 3). No DPDK here.
#pragma once

#include <cstdint>

namespace txcore {

struct DecodedPacket {
  uint64_t flowHash = 0;       // bidirectional 5-tuple hash; 0 for non-IP
  bool isIp = false;
  uint32_t payloadOffset = 0;  // first byte after the decoded headers (<= caplen)
};

// Never reads past `caplen`; a packet cut short inside its headers decodes as far as it goes.
void decodePacket(const uint8_t* frame, uint32_t caplen, uint16_t linkType, DecodedPacket* out);

// Lemire's multiply-shift: a hash onto [0, n) without a division.
inline unsigned coreForHash(uint64_t flowHash, unsigned n) {
  return static_cast<unsigned>((static_cast<uint64_t>(static_cast<uint32_t>(flowHash >> 32)) * n) >> 32);
}

}  // namespace txcore
