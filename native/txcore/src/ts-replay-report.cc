// The time-series replay engine's figures: counters for the stats snapshot (read by the JS
// thread while the TX threads run: relaxed loads of single-writer counters) and, after the
// run, the per-flow report (--per-flow) as JSON (TxEngine::detailJson).
#include <cstdio>

#include "ts-record-codec.h"
#include "ts-replay-engine.h"

namespace txcore {
namespace {

void appendJsonString(std::string* out, const uint8_t* p, size_t n) {
  out->push_back('"');
  for (size_t i = 0; i < n; i++) {
    char c = static_cast<char>(p[i]);
    if (c == '"' || c == '\\') out->push_back('\\'), out->push_back(c);
    else if (p[i] < 0x20) {
      char esc[8];
      snprintf(esc, sizeof esc, "\\u%04x", p[i]);
      out->append(esc);
    } else {
      out->push_back(c);
    }
  }
  out->push_back('"');
}

std::string endpoint(uint32_t ip, uint16_t port) {
  char s[32];
  snprintf(s, sizeof s, "%u.%u.%u.%u:%u", ip >> 24, (ip >> 16) & 255, (ip >> 8) & 255, ip & 255, port);
  return s;
}

}  // namespace

std::vector<std::pair<const char*, uint64_t>> TsReplayEngine::figures(bool ended) const {
  uint64_t sent = 0, dropped = 0, oooSent = 0, oooDropped = 0;
  for (unsigned c = 0; c < ctx_.cores; c++) {
    uint64_t s = cores_[c].sent.load(std::memory_order_relaxed), d = cores_[c].dropped.load(std::memory_order_relaxed);
    sent += s, dropped += d;
    if (c >= config_.txThreads) oooSent += s, oooDropped += d;
  }
  (void)ended;
  return {{"records", pipeline_.pushed()},
          {"recordsRead", pipeline_.recordsRead()},
          {"sent", sent},
          {"dropped", dropped},
          {"outOfOrder", pipeline_.pushedOutOfOrder()},
          {"outOfOrderSent", oooSent},
          {"outOfOrderDropped", oooDropped},
          {"flows", pipeline_.flows().flows()},
          {"devices", pipeline_.flows().devices()},
          {"bufferWaits", pipeline_.bufferWaits()},
          {"queueFullWaits", pipeline_.queueFullWaits()},
          {"bufferBytes", pipeline_.bufferBytesTotal()},
          {"pinned", placement_.pinned() ? 1u : 0u},
          {"txPriority", static_cast<uint64_t>(placement_.priority())}};
}

// Per-flow figures as JSON, once the run has ended (--per-flow): the flow's tuple, its
// devices, and what was sent and dropped on it, summed over the TX threads.
std::string TsReplayEngine::detailJson(bool ended) const {
  if (!ended || !config_.perFlow) return {};
  const TsFlowTable& table = pipeline_.flows();
  const uint32_t flows = table.flows(), devices = table.devices();
  std::vector<std::vector<uint32_t>> members(flows);
  for (uint32_t i = 0; i < devices; i++) members[table.deviceFlow(i)].push_back(i);
  std::string out = "{\"flows\":[";
  for (uint32_t f = 0; f < flows; f++) {
    uint64_t sent = 0, dropped = 0;
    for (unsigned c = 0; c < ctx_.cores; c++) sent += cores_[c].flows[f].sent, dropped += cores_[c].flows[f].dropped;
    const TsFlowTuple& t = table.tuple(static_cast<uint16_t>(f));
    out += (f > 0 ? ",{\"flow\":" : "{\"flow\":") + std::to_string(f) + ",\"src\":\"" + endpoint(t.srcIp, t.srcPort) + "\",\"dst\":\"" +
           endpoint(t.dstIp, t.dstPort) + "\",\"sent\":" + std::to_string(sent) + ",\"dropped\":" + std::to_string(dropped) + ",\"devices\":[";
    for (size_t k = 0; k < members[f].size(); k++) {
      if (k > 0) out += ',';
      const uint8_t* id = table.deviceId(members[f][k]);
      size_t n = kTsDeviceBytes;
      while (n > 0 && id[n - 1] == 0) n--;
      appendJsonString(&out, id, n);
    }
    out += "]}";
  }
  return out + "]}";
}

}  // namespace txcore
