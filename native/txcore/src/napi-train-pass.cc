#include "napi-train-pass.h"

#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "train-fit.h"
#include "train-pass-worker.h"
#include "train-rows.h"

namespace txcore {
namespace {

// A typed array's elements; false (and a TypeError thrown) when `key` is not one of T of at least `count`.
template <typename T>
bool column(const Napi::Object& batch, const char* key, napi_typedarray_type type, uint32_t count, const T** out) {
  Napi::Value v = batch.Get(key);
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != type || v.As<Napi::TypedArray>().ElementLength() < count) {
    Napi::TypeError::New(batch.Env(), std::string("TrainPass.addBatch: batch.") + key + " must be a typed array of the reader's type, at least count long")
        .ThrowAsJavaScriptException();
    return false;
  }
  *out = v.As<Napi::TypedArrayOf<T>>().Data();
  return true;
}

template <typename ArrayT, typename Vector>
ArrayT copied(Napi::Env env, const Vector& values) {
  ArrayT out = ArrayT::New(env, values.size());
  if (!values.empty()) memcpy(out.Data(), values.data(), values.size() * sizeof(values[0]));
  return out;
}

Napi::Object countersValue(Napi::Env env, const TrainCounters& c) {
  Napi::Object out = Napi::Object::New(env);
  out.Set("used", c.used);
  out.Set("keys", copied<Napi::Int32Array>(env, c.keys));
  out.Set("counts", copied<Napi::Float64Array>(env, c.counts));
  out.Set("sizes", copied<Napi::Uint8Array>(env, c.sizes));
  return out;
}

// The flows' histograms flattened: flow id's keys and values are [offset[id], offset[id + 1]).
void setHistograms(Napi::Env env, const TrainPass& pass, Napi::Object* out) {
  const uint32_t n = pass.capacity;
  Napi::Float64Array anchor = Napi::Float64Array::New(env, n);
  Napi::Uint32Array shift = Napi::Uint32Array::New(env, n);
  Napi::Uint32Array offset = Napi::Uint32Array::New(env, size_t{n} + 1);
  size_t total = 0;
  for (uint32_t id = 0; id < n; id++) total += pass.histograms[id].keys.size();
  Napi::Uint32Array keys = Napi::Uint32Array::New(env, total);
  Napi::Float64Array values = Napi::Float64Array::New(env, total);
  size_t at = 0;
  for (uint32_t id = 0; id < n; id++) {
    const TrainHistogram& h = pass.histograms[id];
    anchor[id] = h.anchor;
    shift[id] = h.shift;
    offset[id] = static_cast<uint32_t>(at);
    if (!h.keys.empty()) {
      memcpy(keys.Data() + at, h.keys.data(), h.keys.size() * sizeof(uint32_t));
      memcpy(values.Data() + at, h.values.data(), h.values.size() * sizeof(double));
    }
    at += h.keys.size();
  }
  offset[n] = static_cast<uint32_t>(at);
  out->Set("histAnchor", anchor);
  out->Set("histShift", shift);
  out->Set("histOffset", offset);
  out->Set("histKeys", keys);
  out->Set("histValues", values);
}

// Header templates flattened, n of them (template(i): nullptr or empty bytes for none): the
// i-th's bytes are tplBytes[tplOffset[i], tplOffset[i + 1]).
template <typename TemplateAt>
void setTemplates(Napi::Env env, size_t n, TemplateAt templateAt, Napi::Object* out) {
  Napi::Uint32Array offset = Napi::Uint32Array::New(env, n + 1);
  Napi::Uint16Array l3 = Napi::Uint16Array::New(env, n);
  Napi::Uint16Array l4 = Napi::Uint16Array::New(env, n);
  size_t total = 0;
  for (size_t i = 0; i < n; i++) total += templateAt(i) ? templateAt(i)->bytes.size() : 0;
  Napi::Uint8Array bytes = Napi::Uint8Array::New(env, total);
  size_t at = 0;
  for (size_t i = 0; i < n; i++) {
    const TrainTemplate* t = templateAt(i);
    offset[i] = static_cast<uint32_t>(at);
    l3[i] = t ? t->l3Offset : 0;
    l4[i] = t ? t->l4Offset : 0;
    if (t && !t->bytes.empty()) memcpy(bytes.Data() + at, t->bytes.data(), t->bytes.size());
    at += t ? t->bytes.size() : 0;
  }
  offset[n] = static_cast<uint32_t>(at);
  out->Set("tplOffset", offset);
  out->Set("tplBytes", bytes);
  out->Set("tplL3", l3);
  out->Set("tplL4", l4);
}

// A TrainRowSet as row-set.ts RowSet's fields (RowSet.adopt takes them as they are), with
// each direction's template (tpl*, per direction) in place of its slot in the pass.
Napi::Object rowSetValue(Napi::Env env, const TrainRowSet& r, const std::vector<TrainTemplate>& templates) {
  Napi::Object out = Napi::Object::New(env);
  out.Set("count", r.count);
  out.Set("capacity", r.count);
  out.Set("kind", copied<Napi::Uint8Array>(env, r.kind));
  out.Set("ipVersion", copied<Napi::Uint8Array>(env, r.ipVersion));
  out.Set("proto", copied<Napi::Uint8Array>(env, r.proto));
  out.Set("startBin", copied<Napi::Float64Array>(env, r.startBin));
  out.Set("lastBin", copied<Napi::Float64Array>(env, r.lastBin));
  out.Set("packets", copied<Napi::Float64Array>(env, r.packets));
  out.Set("reverse", copied<Napi::Float64Array>(env, r.reverse));
  out.Set("startNs", copied<Napi::Float64Array>(env, r.startNs));
  out.Set("endNs", copied<Napi::Float64Array>(env, r.endNs));
  out.Set("members", copied<Napi::Float64Array>(env, r.members));
  out.Set("concurrency", copied<Napi::Float32Array>(env, r.concurrency));
  setTemplates(env, r.templateSlot.size(), [&](size_t s) { return r.templateSlot[s] < 0 ? nullptr : &templates[static_cast<size_t>(r.templateSlot[s])]; }, &out);
  out.Set("headerLength", copied<Napi::Int32Array>(env, r.headerLength));
  out.Set("headerTotal", r.headerTotal);
  out.Set("firstFlags", copied<Napi::Uint8Array>(env, r.firstFlags));
  out.Set("lastFlags", copied<Napi::Uint8Array>(env, r.lastFlags));
  out.Set("sizeOffset", copied<Napi::Uint32Array>(env, r.sizeOffset));
  out.Set("flagOffset", copied<Napi::Uint32Array>(env, r.flagOffset));
  out.Set("gapOffset", copied<Napi::Uint32Array>(env, r.gapOffset));
  out.Set("memberSizeOffset", copied<Napi::Uint32Array>(env, r.memberSizeOffset));
  out.Set("keyAt", copied<Napi::Uint32Array>(env, r.keyAt));
  out.Set("histShift", copied<Napi::Int32Array>(env, r.histShift));
  out.Set("histLength", copied<Napi::Int32Array>(env, r.histLength));
  out.Set("sizeLo", copied<Napi::Uint16Array>(env, r.sizeLo));
  out.Set("sizeSpan", copied<Napi::Uint16Array>(env, r.sizeSpan));
  out.Set("sizeWeight", copied<Napi::Uint32Array>(env, r.sizeWeight));
  out.Set("sizes", static_cast<double>(r.sizeLo.size()));
  out.Set("flagValue", copied<Napi::Uint8Array>(env, r.flagValue));
  out.Set("flagWeight", copied<Napi::Uint32Array>(env, r.flagWeight));
  out.Set("flags", static_cast<double>(r.flagValue.size()));
  out.Set("gapBucket", copied<Napi::Uint8Array>(env, r.gapBucket));
  out.Set("gapWeight", copied<Napi::Uint32Array>(env, r.gapWeight));
  out.Set("gaps", static_cast<double>(r.gapBucket.size()));
  out.Set("memberSizeBucket", copied<Napi::Uint8Array>(env, r.memberSizeBucket));
  out.Set("memberSizeWeight", copied<Napi::Uint32Array>(env, r.memberSizeWeight));
  out.Set("memberSizes", static_cast<double>(r.memberSizeBucket.size()));
  out.Set("histKeys", copied<Napi::Int32Array>(env, r.histKeys));
  out.Set("histValues", copied<Napi::Float64Array>(env, r.histValues));
  out.Set("keys", static_cast<double>(r.histKeys.size()));
  return out;
}

class TrainPassWrap : public Napi::ObjectWrap<TrainPassWrap> {
 public:
  static Napi::Function define(Napi::Env env) {
    return DefineClass(env, "TrainPass", {InstanceMethod<&TrainPassWrap::addBatch>("addBatch"), InstanceMethod<&TrainPassWrap::settle>("settle"),
                                              InstanceMethod<&TrainPassWrap::state>("state"), InstanceMethod<&TrainPassWrap::draftRows>("draftRows"), InstanceMethod<&TrainPassWrap::close>("close")});
  }

