// Writes the --tag sequence trailer (format and rules: tag-format.ts, the documented
// constant the verifier imports; keep both in step). The trailer is always the frame's last
// 24 bytes; it overwrites bytes after the decoded headers when there are at least 24 of
// them, else it is appended; frames are grown to at least 60 bytes.
#pragma once

#include <cstdint>
#include <cstring>

namespace txcore {

constexpr uint32_t kTagBytes = 24;
constexpr uint32_t kTagMagic = 0x4d435351;  // "MCSQ"
constexpr uint32_t kTagMinFrame = 60;

// The frame's length once tagged.
inline uint32_t taggedLength(uint32_t caplen, uint32_t payloadOffset) {
  uint32_t room = caplen > payloadOffset ? caplen - payloadOffset : 0;
  uint32_t len = room >= kTagBytes ? caplen : caplen + kTagBytes;
  return len < kTagMinFrame ? kTagMinFrame : len;
}

inline void storeBe32(uint8_t* p, uint32_t v) {
  v = __builtin_bswap32(v);
  memcpy(p, &v, 4);
}
inline void storeBe64(uint8_t* p, uint64_t v) {
  v = __builtin_bswap64(v);
  memcpy(p, &v, 8);
}

// Fills the 24 trailer bytes.
inline void encodeTag(uint8_t* out, uint32_t flowId, uint64_t globalSeq, uint64_t flowSeq) {
  storeBe32(out, kTagMagic);
  storeBe32(out + 4, flowId);
  storeBe64(out + 8, globalSeq);
  storeBe64(out + 16, flowSeq);
}

}  // namespace txcore
