#include "napi-synthesis.h"

#include <memory>
#include <string>

#include "model-synthesis-engine.h"
#include "napi-config.h"
#include "napi-run-worker.h"
#include "synth-chunk-queue.h"
#include "synth-plan.h"
#include "synth-planner.h"
#include "tx-run.h"

namespace txcore {
namespace {

bool readRun(const Napi::Object& in, RunConfig* run, SynthesisConfig* synth, std::string* error) {
  error->clear();  // the caller's text is for arguments that are not objects
  FieldReader r{in, error};
  readPortAndRing(r, run);
  run->cores = static_cast<unsigned>(r.number("cores"));
  run->drainLcore = r.string("drain") == "lcore";
  synth->leadUs = static_cast<uint32_t>(r.number("leadUs"));
  synth->batchDescs = static_cast<uint32_t>(r.number("batchDescs"));
  synth->startAtUnixMs = r.number("startAtUnixMs");
  const double maxPackets = r.number("maxPackets");
  std::string mode = r.string("pacingMode");
  double value = r.number("pacingValue");
  if (!r.ok() || !readPacing(mode, value, &synth->pacing, error)) return false;
  if (synth->pacing.mode == PacingConfig::kMbps) return *error = "config.pacingMode must be topspeed, speed or pps", false;
  if (synth->batchDescs < 64) return *error = "config.batchDescs must be >= 64", false;
  if (!(maxPackets >= 0)) return *error = "config.maxPackets must be >= 0", false;
  synth->maxPackets = maxPackets == 0 ? UINT64_MAX : static_cast<uint64_t>(maxPackets);
  run->paced = synth->pacing.mode != PacingConfig::kTopspeed;
  return true;
}

bool readPlan(const Napi::Object& in, SynthPlan* p, std::string* error) {
  error->clear();  // the caller's text is for arguments that are not objects
  FieldReader r{in, error, "plan"};
  p->seed = static_cast<uint32_t>(r.number("seed"));
  p->binNs = r.number("binNs");
  p->windowBins = static_cast<uint64_t>(r.number("windowBins"));
  p->totalBins = static_cast<uint64_t>(r.number("totalBins"));
  p->endNs = r.number("endNs");
  p->tag = r.boolean("tag");
  p->cores = static_cast<unsigned>(r.number("cores"));
  p->rows = static_cast<uint32_t>(r.number("rows"));
  r.typedArray("ipVersion", napi_uint8_array, &p->ipVersion) && r.typedArray("proto", napi_uint8_array, &p->proto) &&
      r.typedArray("headerOffset", napi_uint32_array, &p->headerOffset) && r.typedArray("headerBytes", napi_uint8_array, &p->headerBytes) &&
      r.typedArray("l3Offset", napi_uint16_array, &p->l3Offset) && r.typedArray("l4Offset", napi_uint16_array, &p->l4Offset) &&
      r.typedArray("firstFlags", napi_uint8_array, &p->firstFlags) && r.typedArray("lastFlags", napi_uint8_array, &p->lastFlags) &&
      r.typedArray("sizeOffset", napi_uint32_array, &p->sizeOffset) && r.typedArray("sizeLo", napi_uint16_array, &p->sizeLo) &&
      r.typedArray("sizeSpan", napi_uint16_array, &p->sizeSpan) && r.typedArray("sizeCum", napi_uint32_array, &p->sizeCum) &&
      r.typedArray("flagOffset", napi_uint32_array, &p->flagOffset) && r.typedArray("flagValue", napi_uint8_array, &p->flagValue) &&
      r.typedArray("flagCum", napi_uint32_array, &p->flagCum) && r.typedArray("gapOffset", napi_uint32_array, &p->gapOffset) &&
      r.typedArray("gapLo", napi_float64_array, &p->gapLo) && r.typedArray("gapSpan", napi_float64_array, &p->gapSpan) &&
      r.typedArray("gapCum", napi_uint32_array, &p->gapCum) && r.typedArray("rowTemplate", napi_uint32_array, &p->rowTemplate, p->rows) &&
      r.typedArray("rowVariant", napi_uint32_array, &p->rowVariant, p->rows) && r.typedArray("rowPackets", napi_float64_array, &p->rowPackets, p->rows) &&
      r.typedArray("rowReverse", napi_float64_array, &p->rowReverse, p->rows) && r.typedArray("rowStartNs", napi_float64_array, &p->rowStartNs, p->rows) &&
      r.typedArray("rowEndNs", napi_float64_array, &p->rowEndNs, p->rows) && r.typedArray("rowCore", napi_uint16_array, &p->rowCore, p->rows);
  p->chunkBins = static_cast<uint32_t>(r.number("chunkBins"));
  p->nativeCounts = r.boolean("nativeCounts");
  p->profileShift = static_cast<uint32_t>(r.number("profileShift"));
  r.typedArray("kind", napi_uint8_array, &p->kind) && r.typedArray("modelPackets", napi_float64_array, &p->modelPackets) &&
      r.typedArray("modelReverse", napi_float64_array, &p->modelReverse) && r.typedArray("startBin", napi_int32_array, &p->startBin) &&
      r.typedArray("lastBin", napi_int32_array, &p->lastBin) && r.typedArray("binsPerCoef", napi_int32_array, &p->binsPerCoef) &&
      r.typedArray("coefBase", napi_int32_array, &p->coefBase) && r.typedArray("coefCount", napi_int32_array, &p->coefCount) &&
      r.typedArray("coef", napi_float32_array, &p->coef) && r.typedArray("profile", napi_float32_array, &p->profile) &&
      r.typedArray("lanes", napi_uint32_array, &p->lanes) && r.typedArray("memberSizeOffset", napi_uint32_array, &p->memberSizeOffset) &&
      r.typedArray("memberSizeBucket", napi_uint8_array, &p->memberSizeBucket) && r.typedArray("memberSizeCum", napi_uint32_array, &p->memberSizeCum);
  if (!r.ok()) return false;
  *error = p->finish();
  return error->empty();
}

// Waits (on a libuv worker) until the chunk queue has room or the run is over.
class RoomWorker : public Napi::AsyncWorker {
 public:
  RoomWorker(Napi::Env env, std::shared_ptr<SynthChunkQueue> queue)
      : Napi::AsyncWorker(env, "memoco-txcore-room"), queue_(std::move(queue)), deferred_(Napi::Promise::Deferred::New(env)) {}
  void Execute() override { room_ = queue_->waitRoom(); }
  void OnOK() override { deferred_.Resolve(Napi::Boolean::New(Env(), room_)); }
  Napi::Promise promise() const { return deferred_.Promise(); }

