#include "ts-flow-table.h"

#include <sys/mman.h>

#include <cstring>

namespace txcore {
namespace {

size_t pageAlign(size_t v) { return (v + 4095) / 4096 * 4096; }

uint64_t hashId(const uint8_t* id) {
  uint64_t a, b;
  memcpy(&a, id, 8);
  memcpy(&b, id + 8, 8);
  uint64_t h = a * 0x9E3779B97F4A7C15ull ^ (b + 0x632BE59BD9B4E019ull) * 0xC2B2AE3D27D4EB4Full;
  return h ^ (h >> 31);
}

void putNet16(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v >> 8);
  p[1] = static_cast<uint8_t>(v);
}

void putNet32(uint8_t* p, uint32_t v) {
  putNet16(p, static_cast<uint16_t>(v >> 16));
  putNet16(p + 2, static_cast<uint16_t>(v));
}

// Ethernet | IPv4 (no options, DF, TTL 64, UDP) | UDP, lengths and checksums zero.
void buildTemplate(const TsFlowTuple& t, TsFlowTemplate* out) {
  uint8_t* h = out->header;
  memset(h, 0, kTsHeaderTemplateBytes);
  memcpy(h, t.dstMac, 6);
  memcpy(h + 6, t.srcMac, 6);
  h[12] = 0x08;
  uint8_t* ip = h + 14;
  ip[0] = 0x45;
  ip[6] = 0x40;  // DF: records are never fragmented by routers on the way
  ip[8] = 64;
  ip[9] = 17;
  putNet32(ip + 12, t.srcIp);
  putNet32(ip + 16, t.dstIp);
  uint8_t* udp = h + 34;
  putNet16(udp, t.srcPort);
  putNet16(udp + 2, t.dstPort);
  out->ipSum = tsRawSum(ip, 20);
  uint8_t pseudo[12] = {};
  memcpy(pseudo, ip + 12, 8);
  pseudo[9] = 17;
  memcpy(pseudo + 10, udp, 2);  // the source port: one more word, so one call covers it
  out->udpSum = tsFoldSum(static_cast<uint64_t>(tsRawSum(pseudo, 12)) + tsRawSum(udp + 2, 2));
}

}  // namespace

uint32_t tsRawSum(const uint8_t* p, uint32_t n) {
  uint64_t sum = 0;
  uint32_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint32_t a, b;
    memcpy(&a, p + i, 4);
    memcpy(&b, p + i + 4, 4);
    sum += static_cast<uint64_t>(a) + b;
  }
  for (; i + 2 <= n; i += 2) {
    uint16_t w;
    memcpy(&w, p + i, 2);
    sum += w;
  }
  if (i < n) {
    uint8_t tail[2] = {p[i], 0};
    uint16_t w;
    memcpy(&w, tail, 2);
    sum += w;
  }
  return tsFoldSum(sum);
}

TsFlowTable::~TsFlowTable() {
  if (arena_ != nullptr) munmap(arena_, bytes_);
}

bool TsFlowTable::init(const TsFlowConfig& config, std::string* error) {
  config_ = config;
  const size_t slots = pageAlign(sizeof(Slot) * kSlots), ids = pageAlign(16ull * kTsMaxDevices),
               devFlows = pageAlign(2ull * kTsMaxDevices), templates = pageAlign(sizeof(TsFlowTemplate) * kTsMaxFlows),
               tuples = pageAlign(sizeof(TsFlowTuple) * kTsMaxFlows);
  bytes_ = slots + ids + devFlows + templates + tuples;
  void* p = mmap(nullptr, bytes_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) return *error = "cannot allocate the flow tables", arena_ = nullptr, false;
  arena_ = p;
  uint8_t* at = static_cast<uint8_t*>(p);
  slots_ = reinterpret_cast<Slot*>(at), at += slots;
  deviceIds_ = at, at += ids;
  deviceFlows_ = reinterpret_cast<uint16_t*>(at), at += devFlows;
  templates_ = reinterpret_cast<TsFlowTemplate*>(at), at += templates;
  tuples_ = reinterpret_cast<TsFlowTuple*>(at);
  if (config.mapped.size() > kTsMaxFlows || config.devices.size() > kTsMaxDevices) {
    return *error = "the flow map has more than " + std::to_string(kTsMaxFlows) + " flows or devices", false;
  }
  for (const TsFlowTuple& t : config.mapped) addFlow(t);
  for (const TsMappedDevice& d : config.devices) {
    Slot* s = findSlot(d.id);
    if (s->used != 0) return *error = "the flow map lists a device twice", false;
    if (d.flow >= config.mapped.size()) return *error = "the flow map names a flow it does not define", false;
    memcpy(s->id, d.id, 16);
    s->used = 1;
    s->device = 0;
    s->flow = static_cast<int32_t>(d.flow);
  }
  return true;
}

