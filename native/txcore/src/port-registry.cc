#include "port-registry.h"

#include <rte_bus.h>
#include <rte_dev.h>
#include <rte_ethdev.h>

#include <cerrno>
#include <cstring>

#include "dpdk-log-capture.h"

namespace txcore {
namespace {

TxFailure portFailure(const char* what, const PortSpec& spec, int rc, uint64_t mark) {
  std::string why = DpdkLogCapture::linesSince(mark);
  if (why.empty()) why = strerror(-rc);
  return TxFailure::make(what == nullptr ? stage::kPortConfig : what, -rc,
                         "port '" + spec.devargs + "': " + why);
}

TxFailure configure(const PortSpec& spec, OpenPort* port, uint64_t mark) {
  rte_eth_dev_info info{};
  int rc = rte_eth_dev_info_get(port->portId, &info);
  if (rc != 0) return portFailure(stage::kPortConfig, spec, rc, mark);
  port->driver = info.driver_name == nullptr ? "" : info.driver_name;
  rte_eth_conf conf{};
  port->multiSegment = (info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_MULTI_SEGS) != 0;
  if (port->multiSegment) conf.txmode.offloads |= RTE_ETH_TX_OFFLOAD_MULTI_SEGS;
  if (info.max_tx_queues < spec.txQueues) {
    return TxFailure::make(stage::kPortConfig, ENOTSUP,
                           "port '" + spec.devargs + "' has " + std::to_string(info.max_tx_queues) + " TX queue(s), the run needs " +
                               std::to_string(spec.txQueues) + (spec.txQueues > 1 ? " (one per core for --order flow)" : ""));
  }
  // No RX queue: Memoco only sends (issue 3); drivers here accept 0 RX queues.
  rc = rte_eth_dev_configure(port->portId, 0, spec.txQueues, &conf);
  if (rc != 0) return portFailure(stage::kPortConfig, spec, rc, mark);
  uint16_t rxd = 0, txd = spec.txDescriptors;
  rte_eth_dev_adjust_nb_rx_tx_desc(port->portId, &rxd, &txd);
  rte_eth_txconf txconf = info.default_txconf;
  txconf.offloads = conf.txmode.offloads;
  for (uint16_t q = 0; q < spec.txQueues; q++) {
    rc = rte_eth_tx_queue_setup(port->portId, q, txd, rte_eth_dev_socket_id(port->portId), &txconf);
    if (rc != 0) return portFailure(stage::kPortConfig, spec, rc, mark);
  }
  port->txQueues = spec.txQueues;
  port->txDescriptors = txd;
  rc = rte_eth_dev_start(port->portId);
  if (rc != 0) return portFailure(stage::kPortConfig, spec, rc, mark);
  return {};
}

}  // namespace

TxFailure PortRegistry::open(const PortSpec& spec, OpenPort* out) {
  *out = OpenPort{};
  uint64_t mark = DpdkLogCapture::mark();
  uint16_t id = 0;
  if (rte_eth_dev_get_port_by_name(spec.name.c_str(), &id) != 0) {
    int rc = rte_dev_probe(spec.devargs.c_str());
    if (rc != 0 && rc != -EEXIST) return portFailure(stage::kPortProbe, spec, rc, mark);
    out->probedByUs = rc == 0;
    if (rte_eth_dev_get_port_by_name(spec.name.c_str(), &id) != 0) {
      if (out->probedByUs) rte_eal_hotplug_remove("vdev", spec.name.c_str());
      return TxFailure::make(stage::kPortProbe, ENODEV,
                             "port '" + spec.devargs + "': probed, but no ethdev named '" + spec.name + "' appeared");
    }
  }
  out->portId = id;
  TxFailure failed = configure(spec, out, mark);
  if (failed.failed()) close(spec, *out);
  return failed;
}

void PortRegistry::close(const PortSpec& spec, const OpenPort& port) {
  rte_eth_dev_stop(port.portId);
  rte_eth_dev_close(port.portId);
  if (!port.probedByUs) return;
  // Virtual devices live on the vdev bus; a PCI address names a device on the pci bus.
  if (rte_eal_hotplug_remove("vdev", spec.name.c_str()) == 0) return;
  rte_eal_hotplug_remove("pci", spec.name.c_str());
}

}  // namespace txcore
