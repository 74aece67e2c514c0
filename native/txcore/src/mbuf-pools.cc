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

}  // namespace

TxFailure MbufPools::acquire(uint32_t ringSlots, uint32_t txDescriptors, unsigned lcores, int socket, MbufPools* out) {
  static MbufPools cached;
  static int cachedSocket = -2;
  static uint32_t generation = 0;
  uint32_t normalCount = poolSize(ringSlots + txDescriptors + lcores * (kCache + 64) + 1024);
  if (cached.normal != nullptr && cachedSocket == socket && cached.normal->size >= normalCount &&
      cached.jumbo->size >= kJumboWindow * kMaxSegmentsPerFrame + txDescriptors + 64) {
    *out = cached;
    return {};
  }
  cached.destroy();
  TxFailure failed = cached.create(std::to_string(generation++), normalCount, txDescriptors, socket);
  if (failed.failed()) return failed;
  cachedSocket = socket;
  *out = cached;
  return {};
}

TxFailure MbufPools::create(const std::string& tag, uint32_t normalCount, uint32_t txDescriptors, int socket) {
  std::string name = "mc_n_" + tag;
  normal = rte_pktmbuf_pool_create(name.c_str(), normalCount, kCache, 0, RTE_MBUF_DEFAULT_BUF_SIZE, socket);
  if (normal == nullptr) {
    return TxFailure::make(stage::kNoMemory, rte_errno,
                           "cannot create a pool of " + std::to_string(normalCount) + " mbufs: " + rte_strerror(rte_errno) +
                               " (raise the EAL memory, -m)");
  }
  // No per-lcore cache: every free jumbo mbuf must be visible to every core (the window
  // argument in exact-replay-engine.cc counts on it).
  uint32_t jumboCount = kJumboWindow * kMaxSegmentsPerFrame + txDescriptors + 64;
  name = "mc_j_" + tag;
  jumbo = rte_pktmbuf_pool_create(name.c_str(), jumboCount, 0, 0, kJumboDataRoom, socket);
  if (jumbo == nullptr) {
    destroy();
    return TxFailure::make(stage::kNoMemory, rte_errno,
                           "cannot create a pool of " + std::to_string(jumboCount) + " jumbo mbufs: " + rte_strerror(rte_errno) +
                               " (raise the EAL memory, -m)");
  }
  normalRoom = RTE_MBUF_DEFAULT_DATAROOM;
  jumboRoom = kJumboDataRoom - RTE_PKTMBUF_HEADROOM;
  jumboWindow = kJumboWindow;
  return {};
}

void MbufPools::destroy() {
  if (normal != nullptr) rte_mempool_free(normal);
  if (jumbo != nullptr) rte_mempool_free(jumbo);
  normal = jumbo = nullptr;
}

}  // namespace txcore