  explicit TrainPassWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<TrainPassWrap>(info) {
    for (size_t i = 0; i < 4; i++) {
      if (!info[i].IsNumber()) {
        Napi::TypeError::New(info.Env(), "TrainPass(binNs, maxBins, sizeAtoms, maxProfileEntries): numbers").ThrowAsJavaScriptException();
        return;
      }
    }
    TrainPassConfig c;
    c.binNs = info[0].As<Napi::Number>().DoubleValue();
    c.maxBins = info[1].As<Napi::Number>().Uint32Value();
    c.sizeAtoms = info[2].As<Napi::Number>().Uint32Value();
    c.maxProfileEntries = info[3].As<Napi::Number>().Uint32Value();
    if (!(c.binNs > 0) || c.maxBins == 0 || c.sizeAtoms > 64 || c.maxProfileEntries == 0) {
      Napi::RangeError::New(info.Env(), "TrainPass: binNs > 0, maxBins >= 1, sizeAtoms <= 64, maxProfileEntries >= 1").ThrowAsJavaScriptException();
      return;
    }
    pass_ = std::make_unique<TrainPassWorker>(c);
  }

 private:
  Napi::Value addBatch(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!pass_ || settled_) return Napi::Error::New(env, "TrainPass.addBatch after settle() or close()").ThrowAsJavaScriptException(), env.Null();
    if (!info[0].IsObject()) return Napi::TypeError::New(env, "TrainPass.addBatch(batch: PacketBatch)").ThrowAsJavaScriptException(), env.Null();
    Napi::Object batch = info[0].As<Napi::Object>();
    TrainBatch b;
    b.count = batch.Get("count").ToNumber().Uint32Value();
    if (!column(batch, "flowId", napi_uint32_array, b.count, &b.flowId) || !column(batch, "ipVersion", napi_uint8_array, b.count, &b.ipVersion) ||
        !column(batch, "proto", napi_uint8_array, b.count, &b.proto) || !column(batch, "tsSec", napi_float64_array, b.count, &b.tsSec) ||
        !column(batch, "tsNsec", napi_uint32_array, b.count, &b.tsNsec) || !column(batch, "origLen", napi_uint32_array, b.count, &b.origLen) ||
        !column(batch, "direction", napi_uint8_array, b.count, &b.direction) || !column(batch, "tcpFlags", napi_uint8_array, b.count, &b.tcpFlags) ||
        !column(batch, "dataOffset", napi_uint32_array, b.count, &b.dataOffset) || !column(batch, "capLen", napi_uint32_array, b.count, &b.capLen) ||
        !column(batch, "linkType", napi_uint16_array, b.count, &b.linkType) || !column(batch, "l3Offset", napi_uint16_array, b.count, &b.l3Offset) ||
        !column(batch, "l4Offset", napi_uint16_array, b.count, &b.l4Offset) || !column(batch, "data", napi_uint8_array, 0, &b.data)) {
      return env.Undefined();
    }
    b.dataLen = batch.Get("data").As<Napi::Uint8Array>().ElementLength();
    pass_->addBatch(b, nullptr);
    return env.Undefined();
  }

