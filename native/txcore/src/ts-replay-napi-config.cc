#include "ts-replay-napi-config.h"

#include <cstdlib>

namespace txcore {
namespace {

struct Fields {
  Napi::Object obj;
  std::string* error;
  bool ok = true;

  double number(const char* key) {
    Napi::Value v = obj.Get(key);
    if (!v.IsNumber()) return fail(key, "a number"), 0;
    return v.As<Napi::Number>().DoubleValue();
  }
  std::string string(const char* key) {
    Napi::Value v = obj.Get(key);
    if (!v.IsString()) return fail(key, "a string"), std::string();
    return v.As<Napi::String>().Utf8Value();
  }
  bool boolean(const char* key) {
    Napi::Value v = obj.Get(key);
    if (!v.IsBoolean()) return fail(key, "a boolean"), false;
    return v.As<Napi::Boolean>().Value();
  }
  Napi::Array array(const char* key) {
    Napi::Value v = obj.Get(key);
    if (!v.IsArray()) return fail(key, "an array"), Napi::Array::New(obj.Env());
    return v.As<Napi::Array>();
  }
  Napi::Object object(const char* key) {
    Napi::Value v = obj.Get(key);
    if (!v.IsObject()) return fail(key, "an object"), Napi::Object::New(obj.Env());
    return v.As<Napi::Object>();
  }
  // `n` bytes given as 2n hex digits.
  void hex(const char* key, uint8_t* out, size_t n) {
    std::string s = string(key);
    if (!ok) return;
    if (s.size() != 2 * n) return fail(key, "hex bytes of the right length");
    for (size_t i = 0; i < n; i++) out[i] = static_cast<uint8_t>(strtoul(s.substr(2 * i, 2).c_str(), nullptr, 16));
  }
  void fail(const char* key, const char* what) {
    if (ok) *error = std::string("config.") + key + " must be " + what;
    ok = false;
  }
};

bool readTuple(Fields&& f, TsFlowTuple* t) {
  f.hex("srcMac", t->srcMac, 6);
  f.hex("dstMac", t->dstMac, 6);
  t->srcIp = static_cast<uint32_t>(f.number("srcIp"));
  t->dstIp = static_cast<uint32_t>(f.number("dstIp"));
  t->srcPort = static_cast<uint16_t>(f.number("srcPort"));
  t->dstPort = static_cast<uint16_t>(f.number("dstPort"));
  return f.ok;
}

bool readFlows(Fields& r, TsFlowConfig* flows, std::string* error) {
  std::string rule = r.string("flowRule");
  if (rule == "port-per-device") flows->rule = TsFlowConfig::kPortPerDevice;
  else if (rule == "single") flows->rule = TsFlowConfig::kSingle;
  else return r.ok && (*error = "config.flowRule is unknown: " + rule, false);
  if (!readTuple(Fields{r.object("base"), error}, &flows->base)) return false;
  Napi::Array mapped = r.array("mappedFlows");
  for (uint32_t i = 0; r.ok && i < mapped.Length(); i++) {
    TsFlowTuple t;
    if (!readTuple(Fields{mapped.Get(i).As<Napi::Object>(), error}, &t)) return false;
    flows->mapped.push_back(t);
  }
  Napi::Array devices = r.array("mappedDevices");
  for (uint32_t i = 0; r.ok && i < devices.Length(); i++) {
    Fields d{devices.Get(i).As<Napi::Object>(), error};
    TsMappedDevice m{};
    d.hex("id", m.id, 16);
    m.flow = static_cast<uint32_t>(d.number("flow"));
    if (!d.ok) return false;
    flows->devices.push_back(m);
  }
  return r.ok;
}

}  // namespace

bool readTsReplayConfig(const Napi::Object& in, RunConfig* run, TsReplayConfig* ts, std::string* error) {
  Fields r{in, error};
  run->port.devargs = r.string("portDevargs");
  run->port.name = r.string("portName");
  run->port.txDescriptors = static_cast<uint16_t>(r.number("txDescriptors"));
  run->ringSlots = static_cast<uint32_t>(r.number("ringSlots"));
  run->burst = static_cast<uint32_t>(r.number("burst"));
  run->lateThresholdNs = static_cast<uint64_t>(r.number("lateThresholdNs"));
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
  if (!r.ok || !readFlows(r, &p.flows, error)) return false;
  if (timing != "timestamps" && timing != "tight-loop") return *error = "config.timing is unknown: " + timing, false;
  ts->paced = !(p.schedule.mode == TsScheduleConfig::kTightLoop && p.schedule.tightLoopNs == 0);
  run->cores = ts->txThreads + ts->oooThreads;
  run->flowOrder = true;  // every TX thread its own ring and TX queue
  run->drainLcore = false;
  run->paced = ts->paced;
  return true;
}

}  // namespace txcore
