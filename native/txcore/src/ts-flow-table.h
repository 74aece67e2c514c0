// Multi-flow simulation (paper 2, section V.C.2): each record's Device ID is mapped to a
// flow, a UDP 5-tuple (plus MAC addresses), whose Ethernet/IPv4/UDP header template the TX
// threads copy in front of the record's payload.
// - Devices named in the flow map (--flows map.json) get the map's flows, in map order.
// - Any other device follows the rule: kPortPerDevice gives the n-th such device (in order
//   of first appearance in the archive) the rule's tuple with source port base + n;
//   kSingle puts them all on the rule's one tuple.
// Written only by the worker that holds the push ticket (ts-record-pipeline.h), so there is
// one writer at a time and devices are numbered in file order whatever the worker count;
// a TX thread reads a flow's template only after popping a descriptor pushed after the
// template was written (the queue's release/acquire orders them). DPDK-free.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

namespace txcore {

constexpr uint32_t kTsMaxFlows = 65536;    // flow indices are 16 bits in a descriptor
constexpr uint32_t kTsMaxDevices = 65536;  // distinct devices one replay can tell apart
constexpr uint32_t kTsHeaderTemplateBytes = 42;  // Ethernet 14 + IPv4 20 + UDP 8

struct TsFlowTuple {
  uint8_t srcMac[6] = {0x02, 0, 0, 0, 0, 0x01};
  uint8_t dstMac[6] = {0x02, 0, 0, 0, 0, 0x02};
  uint32_t srcIp = 0x0a000001;  // host order: 10.0.0.1
  uint32_t dstIp = 0x0a000002;
  uint16_t srcPort = 10000;
  uint16_t dstPort = 9000;
};

struct TsMappedDevice {
  uint8_t id[16];
  uint32_t flow;  // index into TsFlowConfig::mapped
};

struct TsFlowConfig {
  enum Rule : uint8_t { kPortPerDevice, kSingle };
  std::vector<TsFlowTuple> mapped;       // the map's flows, flow index = position
  std::vector<TsMappedDevice> devices;   // the map's devices
  Rule rule = kPortPerDevice;
  TsFlowTuple base;                      // the rule's tuple
};

// A flow's header with zero lengths and checksums, and the partial ones'-complement sums
// (16-bit words in memory order, not folded) of the fields that never change.
struct alignas(64) TsFlowTemplate {
  uint8_t header[kTsHeaderTemplateBytes];
  uint32_t ipSum;   // IPv4 header without total length and checksum
  uint32_t udpSum;  // pseudo-header addresses + protocol, and both ports
};

class TsFlowTable {
 public:
  TsFlowTable() = default;
  ~TsFlowTable();
  TsFlowTable(const TsFlowTable&) = delete;
  TsFlowTable& operator=(const TsFlowTable&) = delete;

  // Allocates the tables (untouched pages stay out of the RSS) and the map's flows.
  // False with `error` set on a bad map (a device listed twice, an out-of-range flow).
  bool init(const TsFlowConfig& config, std::string* error);
  // The push-ticket holder: the device and flow of a record's Device ID. False when the
  // archive has more devices, or the rule more flows, than the limits (error set).
  bool assign(const uint8_t* id, uint32_t* device, uint16_t* flow, std::string* error);

  const TsFlowTemplate& flowTemplate(uint16_t flow) const { return templates_[flow]; }
  uint32_t flows() const { return flows_.load(std::memory_order_acquire); }
  uint32_t devices() const { return devices_.load(std::memory_order_acquire); }
  // After the run (or read racily for stats): device `i`'s ID and flow, flow `f`'s tuple.
  const uint8_t* deviceId(uint32_t i) const { return deviceIds_ + static_cast<size_t>(i) * 16; }
  uint16_t deviceFlow(uint32_t i) const { return deviceFlows_[i]; }
  const TsFlowTuple& tuple(uint16_t flow) const { return tuples_[flow]; }

 private:
  // Map devices are entered at init with no device number yet; every device gets its
  // number (and, unless mapped, its rule flow) when it first appears in the archive.
  struct Slot {
    uint8_t id[16];
    uint32_t device;  // index + 1; 0: not seen in the archive yet
    int32_t flow;     // -1: not decided yet
    uint32_t used;
  };
  static constexpr uint32_t kSlots = kTsMaxDevices * 4;  // map + archive devices: load <= 0.5
  Slot* findSlot(const uint8_t* id);
  uint16_t addFlow(const TsFlowTuple& tuple);
  bool ruleFlow(uint16_t* flow, std::string* error);

  TsFlowConfig config_;
  Slot* slots_ = nullptr;
  uint8_t* deviceIds_ = nullptr;
  uint16_t* deviceFlows_ = nullptr;
  TsFlowTemplate* templates_ = nullptr;
  TsFlowTuple* tuples_ = nullptr;
  size_t bytes_ = 0;
  void* arena_ = nullptr;
  uint32_t unmapped_ = 0;  // devices the rule has placed
  int32_t singleFlow_ = -1;
  std::atomic<uint32_t> flows_{0};
  std::atomic<uint32_t> devices_{0};
};

// Ones'-complement sum of `n` bytes as 16-bit words in memory order (not folded); an odd
// last byte counts as the word's first byte. Fold with tsFoldSum.
uint32_t tsRawSum(const uint8_t* p, uint32_t n);
inline uint16_t tsFoldSum(uint64_t sum) {
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(sum);
}
// A 16-bit value in network byte order, as the word it is in memory.
inline uint32_t tsNetWord(uint16_t v) { return static_cast<uint32_t>(__builtin_bswap16(v)); }

}  // namespace txcore
