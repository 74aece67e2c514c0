#include "mbuf-pools.h"

#include <rte_errno.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

namespace txcore {
namespace {

constexpr unsigned kCache = 256;
constexpr uint16_t kJumboDataRoom = UINT16_MAX;
constexpr uint32_t kMaxSegmentsPerFrame = 5;  // 262144-byte frames (the parser's limit)
constexpr uint32_t kJumboWindow = 64;         // >= the largest block (exact-replay-engine.cc)

uint32_t poolSize(uint32_t needed) {  // mempools are most efficient at 2^n - 1
  uint32_t n = 1;
  while (n - 1 < needed) n <<= 1;
  return n - 1;
}

constexpr uint32_t kRooms[] = {128, 256, 512, 1024, RTE_MBUF_DEFAULT_DATAROOM};
constexpr size_t kRoomClasses = sizeof(kRooms) / sizeof(kRooms[0]);

size_t roomClass(uint32_t largestFrame) {
  if (largestFrame == 0) return kRoomClasses - 1;
  size_t k = 0;
  while (k + 1 < kRoomClasses && kRooms[k] < largestFrame) k++;
  return k;
}

// The process's pools (one per socket at a time: a run on another socket replaces them all).
struct PoolCache {
  rte_mempool* normal[kRoomClasses] = {};
  rte_mempool* jumbo = nullptr;
  int socket = -2;
  uint32_t generation = 0;

  void release(rte_mempool** pool) {
    if (*pool != nullptr) rte_mempool_free(*pool);
    *pool = nullptr;
  }
  void releaseAll() {
    for (rte_mempool*& pool : normal) release(&pool);
    release(&jumbo);
  }
};

}  // namespace

TxFailure MbufPools::acquire(uint32_t ringSlots, uint32_t txDescriptors, unsigned lcores, int socket, uint32_t largestFrame, MbufPools* out) {
  static PoolCache cache;
  if (cache.socket != socket) cache.releaseAll();
  cache.socket = socket;
  const size_t k = roomClass(largestFrame);
  const uint32_t normalCount = poolSize(ringSlots + txDescriptors + lcores * (kCache + 64) + 1024);
  rte_mempool*& normal = cache.normal[k];
  if (normal != nullptr && normal->size < normalCount) cache.release(&normal);
  if (normal == nullptr) {
    const std::string name = "mc_n" + std::to_string(kRooms[k]) + "_" + std::to_string(cache.generation++);
    normal = rte_pktmbuf_pool_create(name.c_str(), normalCount, kCache, 0, static_cast<uint16_t>(kRooms[k] + RTE_PKTMBUF_HEADROOM), socket);
    if (normal == nullptr) {
      return TxFailure::make(stage::kNoMemory, rte_errno,
                             "cannot create a pool of " + std::to_string(normalCount) + " mbufs: " + rte_strerror(rte_errno) +
                                 " (raise the EAL memory, -m)");
    }
  }
  // No per-lcore cache: every free jumbo mbuf must be visible to every core (the window
  // argument in exact-replay-engine.cc counts on it).
  const uint32_t jumboCount = kJumboWindow * kMaxSegmentsPerFrame + txDescriptors + 64;
  if (cache.jumbo != nullptr && cache.jumbo->size < jumboCount) cache.release(&cache.jumbo);
  if (cache.jumbo == nullptr) {
    const std::string name = "mc_j_" + std::to_string(cache.generation++);
    cache.jumbo = rte_pktmbuf_pool_create(name.c_str(), jumboCount, 0, 0, kJumboDataRoom, socket);
    if (cache.jumbo == nullptr) {
      return TxFailure::make(stage::kNoMemory, rte_errno,
                             "cannot create a pool of " + std::to_string(jumboCount) + " jumbo mbufs: " + rte_strerror(rte_errno) +
                                 " (raise the EAL memory, -m)");
    }
  }
  out->normal = normal;
  out->jumbo = cache.jumbo;
  out->normalRoom = kRooms[k];
  out->jumboRoom = kJumboDataRoom - RTE_PKTMBUF_HEADROOM;
  out->jumboWindow = kJumboWindow;
  return {};
}

}  // namespace txcore
