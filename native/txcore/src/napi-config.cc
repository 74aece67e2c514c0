#include "napi-config.h"

namespace txcore {
// The port, the sequence ring and lateness: every engine's.
void readPortAndRing(FieldReader& r, RunConfig* run) {
  run->port.devargs = r.string("portDevargs");
  run->port.name = r.string("portName");
  run->port.txDescriptors = static_cast<uint16_t>(r.number("txDescriptors"));
  run->ringSlots = static_cast<uint32_t>(r.number("ringSlots"));
  run->burst = static_cast<uint32_t>(r.number("burst"));
  run->lateThresholdNs = static_cast<uint64_t>(r.number("lateThresholdNs"));
}

bool readPacing(const std::string& mode, double value, PacingConfig* out, std::string* error) {
  if (mode == "topspeed") out->mode = PacingConfig::kTopspeed;
  else if (mode == "speed") out->mode = PacingConfig::kSpeed;
  else if (mode == "pps") out->mode = PacingConfig::kPps;
  else if (mode == "mbps") out->mode = PacingConfig::kMbps;
  else return *error = "config.pacingMode is unknown: " + mode, false;
  if (out->mode != PacingConfig::kTopspeed && !(value > 0)) return *error = "config.pacingValue must be > 0", false;
  out->value = value;
  return true;
}

bool readRunConfig(const Napi::Object& in, RunConfig* run, ExactReplayConfig* replay, std::string* error) {
  error->clear();  // the caller's text is for arguments that are not objects
  FieldReader r{in, error};
  readPortAndRing(r, run);
  run->cores = static_cast<unsigned>(r.number("cores"));
  run->drainLcore = r.string("drain") == "lcore";
  run->flowOrder = r.string("order") == "flow";
  replay->stream.path = r.string("tracePath");
  replay->stream.bufferBytes = static_cast<size_t>(r.number("bufferBytes"));
  replay->stream.loops = static_cast<unsigned>(r.number("loops"));
  const double maxPackets = r.number("maxPackets");
  replay->stream.maxPackets = maxPackets > 0 ? static_cast<uint64_t>(maxPackets) : UINT64_MAX;  // 0: no limit
  replay->stream.tag = r.boolean("tag");
  replay->leadUs = static_cast<uint32_t>(r.number("leadUs"));
  std::string mode = r.string("pacingMode");
  double value = r.number("pacingValue");
  if (!r.ok()) return false;
  if (!readPacing(mode, value, &replay->stream.pacing, error)) return false;
  run->paced = replay->stream.pacing.mode != PacingConfig::kTopspeed;
  replay->stream.cores = run->cores;
  return true;
}

Napi::Value failureValue(Napi::Env env, const TxFailure& failure) {
  if (!failure.failed()) return env.Null();
  Napi::Object out = Napi::Object::New(env);
  out.Set("stage", failure.stage);
  out.Set("errno", failure.errnum);
  out.Set("message", failure.message);
  if (failure.offset >= 0) out.Set("offset", static_cast<double>(failure.offset));
  if (failure.record >= 0) out.Set("record", static_cast<double>(failure.record));
  return out;
}

Napi::Object snapshotValue(Napi::Env env, const RunSnapshot& s) {
  Napi::Object out = Napi::Object::New(env);
  Napi::Array cores = Napi::Array::New(env, s.cores.size());
  for (size_t i = 0; i < s.cores.size(); i++) {
    const CoreSnapshot& c = s.cores[i];
    Napi::Object o = Napi::Object::New(env);
    o.Set("core", static_cast<double>(i));
    o.Set("packets", static_cast<double>(c.packets));
    o.Set("bytes", static_cast<double>(c.bytes));
    o.Set("late", static_cast<double>(c.late));
    o.Set("built", static_cast<double>(c.built));
    o.Set("blocks", static_cast<double>(c.blocks));
    o.Set("ringStalls", static_cast<double>(c.ringStalls));
    o.Set("poolStalls", static_cast<double>(c.poolStalls));
    o.Set("directBlocks", static_cast<double>(c.directBlocks));
    cores.Set(static_cast<uint32_t>(i), o);
  }
  out.Set("cores", cores);
  Napi::Array lateness = Napi::Array::New(env, s.lateness.size());
  for (size_t i = 0; i < s.lateness.size(); i++) {
    Napi::Array pair = Napi::Array::New(env, 2);
    pair.Set(0u, static_cast<double>(s.lateness[i].first));
    pair.Set(1u, static_cast<double>(s.lateness[i].second));
    lateness.Set(static_cast<uint32_t>(i), pair);
  }
  out.Set("lateness", lateness);
  out.Set("latenessMaxNs", static_cast<double>(s.latenessMaxNs));
  out.Set("seconds", s.seconds);
  out.Set("running", s.running);
  if (s.mbufsOutstanding >= 0) out.Set("mbufsOutstanding", static_cast<double>(s.mbufsOutstanding));
  Napi::Object figures = Napi::Object::New(env);
  for (const auto& [name, value] : s.figures) figures.Set(name, static_cast<double>(value));
  out.Set("figures", figures);
  if (!s.detailJson.empty()) out.Set("detail", s.detailJson);
  return out;
}

}  // namespace txcore
