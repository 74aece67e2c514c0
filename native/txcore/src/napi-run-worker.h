// What every N-API run entry point shares: a failure as `{ error }`, and the worker that runs
// a run's IO side on a libuv thread and settles its done() promise on the JS thread.
#pragma once

#include <napi.h>

#include <functional>
#include <memory>
#include <utility>

#include "napi-config.h"
#include "tx-run.h"

namespace txcore {

inline Napi::Object errorResult(Napi::Env env, const TxFailure& failure) {
  Napi::Object out = Napi::Object::New(env);
  out.Set("error", failureValue(env, failure));
  return out;
}

class RunWorker : public Napi::AsyncWorker {
 public:
  // `ioDone` runs on the worker thread once the run's IO side returned (e.g. closing an input queue).
  RunWorker(Napi::Env env, std::shared_ptr<TxRun> run, const char* name, std::function<void()> ioDone = {})
      : Napi::AsyncWorker(env, name), run_(std::move(run)), ioDone_(std::move(ioDone)), deferred_(Napi::Promise::Deferred::New(env)) {}
  void Execute() override {
    run_->execute();
    if (ioDone_) ioDone_();
  }
  void OnOK() override {
    run_->finish();
    Napi::Env env = Env();
    Napi::Object result = snapshotValue(env, run_->snapshot());
    result.Set("failure", failureValue(env, run_->failure()));
    result.Set("stopped", run_->stopped());
    deferred_.Resolve(result);
  }
  Napi::Promise promise() const { return deferred_.Promise(); }

 private:
  std::shared_ptr<TxRun> run_;
  std::function<void()> ioDone_;
  Napi::Promise::Deferred deferred_;
};

}  // namespace txcore
