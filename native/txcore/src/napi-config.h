// Reads the run configuration that the TypeScript wrapper validated (replay-options.ts)
// into plain structs: the addon copies inputs before any thread sees them.
#pragma once

#include <napi.h>

#include <string>

#include "exact-replay-engine.h"
#include "tx-run.h"

namespace txcore {

// False with `error` set when a field is missing or has the wrong type (a wrapper bug).
bool readRunConfig(const Napi::Object& in, RunConfig* run, ExactReplayConfig* replay, std::string* error);

// Converts a failure and a snapshot into plain JavaScript values.
Napi::Value failureValue(Napi::Env env, const TxFailure& failure);
Napi::Object snapshotValue(Napi::Env env, const RunSnapshot& snapshot);

}  // namespace txcore
