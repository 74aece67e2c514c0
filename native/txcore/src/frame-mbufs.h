// Allocation of the mbufs the engines build frames in, from the run's normal pool, without
// rte_pktmbuf_reset's writes to the mbuf's second cache line (`next`, `tx_offload`): with
// 64 B frames that line was touched by nothing else, and the write's miss was two thirds
// of building a block (perf of `memoco generate --topspeed` on net_null; docs/txcore.md).
//
// Safe because of two invariants:
// - DPDK returns an mbuf to its pool only through rte_pktmbuf_free / _prefree_seg, which
//   leave it with refcnt 1, next NULL and nb_segs 1 (rte_pktmbuf_init sets the same at pool
//   creation): the state rte_mbuf_raw_alloc documents for a raw mbuf;
// - the engines set nothing on a normal-pool mbuf but data_len, pkt_len (which they always
//   write) and its data (no offload, VLAN or port fields; chains use the jumbo pool only), so
//   the other fields keep their initial values. A PMD may still move data_off on TX (virtio
//   prepends its header in the headroom) and an offload flag would change what a NIC does
//   with the frame: those two are reset, in the line the caller writes the lengths to next.
#pragma once

#include <rte_mbuf.h>

#include <cstdint>

namespace txcore {

// Like rte_pktmbuf_alloc_bulk: 0 with `n` mbufs, or nonzero with none taken.
inline int allocFrameMbufs(rte_mempool* pool, rte_mbuf** mbufs, uint32_t n) {
  if (rte_mempool_get_bulk(pool, reinterpret_cast<void**>(mbufs), n) != 0) return -1;
  for (uint32_t i = 0; i < n; i++) {
    mbufs[i]->data_off = RTE_PKTMBUF_HEADROOM;
    mbufs[i]->ol_flags = 0;
  }
  return 0;
}

// The data of an mbuf allocFrameMbufs handed out, without loading its header: data_off is
// the headroom, and in a pool created without a private area (mbuf-pools.cc) rte_pktmbuf_init
// puts buf_addr right after the mbuf header.
inline uint8_t* frameData(rte_mbuf* m) { return reinterpret_cast<uint8_t*>(m) + sizeof(rte_mbuf) + RTE_PKTMBUF_HEADROOM; }

}  // namespace txcore
