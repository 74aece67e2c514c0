// The sequence ring and its drain under contention, without DPDK: P producer threads own
// positions of one global order in random runs (like flows bound to cores), reserve blocks
// of random size, fill and commit them; a drainer (a dedicated thread, or the producers
// themselves through the flush try-lock) must see every position exactly once, in order.
// Built and run by sequence-ring.spec.ts, under ThreadSanitizer there.
// Usage: sequence-ring-test <producers> <positions> <lcore|flush> [seed]
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <thread>
#include <vector>

#include "../src/ordered-drain.h"
#include "../src/sequence-ring.h"
#include "../src/tsc-waiter.h"

using namespace txcore;

namespace {

struct CheckingSink {
  uint64_t expect = 0;
  uint64_t errors = 0;
  uint32_t takeLimit = 1;  // varies to exercise partial sends (a full TX queue)
  uint32_t send(void** items, uint32_t n) {
    uint32_t take = n < takeLimit ? n : takeLimit;
    takeLimit = takeLimit % 37 + 1;
    for (uint32_t i = 0; i < take; i++) {
      uint64_t got = reinterpret_cast<uintptr_t>(items[i]) - 1;
      if (got != expect + i && errors++ < 5) fprintf(stderr, "order broken: expected %lu got %lu\n", (unsigned long)(expect + i), (unsigned long)got);
    }
    expect += take;
    return take;
  }
  void account(const SequenceSlot& s, uint64_t) {
    if (s.bytes != 60u + s.owner) errors++;
  }
};

std::vector<uint16_t> makeOwners(unsigned producers, uint64_t positions, std::mt19937_64& rng) {
  std::vector<uint16_t> owners(positions);
  for (uint64_t i = 0; i < positions;) {
    uint64_t run = 1 + rng() % (rng() % 8 == 0 ? 200 : 4);  // mostly interleaved, some long runs
    uint16_t who = static_cast<uint16_t>(rng() % producers);
    for (uint64_t j = 0; j < run && i < positions; j++) owners[i++] = who;
  }
  return owners;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) return fprintf(stderr, "usage: %s producers positions lcore|flush [seed]\n", argv[0]), 2;
  unsigned producers = static_cast<unsigned>(atoi(argv[1]));
  uint64_t positions = strtoull(argv[2], nullptr, 10);
  bool flush = strcmp(argv[3], "flush") == 0;
  std::mt19937_64 rng(argc > 4 ? strtoull(argv[4], nullptr, 10) : 42);
  std::vector<uint16_t> owners = makeOwners(producers, positions, rng);

  SequenceRing ring;
  if (!ring.init(256)) return 2;
  CheckingSink sink;
  OrderedDrain<CheckingSink> drain(ring, sink, false, 32);
  std::atomic<unsigned> producersLeft{producers};

  auto produce = [&](unsigned me, uint64_t seed) {
    std::mt19937_64 local(seed);
    uint64_t pos = 0;
    while (pos < positions) {
      while (pos < positions && owners[pos] != me) pos++;
      if (pos >= positions) break;
      uint64_t cap = 1 + local() % 64, end = pos;
      while (end < positions && owners[end] == me && end - pos < cap) end++;
      while (!ring.hasRoom(end)) {
        if (flush) drain.tryDrain(0);
        cpuRelax();
      }
      for (uint64_t p = pos; p < end; p++) {
        SequenceSlot& s = ring.slot(p);
        s.item = reinterpret_cast<void*>(static_cast<uintptr_t>(p + 1));
        s.owner = static_cast<uint16_t>(me);
        s.bytes = 60 + me;
      }
      ring.commit(pos, end);
      if (flush && drain.head() >= pos) drain.tryDrain(0);  // as TxRun::flushIfOldest
      pos = end;
    }
    producersLeft.fetch_sub(1);
    if (flush) {
      while (drain.head() < positions) {
        drain.tryDrain(0);
        cpuRelax();
      }
    }
  };

  std::vector<std::thread> threads;
  for (unsigned i = 0; i < producers; i++) threads.emplace_back(produce, i, rng());
  if (!flush) {
    threads.emplace_back([&] {
      while (drain.head() < positions) {
        if (drain.drainOnce(0) == 0) cpuRelax();
      }
    });
  }
  for (std::thread& t : threads) t.join();
  bool ok = sink.errors == 0 && sink.expect == positions && drain.head() == positions;
  printf("{\"producers\":%u,\"positions\":%lu,\"mode\":\"%s\",\"drained\":%lu,\"errors\":%lu,\"ok\":%s}\n", producers,
         (unsigned long)positions, flush ? "flush" : "lcore", (unsigned long)sink.expect, (unsigned long)sink.errors,
         ok ? "true" : "false");
  return ok ? 0 : 1;
}