  // settle(): ends the pass; the flow ids heaviest first, the totals and the activity profile.
  Napi::Value settle(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!pass_ || settled_) return Napi::Error::New(env, "TrainPass.settle() twice, or after close()").ThrowAsJavaScriptException(), env.Null();
    TrainPass& p = pass_->drain();
    flows_ = p.settle();
    settled_ = true;
    Napi::Object out = Napi::Object::New(env);
    out.Set("flows", copied<Napi::Uint32Array>(env, flows_));
    Napi::Object profile = Napi::Object::New(env);
    profile.Set("shift", p.profile.shift);
    profile.Set("width", p.profile.width);
    profile.Set("counts", copied<Napi::Float64Array>(env, p.profile.counts));
    out.Set("profile", profile);
    Napi::Object totals = Napi::Object::New(env);
    totals.Set("startSec", p.startSec);
    totals.Set("startNsec", p.startNsec);
    totals.Set("lastNs", p.lastNs);
    totals.Set("ipPackets", p.ipPackets);
    totals.Set("nonIpPackets", p.nonIpPackets);
    totals.Set("ipBytes", p.ipBytes);
    out.Set("totals", totals);
    return out;  // the pass stays (state(), draftRows()) until close()
  }

  // state() after settle(): the statistics copied out (PassState with every slot's template).
  Napi::Value state(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!pass_ || !settled_) return Napi::Error::New(env, "TrainPass.state() before settle() or after close()").ThrowAsJavaScriptException(), env.Null();
    const TrainPass& p = pass_->drain();
    Napi::Object out = Napi::Object::New(env);
    out.Set("flows", copied<Napi::Uint32Array>(env, flows_));
    out.Set("capacity", p.capacity);
    out.Set("flow", copied<Napi::Float64Array>(env, p.flow));
    out.Set("dir", copied<Napi::Float64Array>(env, p.dir));
    out.Set("gaps", copied<Napi::Float64Array>(env, p.gaps));
    out.Set("seen", copied<Napi::Uint8Array>(env, p.seen));
    out.Set("ipVersion", copied<Napi::Uint8Array>(env, p.ipVersion));
    out.Set("proto", copied<Napi::Uint8Array>(env, p.proto));
    out.Set("bucketsOf", copied<Napi::Int32Array>(env, p.bucketsOf));
    out.Set("flagsOf", copied<Napi::Int32Array>(env, p.flagsOf));
    out.Set("sizeMin", copied<Napi::Uint32Array>(env, p.sizeMin));
    out.Set("sizeMax", copied<Napi::Uint32Array>(env, p.sizeMax));
    out.Set("atoms", countersValue(env, p.atoms));
    out.Set("buckets", countersValue(env, p.buckets));
    out.Set("flags", countersValue(env, p.flags));
    setHistograms(env, p, &out);
    const std::vector<TrainTemplate>& templates = pass_->templates();
    setTemplates(env, templates.size(), [&](size_t s) { return &templates[s]; }, &out);
    return out;
  }

  // draftRows(avail, maxBins) after settle(), once: the model's rows (train-rows.cc).
  Napi::Value draftRows(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!pass_ || !settled_ || drafted_) return Napi::Error::New(env, "TrainPass.draftRows() before settle(), twice, or after close()").ThrowAsJavaScriptException(), env.Null();
    if (!info[0].IsNumber() || !info[1].IsNumber()) return Napi::TypeError::New(env, "TrainPass.draftRows(avail, maxBins): numbers").ThrowAsJavaScriptException(), env.Null();
    TrainDraftInput in;
    in.pass = &pass_->drain();
    in.templates = &pass_->templates();
    in.flows = &flows_;
    const TrainRowSet set = draftTrainRows(in, info[0].As<Napi::Number>().DoubleValue(), info[1].As<Napi::Number>().Uint32Value());
    drafted_ = true;
    return rowSetValue(env, set, pass_->templates());
  }

  Napi::Value close(const Napi::CallbackInfo& info) {
    pass_.reset();  // joins the thread, frees the statistics
    return info.Env().Undefined();
  }

  std::unique_ptr<TrainPassWorker> pass_;
  bool settled_ = false, drafted_ = false;
  std::vector<uint32_t> flows_;  // settle()'s, heaviest first
};