 private:
  std::shared_ptr<SynthChunkQueue> queue_;
  Napi::Promise::Deferred deferred_;
  bool room_ = false;
};

struct RunHandles {
  std::shared_ptr<TxRun> run;
  std::shared_ptr<SynthChunkQueue> queue;
  std::shared_ptr<const SynthPlan> plan;
};

class NativeSynthesisRun : public Napi::ObjectWrap<NativeSynthesisRun> {
 public:
  static Napi::Function define(Napi::Env env) {
    return DefineClass(env, "NativeSynthesisRun",
                       {InstanceMethod<&NativeSynthesisRun::stats>("stats"), InstanceMethod<&NativeSynthesisRun::stop>("stop"),
                        InstanceMethod<&NativeSynthesisRun::done>("done"), InstanceMethod<&NativeSynthesisRun::pushCounts>("pushCounts"),
                        InstanceMethod<&NativeSynthesisRun::waitRoom>("waitRoom"), InstanceMethod<&NativeSynthesisRun::endInput>("endInput"),
                        InstanceMethod<&NativeSynthesisRun::abortInput>("abortInput")});
  }
  explicit NativeSynthesisRun(const Napi::CallbackInfo& info) : Napi::ObjectWrap<NativeSynthesisRun>(info) {
    RunHandles* handles = info[0].As<Napi::External<RunHandles>>().Data();
    run_ = handles->run;
    queue_ = handles->queue;
    plan_ = handles->plan;
    planner_ = std::make_unique<SynthPlanner>(*plan_);
    // The input queue closes when the IO side returns, so a pump waiting for room ends too.
    RunWorker* worker = new RunWorker(info.Env(), run_, "memoco-txcore-synthesis", [queue = queue_] { queue->close(); });  // deletes itself after OnOK
    promise_ = Napi::Persistent(worker->promise().As<Napi::Object>());
    worker->Queue();
  }

