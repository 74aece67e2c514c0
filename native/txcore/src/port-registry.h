// Ports for a run: hot-plugged after EAL start with rte_dev_probe() and removed after the run
// (so net_pcap flushes and closes its file, and several runs work in one process). One TX
// queue per port: the ordered stream the sequence guarantee needs (design.md); one per
// core only when a run asks for per-flow order.
#pragma once

#include <cstdint>
#include <string>

#include "txcore-failure.h"

namespace txcore {

struct PortSpec {
  std::string devargs;  // what rte_dev_probe() takes: "net_null0", "net_pcap0,tx_pcap=F", a PCI address
  std::string name;     // the device name rte_eth_dev_get_port_by_name() knows
  uint16_t txDescriptors = 1024;
  uint16_t txQueues = 1;  // 1 for the global order; one per core for --order flow
};

struct OpenPort {
  uint16_t portId = 0;
  uint16_t txQueues = 0;
  uint16_t txDescriptors = 0;  // as adjusted by the driver
  bool multiSegment = false;   // the driver takes chained mbufs
  bool probedByUs = false;     // removed again at close
  std::string driver;
};

class PortRegistry {
 public:
  // Probes (unless already present), configures one TX queue and starts the port.
  static TxFailure open(const PortSpec& spec, OpenPort* out);
  // Stops, closes and (when we probed it) removes the device. Safe to call once per open.
  static void close(const PortSpec& spec, const OpenPort& port);
};

}  // namespace txcore
