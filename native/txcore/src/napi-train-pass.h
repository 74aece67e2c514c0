// The Node-API surface of the native training pass (TypeScript side: native-train-pass.ts):
// adds the class `TrainPass(binNs, maxBins, sizeAtoms, maxProfileEntries)` to the addon's
// exports, with addBatch(batch) (the packet columns of a libs/pcap PacketBatch, and its bytes
// for the header templates, captured at once); settle() (once: the flows heaviest first, the
// totals and the activity profile), then draftRows(avail, maxBins) (the model's rows as a
// RowSet's fields, train-rows.cc) and, when asked, state() (the statistics and templates as
// FlowStatsTable keeps them, copied into typed arrays); close() joins the thread and frees the
// statistics (at the end of finish(), or when training stopped). Also fitRowsToProfile
// (train-fit.cc).
#pragma once

#include <napi.h>

namespace txcore {

void registerTrainPass(Napi::Env env, Napi::Object exports);

}  // namespace txcore
