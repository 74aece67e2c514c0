#include "ts-replay-napi-config.h"

#include "napi-config.h"

namespace txcore {
namespace {

bool readTuple(FieldReader&& f, TsFlowTuple* t) {
  f.hex("srcMac", t->srcMac, 6);
  f.hex("dstMac", t->dstMac, 6);
  t->srcIp = static_cast<uint32_t>(f.number("srcIp"));
  t->dstIp = static_cast<uint32_t>(f.number("dstIp"));
  t->srcPort = static_cast<uint16_t>(f.number("srcPort"));
  t->dstPort = static_cast<uint16_t>(f.number("dstPort"));
  return f.ok();
}

bool readFlows(FieldReader& r, TsFlowConfig* flows, std::string* error) {
  std::string rule = r.string("flowRule");
  if (rule == "port-per-device") flows->rule = TsFlowConfig::kPortPerDevice;
  else if (rule == "single") flows->rule = TsFlowConfig::kSingle;
  else return r.ok() && (*error = "config.flowRule is unknown: " + rule, false);
  if (!readTuple(r.nested(r.object("base"), "base"), &flows->base)) return false;
  Napi::Array mapped = r.array("mappedFlows");
  for (uint32_t i = 0; r.ok() && i < mapped.Length(); i++) {
    TsFlowTuple t;
    if (!readTuple(r.nested(mapped.Get(i).As<Napi::Object>(), "mappedFlows[" + std::to_string(i) + "]"), &t)) return false;
    flows->mapped.push_back(t);
  }
  Napi::Array devices = r.array("mappedDevices");
  for (uint32_t i = 0; r.ok() && i < devices.Length(); i++) {
    FieldReader d = r.nested(devices.Get(i).As<Napi::Object>(), "mappedDevices[" + std::to_string(i) + "]");
    TsMappedDevice m{};
    d.hex("id", m.id, 16);
    m.flow = static_cast<uint32_t>(d.number("flow"));
    if (!d.ok()) return false;
    flows->devices.push_back(m);
  }
  return r.ok();
}

}  // namespace

bool readTsReplayConfig(const Napi::Object& in, RunConfig* run, TsReplayConfig* ts, std::string* error) {
  error->clear();  // the caller's text is for arguments that are not objects
  FieldReader r{in, error};
  readPortAndRing(r, run);
  TsPipelineConfig& p = ts->pipeline;
  p.path = r.string("archivePath");
  p.bufferBytes = static_cast<size_t>(r.number("bufferBytes"));
  p.workers = static_cast<unsigned>(r.number("workers"));
  p.queueSlots = static_cast<uint32_t>(r.number("queueSlots"));
  std::string timing = r.string("timing");
  p.schedule.mode = timing == "tight-loop" ? TsScheduleConfig::kTightLoop : TsScheduleConfig::kTimestamps;
  p.schedule.fastForward = r.number("fastForward");
  p.schedule.tightLoopNs = static_cast<uint64_t>(r.number("tightLoopNs"));
  p.schedule.oooProbability = r.number("oooProbability");
  p.schedule.oooWindowUs = static_cast<uint32_t>(r.number("oooWindowUs"));
  p.schedule.seed = static_cast<uint64_t>(r.number("seed"));
  ts->txThreads = static_cast<unsigned>(r.number("tx"));
  ts->oooThreads = static_cast<unsigned>(r.number("oooThreads"));
  ts->driftUs = static_cast<int64_t>(r.number("driftUs"));
  ts->payloadRecord = r.string("payload") == "record";
  ts->perFlow = r.boolean("perFlow");
  ts->leadUs = static_cast<uint32_t>(r.number("leadUs"));
  std::string priority = r.string("txPriority");
  ts->priority = priority == "realtime" ? TsThreadPlacement::kRealtime : priority == "nice" ? TsThreadPlacement::kNice : TsThreadPlacement::kAuto;
  if (!r.ok() || !readFlows(r, &p.flows, error)) return false;
  if (timing != "timestamps" && timing != "tight-loop") return *error = "config.timing is unknown: " + timing, false;
  ts->paced = !(p.schedule.mode == TsScheduleConfig::kTightLoop && p.schedule.tightLoopNs == 0);
  run->cores = ts->txThreads + ts->oooThreads;
  run->flowOrder = true;  // every TX thread its own ring and TX queue
  run->drainLcore = false;
  run->paced = ts->paced;
  return true;
}

}  // namespace txcore
