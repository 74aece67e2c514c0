// Reads the run configuration that the TypeScript wrapper validated (replay-options.ts)
// into plain structs: the addon copies inputs before any thread sees them.
#pragma once

#include <napi.h>

#include <string>

#include "exact-replay-engine.h"
#include "napi-field-reader.h"
#include "tx-run.h"

namespace txcore {

// The port, the sequence ring and the lateness threshold, as every engine's config has them.
void readPortAndRing(FieldReader& r, RunConfig* run);
// pacingMode/pacingValue; false with `error` set for an unknown mode or a value <= 0.
bool readPacing(const std::string& mode, double value, PacingConfig* out, std::string* error);

// False with `error` set when a field is missing or has the wrong type (a wrapper bug).
bool readRunConfig(const Napi::Object& in, RunConfig* run, ExactReplayConfig* replay, std::string* error);

// Converts a failure and a snapshot into plain JavaScript values.
Napi::Value failureValue(Napi::Env env, const TxFailure& failure);
Napi::Object snapshotValue(Napi::Env env, const RunSnapshot& snapshot);

}  // namespace txcore
