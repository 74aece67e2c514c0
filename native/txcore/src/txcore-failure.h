// A failure as native code reports it to the binding: DPDK's convention (0 or -errno) plus
// the stage that failed, so the TypeScript wrapper can map it onto a TXCORE_ERR_* code
// (native/txcore/src/errors.ts) without parsing messages.
#pragma once

#include <cstdint>
#include <string>

namespace txcore {

// Stages are strings on purpose: they cross into TypeScript unchanged (errors.ts maps them).
struct TxFailure {
  const char* stage = nullptr;  // nullptr means "no failure"
  int errnum = 0;               // positive errno
  std::string message;          // one line for a human
  int64_t offset = -1;          // trace errors: file offset of the bad record
  int64_t record = -1;          // trace errors: 0-based record index

  bool failed() const { return stage != nullptr; }
  static TxFailure make(const char* stage, int errnum, std::string message) {
    TxFailure f;
    f.stage = stage;
    f.errnum = errnum;
    f.message = std::move(message);
    return f;
  }
};

// The stage names (kept in one place; errors.ts has the same list).
namespace stage {
inline constexpr const char* kEalInit = "EAL_INIT";
inline constexpr const char* kEalNotReady = "EAL_NOT_READY";
inline constexpr const char* kPortProbe = "PORT_PROBE";
inline constexpr const char* kPortConfig = "PORT_CONFIG";
inline constexpr const char* kNoMemory = "NO_MEMORY";
inline constexpr const char* kLcores = "LCORES";
inline constexpr const char* kBusy = "BUSY";
inline constexpr const char* kTraceOpen = "TRACE_OPEN";
inline constexpr const char* kTraceFormat = "TRACE_FORMAT";
inline constexpr const char* kTraceCorrupt = "TRACE_CORRUPT";
inline constexpr const char* kTraceTruncated = "TRACE_TRUNCATED";
inline constexpr const char* kBadConfig = "BAD_CONFIG";
}  // namespace stage

}  // namespace txcore
