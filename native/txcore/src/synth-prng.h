// The random numbers of regeneration, bit for bit the TypeScript twin
// (libs/flow-model/src/regen/prng.ts; docs/flow-models.md "Expansion, step by step"):
// fmix32, streamKey(seed, a, b), xoshiro128** 1.1 seeded by four SplitMix32 outputs, and
// below(range) = (uint64)next() * range >> 32 with exactly one draw per call. Streams are
// keyed (seed, instance, absolute bin), so any thread can expand any entry on its own.
// DPDK-free (test/synthesis-test.cc builds it without DPDK).
#pragma once

#include <cmath>
#include <cstdint>

namespace txcore {

inline uint32_t fmix32(uint32_t h) {
  h ^= h >> 16;
  h *= 0x85ebca6bu;
  h ^= h >> 13;
  h *= 0xc2b2ae35u;
  h ^= h >> 16;
  return h;
}

// `b` is an absolute bin, which may pass 2^32 on long runs with short bins: JavaScript's
// `(k1 + b) >>> 0` keeps the sum modulo 2^32, and so does this.
inline uint32_t streamKey(uint32_t seed, uint32_t a, uint64_t b) {
  uint32_t k0 = fmix32(seed ^ 0x9e3779b9u);
  uint32_t k1 = fmix32(k0 ^ a);
  return fmix32(static_cast<uint32_t>(k1 + b));
}

// JavaScript's ToUint32 for the values regeneration passes to below() (doubles that are
// integers in the normal case; truncated toward zero and taken modulo 2^32 otherwise).
inline uint32_t toUint32(double v) {
  if (v >= 0 && v < 4294967296.0) return static_cast<uint32_t>(v);  // the normal case: no fmod
  if (!std::isfinite(v)) return 0;
  double t = std::trunc(v);
  double m = std::fmod(t, 4294967296.0);
  if (m < 0) m += 4294967296.0;
  return static_cast<uint32_t>(m);
}

class Xoshiro128ss {
 public:
  void reseed(uint32_t key) {
    uint32_t x = key;
    for (uint32_t& s : s_) {
      x += 0x9e3779b9u;
      uint32_t z = x;
      z = (z ^ (z >> 16)) * 0x85ebca6bu;
      z = (z ^ (z >> 13)) * 0xc2b2ae35u;
      s = z ^ (z >> 16);
    }
    if ((s_[0] | s_[1] | s_[2] | s_[3]) == 0) s_[0] = 1;
  }
  uint32_t next() {
    uint32_t result = rotl(s_[1] * 5u, 7) * 9u;
    skip();
    return result;
  }
  // One draw whose value is not used (an entry of a one-entry table, an offset in a range of
  // 0 or 1): only the state moves on, which is all the next draw depends on.
  void skip() {
    uint32_t t = s_[1] << 9;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 11);
  }
  // A uniform integer in [0, range); 0 for range 0 or 1; always one draw.
  uint32_t below(uint32_t range) { return static_cast<uint32_t>((static_cast<uint64_t>(next()) * range) >> 32); }
  uint32_t belowDouble(double range) { return below(toUint32(range)); }

 private:
  static uint32_t rotl(uint32_t x, int k) { return (x << k) | (x >> (32 - k)); }
  uint32_t s_[4] = {1, 0, 0, 0};
};

// First e in [from, to) with cum[e] > u (u < cum[to-1]): plan-templates.ts pickEntry.
inline uint32_t pickEntry(const uint32_t* cum, uint32_t from, uint32_t to, uint32_t u) {
  uint32_t lo = from, hi = to - 1;
  while (lo < hi) {
    uint32_t mid = (lo + hi) >> 1;
    if (cum[mid] > u) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

}  // namespace txcore
