// Which prefetch brings the feeder's descriptors to a generation core (model-synthesis-engine.cc
// buildFrames), chosen per CPU vendor because the two measured opposite ways (docs/txcore.md,
// "Descriptor prefetch and thread placement"): on AMD EPYC a non-temporal prefetch kept the read-once descriptor
// stream from evicting slots and images (+17% at --topspeed on net_null); on Intel Xeon it
// left the descriptor loads missing (-18% against prefetcht0). MEMOCO_DESC_PREFETCH=nta|t0
// overrides the choice (for measuring a new host).
#pragma once

#include <cpuid.h>

#include <cstdlib>
#include <cstring>

namespace txcore {

inline bool cpuIsAmd() {
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  if (__get_cpuid(0, &eax, &ebx, &ecx, &edx) == 0) return false;
  char vendor[13];
  memcpy(vendor, &ebx, 4), memcpy(vendor + 4, &edx, 4), memcpy(vendor + 8, &ecx, 4);
  vendor[12] = 0;
  return strcmp(vendor, "AuthenticAMD") == 0 || strcmp(vendor, "HygonGenuine") == 0;
}

// True: prefetchnta for descriptors; false: prefetcht0.
inline bool descriptorPrefetchNonTemporal() {
  const char* choice = getenv("MEMOCO_DESC_PREFETCH");
  if (choice != nullptr && strcmp(choice, "nta") == 0) return true;
  if (choice != nullptr && strcmp(choice, "t0") == 0) return false;
  return cpuIsAmd();
}

}  // namespace txcore