 private:
  Napi::Value stats(const Napi::CallbackInfo& info) { return snapshotValue(info.Env(), run_->snapshot()); }
  Napi::Value stop(const Napi::CallbackInfo& info) {
    run_->stop();
    queue_->close();
    return info.Env().Undefined();
  }
  Napi::Value done(const Napi::CallbackInfo&) { return promise_.Value(); }
  // pushCounts(first, last, counts?): plans bins [first, last) into a free queue slot (the
  // planner runs here, on the JavaScript thread: synth-planner.h) from `counts`, onnxruntime's
  // output for the chunk's (row, bin) pairs, or from the count graph evaluated natively when
  // `counts` is undefined. true: queued; false: the queue is full (await waitRoom()) or
  // closed; {error}: a chunk out of place or a count array of the wrong length.
  Napi::Value pushCounts(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    const bool given = info.Length() > 2 && !info[2].IsUndefined();
    if (!info[0].IsNumber() || !info[1].IsNumber() || (given && !(info[2].IsTypedArray() && info[2].As<Napi::TypedArray>().TypedArrayType() == napi_float32_array))) {
      return errorResult(env, TxFailure::make(stage::kBadConfig, EINVAL, "pushCounts(first: number, last: number, counts?: Float32Array)"));
    }
    if (!given && !plan_->nativeCounts) return errorResult(env, TxFailure::make(stage::kBadConfig, EINVAL, "pushCounts: this plan takes its counts from onnxruntime"));
    SynthChunk* slot = queue_->beginPush();
    if (slot == nullptr) return Napi::Boolean::New(env, false);
    const float* counts = nullptr;
    size_t countLen = 0;
    if (given) {
      static const float kNoPairs = 0;  // an empty array may have no data pointer; nullptr means "evaluate natively"
      Napi::Float32Array a = info[2].As<Napi::Float32Array>();
      countLen = a.ElementLength();
      counts = countLen > 0 ? a.Data() : &kNoPairs;
    }
    const uint64_t first = static_cast<uint64_t>(info[0].As<Napi::Number>().DoubleValue());
    const uint64_t last = static_cast<uint64_t>(info[1].As<Napi::Number>().DoubleValue());
    std::string why = planner_->plan(first, last, counts, countLen, slot);
    queue_->commitPush(why.empty());
    if (!why.empty()) return errorResult(env, TxFailure::make(stage::kSynthInput, EINVAL, why));
    return Napi::Boolean::New(env, true);
  }
  Napi::Value waitRoom(const Napi::CallbackInfo& info) {
    RoomWorker* worker = new RoomWorker(info.Env(), queue_);
    Napi::Promise promise = worker->promise();
    worker->Queue();
    return promise;
  }
  Napi::Value endInput(const Napi::CallbackInfo& info) {
    queue_->endInput();
    return info.Env().Undefined();
  }
  Napi::Value abortInput(const Napi::CallbackInfo& info) {
    queue_->abortInput(info[0].IsString() ? info[0].As<Napi::String>().Utf8Value() : std::string("the count-chunk producer failed"));
    return info.Env().Undefined();
  }

  std::shared_ptr<TxRun> run_;
  std::shared_ptr<SynthChunkQueue> queue_;
  std::shared_ptr<const SynthPlan> plan_;
  std::unique_ptr<SynthPlanner> planner_;  // JavaScript thread only (the queue's one producer)
  Napi::ObjectReference promise_;
};

Napi::Value startSynthesis(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::FunctionReference* ctor = static_cast<Napi::FunctionReference*>(info.Data());
  RunConfig config;
  SynthesisConfig synth;
  auto plan = std::make_shared<SynthPlan>();
  std::string why = "startSynthesis(config: object, plan: object)";
  if (!info[0].IsObject() || !info[1].IsObject() || !readRun(info[0].As<Napi::Object>(), &config, &synth, &why)) {
    return errorResult(env, TxFailure::make(stage::kBadConfig, EINVAL, why));
  }
  if (!readPlan(info[1].As<Napi::Object>(), plan.get(), &why)) return errorResult(env, TxFailure::make(stage::kSynthPlan, EINVAL, why));
  auto queue = std::make_shared<SynthChunkQueue>();
  std::shared_ptr<TxRun> run;
  TxFailure failed = TxRun::create(config, std::make_unique<ModelSynthesisEngine>(plan, queue, synth), &run);
  if (failed.failed()) return errorResult(env, failed);
  RunHandles handles{run, queue, plan};
  return ctor->New({Napi::External<RunHandles>::New(env, &handles)});
}

}  // namespace

void registerSynthesis(Napi::Env env, Napi::Object exports) {
  auto* ctor = new Napi::FunctionReference(Napi::Persistent(NativeSynthesisRun::define(env)));
  env.AddCleanupHook([ctor] { delete ctor; });
  exports.Set("startSynthesis", Napi::Function::New(env, startSynthesis, "startSynthesis", ctor));
}

}  // namespace txcore