TsFlowTable::Slot* TsFlowTable::findSlot(const uint8_t* id) {
  for (uint32_t i = static_cast<uint32_t>(hashId(id)) & (kSlots - 1);; i = (i + 1) & (kSlots - 1)) {
    Slot* s = &slots_[i];
    if (s->used == 0 || memcmp(s->id, id, 16) == 0) return s;
  }
}

uint16_t TsFlowTable::addFlow(const TsFlowTuple& tuple) {
  uint32_t f = flows_.load(std::memory_order_relaxed);
  tuples_[f] = tuple;
  buildTemplate(tuple, &templates_[f]);
  flows_.store(f + 1, std::memory_order_release);
  return static_cast<uint16_t>(f);
}

bool TsFlowTable::ruleFlow(uint16_t* flow, std::string* error) {
  if (config_.rule == TsFlowConfig::kSingle && singleFlow_ >= 0) return *flow = static_cast<uint16_t>(singleFlow_), true;
  if (flows_.load(std::memory_order_relaxed) >= kTsMaxFlows) {
    return *error = "more than " + std::to_string(kTsMaxFlows) + " flows: map devices onto shared flows with --flows, or use --flow-rule single", false;
  }
  TsFlowTuple t = config_.base;
  if (config_.rule == TsFlowConfig::kPortPerDevice) {
    uint32_t port = static_cast<uint32_t>(config_.base.srcPort) + unmapped_;
    if (port > 65535) {
      return *error = "the port-per-device rule ran out of source ports at the " + std::to_string(unmapped_ + 1) +
                      "th unmapped device (base port " + std::to_string(config_.base.srcPort) +
                      "): give a lower --src port, map devices with --flows, or use --flow-rule single",
             false;
    }
    t.srcPort = static_cast<uint16_t>(port);
  }
  unmapped_++;
  *flow = addFlow(t);
  if (config_.rule == TsFlowConfig::kSingle) singleFlow_ = *flow;
  return true;
}

bool TsFlowTable::assign(const uint8_t* id, uint32_t* device, uint16_t* flow, std::string* error) {
  Slot* s = findSlot(id);
  if (s->used == 0) {
    memcpy(s->id, id, 16);
    s->used = 1;
    s->flow = -1;
  }
  if (s->device == 0) {
    uint32_t index = devices_.load(std::memory_order_relaxed);
    if (index >= kTsMaxDevices) return *error = "the archive has more than " + std::to_string(kTsMaxDevices) + " distinct devices", false;
    if (s->flow < 0) {
      uint16_t f = 0;
      if (!ruleFlow(&f, error)) return false;
      s->flow = f;
    }
    memcpy(deviceIds_ + static_cast<size_t>(index) * 16, id, 16);
    deviceFlows_[index] = static_cast<uint16_t>(s->flow);
    s->device = index + 1;
    devices_.store(index + 1, std::memory_order_release);
  }
  *device = s->device - 1;
  *flow = static_cast<uint16_t>(s->flow);
  return true;
}

}  // namespace txcore