// fitRowsToProfile(rows: FitRows, aggregate: Float64Array, shift, ridge, rounds) -> { profile, coefs }.
Napi::Value fitRowsToProfile(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsObject() || !info[1].IsTypedArray() || !info[2].IsNumber() || !info[3].IsNumber() || !info[4].IsNumber()) {
    return Napi::TypeError::New(env, "fitRowsToProfile(rows, aggregate: Float64Array, shift, ridge, rounds)").ThrowAsJavaScriptException(), env.Null();
  }
  Napi::Object in = info[0].As<Napi::Object>();
  Napi::Value startBin = in.Get("startBin");
  if (!startBin.IsTypedArray() || startBin.As<Napi::TypedArray>().TypedArrayType() != napi_float64_array) {
    return Napi::TypeError::New(env, "fitRowsToProfile: rows.startBin must be a Float64Array").ThrowAsJavaScriptException(), env.Null();
  }
  TrainFitRows rows;
  rows.rows = static_cast<uint32_t>(startBin.As<Napi::TypedArray>().ElementLength());
  if (!column(in, "startBin", napi_float64_array, rows.rows, &rows.startBin) || !column(in, "lastBin", napi_float64_array, rows.rows, &rows.lastBin) ||
      !column(in, "binsPerCoef", napi_int32_array, rows.rows, &rows.binsPerCoef) || !column(in, "coefBase", napi_int32_array, rows.rows + 1, &rows.coefBase) ||
      !column(in, "counts", napi_float64_array, 0, &rows.counts)) {
    return env.Null();
  }
  rows.countsLength = in.Get("counts").As<Napi::TypedArray>().ElementLength();
  for (uint32_t i = 0; i < rows.rows; i++) {
    if (rows.coefBase[i] < 0 || rows.coefBase[i + 1] < rows.coefBase[i] || static_cast<size_t>(rows.coefBase[i + 1]) > rows.countsLength) {
      return Napi::RangeError::New(env, "fitRowsToProfile: rows.coefBase must rise within counts").ThrowAsJavaScriptException(), env.Null();
    }
  }
  if (info[1].As<Napi::TypedArray>().TypedArrayType() != napi_float64_array) {
    return Napi::TypeError::New(env, "fitRowsToProfile: aggregate must be a Float64Array").ThrowAsJavaScriptException(), env.Null();
  }
  Napi::Float64Array aggregateArray = info[1].As<Napi::Float64Array>();
  std::vector<double> aggregate(aggregateArray.Data(), aggregateArray.Data() + aggregateArray.ElementLength());
  std::vector<double> profile, coefs;
  trainFitRowsToProfile(rows, aggregate, info[2].As<Napi::Number>().Uint32Value(), info[3].As<Napi::Number>().DoubleValue(),
                        info[4].As<Napi::Number>().Uint32Value(), &profile, &coefs);
  Napi::Object out = Napi::Object::New(env);
  out.Set("profile", copied<Napi::Float64Array>(env, profile));
  out.Set("coefs", copied<Napi::Float64Array>(env, coefs));
  return out;
}

}  // namespace

void registerTrainPass(Napi::Env env, Napi::Object exports) {
  auto* ctor = new Napi::FunctionReference(Napi::Persistent(TrainPassWrap::define(env)));
  env.AddCleanupHook([ctor] { delete ctor; });
  exports.Set("TrainPass", ctor->Value());
  exports.Set("fitRowsToProfile", Napi::Function::New<fitRowsToProfile>(env, "fitRowsToProfile"));
}

}  // namespace txcore
