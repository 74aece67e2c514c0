// The training pass's thread (train-pass-worker.cc) without Node (issue 4, train speed):
// the same pseudo-random batches go through TrainPass on the caller's thread and through
// TrainPassWorker, whose caller overwrites every batch as soon as addBatch returns (as the
// reader reuses its batch), and both must end with the same template choices and the same
// statistics, field by field. Built with -fsanitize=thread by train-pass.spec.ts: a batch
// read after its hand-over, or state shared without the lock, is a reported race.
// Usage: train-pass-test <batches> <packets per batch> <flows> [seed]
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <vector>

#include "../src/train-pass-worker.h"

using namespace txcore;

namespace {

struct Columns {
  std::vector<uint32_t> flowId, tsNsec, origLen;
  std::vector<uint8_t> ipVersion, proto, direction, tcpFlags;
  std::vector<double> tsSec;
  explicit Columns(uint32_t n) : flowId(n), tsNsec(n), origLen(n), ipVersion(n), proto(n), direction(n), tcpFlags(n), tsSec(n) {}
  TrainBatch view(uint32_t count) const {
    return TrainBatch{count, flowId.data(), ipVersion.data(), proto.data(), tsSec.data(), tsNsec.data(), origLen.data(), direction.data(), tcpFlags.data()};
  }
};

// Bursty traffic over `flows` flows, some packets non-IP, a few out of order.
void fill(Columns& c, uint32_t n, uint32_t flows, std::mt19937_64& rng, double* clockNs) {
  for (uint32_t i = 0; i < n; i++) {
    *clockNs += static_cast<double>(rng() % 200000);
    const double t = *clockNs - ((rng() % 16) == 0 ? static_cast<double>(rng() % 3000000) : 0);
    const uint32_t id = static_cast<uint32_t>(rng() % flows);
    const bool ip = (rng() % 50) != 0;
    c.flowId[i] = ip ? id : TrainPass::kNoFlow;
    c.ipVersion[i] = ip ? ((id % 5) == 0 ? 6 : 4) : 0;
    c.proto[i] = (id % 3) == 0 ? 17 : 6;
    c.tsSec[i] = 1700000000 + static_cast<double>(static_cast<uint64_t>(t / 1e9));
    c.tsNsec[i] = static_cast<uint32_t>(static_cast<uint64_t>(t) % 1000000000u);
    c.origLen[i] = c.proto[i] == 17 ? 60 + static_cast<uint32_t>(rng() % 1400) : ((rng() % 3) == 0 ? 66 : 1514);
    c.direction[i] = static_cast<uint8_t>(rng() % 2);
    c.tcpFlags[i] = c.proto[i] == 6 ? static_cast<uint8_t>((rng() % 20) == 0 ? rng() % 256 : ((rng() % 10) == 0 ? 0x02 : 0x10)) : 0;
  }
}

int failures = 0;
template <typename A, typename B>
void same(const char* what, const A& a, const B& b) {
  if (a.size() != b.size() || (a.size() > 0 && memcmp(a.data(), b.data(), a.size() * sizeof(a[0])) != 0)) {
    if (failures++ < 10) fprintf(stderr, "differs: %s\n", what);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) return fprintf(stderr, "usage: train-pass-test <batches> <packets per batch> <flows> [seed]\n"), 2;
  const uint32_t batches = static_cast<uint32_t>(atoi(argv[1])), perBatch = static_cast<uint32_t>(atoi(argv[2])), flows = static_cast<uint32_t>(atoi(argv[3]));
  std::mt19937_64 rng(argc > 4 ? strtoull(argv[4], nullptr, 10) : 1);
  const TrainPassConfig config{10e6, 8, 3, 256};  // small limits: histograms and profile halve often
  TrainPass alone(config);
  TrainPassWorker threaded(config);
  std::vector<uint32_t> aloneTemplates, threadedTemplates;
  Columns c(perBatch);
  double clockNs = 0;
  uint64_t packets = 0;
  for (uint32_t k = 0; k < batches; k++) {
    const uint32_t n = 1 + static_cast<uint32_t>(rng() % perBatch);
    fill(c, n, flows, rng, &clockNs);
    alone.addBatch(c.view(n), &aloneTemplates);
    threaded.addBatch(c.view(n), &threadedTemplates);
    fill(c, n, flows, rng, &clockNs);  // the reader reuses its batch at once: the worker must have its own copy
    packets += n;
  }
  TrainPass& t = threaded.drain();
  std::vector<uint32_t> aloneIds = alone.settle(), threadedIds = t.settle();
  same("template choices", aloneTemplates, threadedTemplates);
  same("flow ids", aloneIds, threadedIds);
  same("flow", alone.flow, t.flow);
  same("dir", alone.dir, t.dir);
  same("gaps", alone.gaps, t.gaps);
  same("atoms keys", alone.atoms.keys, t.atoms.keys);
  same("atoms counts", alone.atoms.counts, t.atoms.counts);
  same("bucket counts", alone.buckets.counts, t.buckets.counts);
  same("flag counts", alone.flags.counts, t.flags.counts);
  same("profile", alone.profile.counts, t.profile.counts);
  for (uint32_t id = 0; id < alone.capacity && id < t.capacity; id++) {
    same("histogram keys", alone.histograms[id].keys, t.histograms[id].keys);
    same("histogram values", alone.histograms[id].values, t.histograms[id].values);
  }
  const bool totals = alone.ipPackets == t.ipPackets && alone.nonIpPackets == t.nonIpPackets && alone.lastNs == t.lastNs && alone.ipBytes == t.ipBytes;
  if (!totals) failures++;
  printf("{\"batches\":%u,\"packets\":%llu,\"ipPackets\":%.0f,\"nonIpPackets\":%.0f,\"flows\":%zu,\"templates\":%zu,\"histogramHalvings\":%u,\"profileShift\":%u,\"failures\":%d}\n", batches,
         static_cast<unsigned long long>(packets), t.ipPackets, t.nonIpPackets, threadedIds.size(), threadedTemplates.size() / 3,
         [&] {
           uint32_t most = 0;
           for (const TrainHistogram& h : t.histograms) most = h.shift > most ? h.shift : most;
           return most;
         }(),
         t.profile.shift, failures);
  return failures == 0 ? 0 : 1;
}
