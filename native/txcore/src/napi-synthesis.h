// The Node-API surface of model synthesis (TypeScript side: synthesis-runtime.ts): adds
// `startSynthesis(config, plan)` to the addon's exports. The run it returns has the replay
// run's stats/stop/done plus the chunk input: pushChunk (copies a count chunk into a free
// queue slot, false when full), waitRoom (a promise settled when a slot frees or the run is
// over), endInput and abortInput.
#pragma once

#include <napi.h>

namespace txcore {

void registerSynthesis(Napi::Env env, Napi::Object exports);

}  // namespace txcore
