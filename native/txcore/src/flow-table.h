// Numbers flows for --tag: a dense flow id in order of first appearance and a per-flow
// sequence that continues across loops (tag-format.ts). Open addressing on the 64-bit
// bidirectional flow hash; memory grows with the number of distinct flows (24 B x 2 per
// flow at most), never with the number of packets. Used by the reader thread only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace txcore {

class FlowTable {
 public:
  static constexpr uint32_t kNonIpFlowId = 0xffffffffu;  // TAG_NON_IP_FLOW_ID in tag-format.ts

  FlowTable();
  // The flow's id and the packet's position within it (then advances the flow's counter).
  void next(bool isIp, uint64_t flowHash, uint32_t* flowId, uint64_t* flowSeq);
  uint32_t flows() const { return used_; }

 private:
  struct Entry {
    uint64_t hash = 0;  // 0 = empty (decodePacket never yields 0 for IP)
    uint64_t nextSeq = 0;
    uint32_t id = 0;
  };
  void grow();
  std::vector<Entry> entries_;
  uint32_t used_ = 0;
  uint64_t nonIpSeq_ = 0;
};

}  // namespace txcore
