// The Node-API surface of the native training pass (TypeScript side: native-train-pass.ts):
// adds the class `TrainPass(binNs, maxBins, sizeAtoms, maxProfileEntries)` to the addon's
// exports, with addBatch(batch) (the packet columns of a libs/pcap PacketBatch, and its bytes
// for the header templates, captured at once) and settle() (the statistics and templates
// as FlowStatsTable keeps them, copied into typed arrays; once) or close() (training stopped:
// the thread is joined and the statistics freed).
#pragma once

#include <napi.h>

namespace txcore {

void registerTrainPass(Napi::Env env, Napi::Object exports);

}  // namespace txcore
