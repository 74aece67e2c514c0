// A flow direction's header template, captured from a packet's bytes: the native twin of
// libs/flow-model's captureTemplate (header-template.ts), byte for byte. Reads past the end of
// the batch's bytes give 0, as a Uint8Array's undefined does there; writes past the template
// are dropped, as a Uint8Array ignores them. DPDK-free.
#pragma once

#include <cstdint>
#include <vector>

namespace txcore {

struct TrainTemplate {
  std::vector<uint8_t> bytes;
  uint16_t l3Offset = 0, l4Offset = 0;
};

// The packet's captured bytes are data[start, start + capLen) of a buffer of dataLen bytes;
// its innermost IP header is at l3 and its transport header at l4 (0: none), from `start`.
void captureTrainTemplate(const uint8_t* data, uint64_t dataLen, uint64_t start, uint32_t capLen, uint16_t linkType, uint32_t ipVersion,
                          uint32_t proto, uint32_t l3, uint32_t l4, TrainTemplate* out);

}  // namespace txcore
