// Reads the time-series replay configuration that the TypeScript wrapper validated
// (ts-replay-options.ts, tx-runtime.ts nativeTsConfig) into plain structs before any
// thread sees it.
#pragma once

#include <napi.h>

#include <string>

#include "ts-replay-engine.h"
#include "tx-run.h"

namespace txcore {

// False with `error` set when a field is missing or has the wrong type (a wrapper bug).
bool readTsReplayConfig(const Napi::Object& in, RunConfig* run, TsReplayConfig* ts, std::string* error);

}  // namespace txcore
