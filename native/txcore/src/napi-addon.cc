// The Node-API surface of txcore (TypeScript side: native/txcore/src/native-binding.ts).
// Every function returns a value or `{ error: { stage, errno, message, offset?, record? } }`
// (DPDK's 0/-errno convention carried across); the wrapper turns errors into MemocoError.
// Runs are asynchronous: NativeRun.done() is a promise settled when every lcore returned.
#include <napi.h>

#include <memory>

#include "eal-runtime.h"
#include "exact-replay-engine.h"
#include "napi-config.h"
#include "napi-run-worker.h"
#include "ts-replay-napi-config.h"
#include "napi-synthesis.h"
#include "napi-train-pass.h"
#include "tx-run.h"

namespace txcore {
namespace {

class NativeRun : public Napi::ObjectWrap<NativeRun> {
 public:
  static Napi::Function define(Napi::Env env) {
    return DefineClass(env, "NativeRun",
                       {InstanceMethod<&NativeRun::stats>("stats"), InstanceMethod<&NativeRun::stop>("stop"),
                        InstanceMethod<&NativeRun::done>("done")});
  }
  explicit NativeRun(const Napi::CallbackInfo& info) : Napi::ObjectWrap<NativeRun>(info) {
    run_ = *info[0].As<Napi::External<std::shared_ptr<TxRun>>>().Data();
    RunWorker* worker = new RunWorker(info.Env(), run_, "memoco-txcore-run");  // deletes itself after OnOK
    promise_ = Napi::Persistent(worker->promise().As<Napi::Object>());
    worker->Queue();
  }

 private:
  Napi::Value stats(const Napi::CallbackInfo& info) { return snapshotValue(info.Env(), run_->snapshot()); }
  Napi::Value stop(const Napi::CallbackInfo& info) {
    run_->stop();
    return info.Env().Undefined();
  }
  Napi::Value done(const Napi::CallbackInfo&) { return promise_.Value(); }

  std::shared_ptr<TxRun> run_;
  Napi::ObjectReference promise_;
};

struct AddonData {
  Napi::FunctionReference nativeRun;
};

Napi::Value initEal(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsArray() || !info[1].IsBoolean()) {
    return errorResult(env, TxFailure::make(stage::kBadConfig, EINVAL, "initEal(args: string[], echoLogs: boolean)"));
  }
  Napi::Array arr = info[0].As<Napi::Array>();
  std::vector<std::string> args;
  for (uint32_t i = 0; i < arr.Length(); i++) args.push_back(arr.Get(i).ToString().Utf8Value());
  TxFailure failed = EalRuntime::instance().init(args, info[1].As<Napi::Boolean>().Value());
  if (failed.failed()) return errorResult(env, failed);
  const EalInfo& eal = EalRuntime::instance().info();
  Napi::Object out = Napi::Object::New(env);
  out.Set("mainLcore", eal.mainLcore);
  Napi::Array workers = Napi::Array::New(env, eal.workerLcores.size());
  for (size_t i = 0; i < eal.workerLcores.size(); i++) workers.Set(static_cast<uint32_t>(i), eal.workerLcores[i]);
  out.Set("workerLcores", workers);
  out.Set("tscHz", static_cast<double>(eal.tscHz));
  return out;
}

Napi::Value startExactReplay(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  RunConfig config;
  ExactReplayConfig replay;
  std::string why = "startExactReplay(config: object)";
  if (!info[0].IsObject() || !readRunConfig(info[0].As<Napi::Object>(), &config, &replay, &why)) {
    return errorResult(env, TxFailure::make(stage::kBadConfig, EINVAL, why));
  }
  std::shared_ptr<TxRun> run;
  TxFailure failed = TxRun::create(config, std::make_unique<ExactReplayEngine>(replay), &run);
  if (failed.failed()) return errorResult(env, failed);
  std::shared_ptr<TxRun> holder = run;
  return env.GetInstanceData<AddonData>()->nativeRun.New({Napi::External<std::shared_ptr<TxRun>>::New(env, &holder)});
}

// Time-series replay (issue 5): the same run machinery with the ts-replay engine.
Napi::Value startTsReplay(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  RunConfig config;
  TsReplayConfig ts;
  std::string why = "startTsReplay(config: object)";
  if (!info[0].IsObject() || !readTsReplayConfig(info[0].As<Napi::Object>(), &config, &ts, &why)) {
    return errorResult(env, TxFailure::make(stage::kBadConfig, EINVAL, why));
  }
  std::shared_ptr<TxRun> run;
  TxFailure failed = TxRun::create(config, std::make_unique<TsReplayEngine>(ts), &run);
  if (failed.failed()) return errorResult(env, failed);
  std::shared_ptr<TxRun> holder = run;
  return env.GetInstanceData<AddonData>()->nativeRun.New({Napi::External<std::shared_ptr<TxRun>>::New(env, &holder)});
}

Napi::Object init(Napi::Env env, Napi::Object exports) {
  AddonData* data = new AddonData();
  data->nativeRun = Napi::Persistent(NativeRun::define(env));
  env.SetInstanceData(data);
  exports.Set("initEal", Napi::Function::New<initEal>(env, "initEal"));
  exports.Set("startExactReplay", Napi::Function::New<startExactReplay>(env, "startExactReplay"));
  exports.Set("startTsReplay", Napi::Function::New<startTsReplay>(env, "startTsReplay"));
  registerSynthesis(env, exports);  // startSynthesis (napi-synthesis.cc)
  registerTrainPass(env, exports);  // TrainPass (napi-train-pass.cc)
  return exports;
}

}  // namespace
}  // namespace txcore

// The addon's one exported symbol (napi_register_module_v1); everything else is hidden.
static Napi::Object InitTxcore(Napi::Env env, Napi::Object exports) { return txcore::init(env, exports); }
NODE_API_MODULE(txcore, InitTxcore)
