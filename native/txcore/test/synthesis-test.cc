// The DPDK-free half of model synthesis on a real model, for sanitizers and valgrind
// (synthesis-native.spec.ts builds and runs it). Input: a dump of the plan and, per chunk,
// onnxruntime's counts and TypeScript's chunk (src/test-support/synthesis-dump.ts). Modes:
//   pcap <dump> <out.pcap> <cores> [batchDescs] [paced|topspeed] [native|onnx]
//       a producer thread plans the chunks into the bounded queue (synth-planner.h, as
//       pushCounts does on the JavaScript thread; from the natively evaluated count graph,
//       or from the dumped onnxruntime counts), the feeder thread orders and dispatches them,
//       <cores> consumer threads build their own packets' frames; the frames are written to
//       <out.pcap> in global order (timestamps 0): the spec compares them with `generate -o`.
//   plan <dump>
//       the native count graph against onnxruntime's counts on every pair, and the native
//       planner's chunks (from either) against PlanBuilder's, array for array.
//   paths <dump> <count> <seed>
//       builds <count> random packets per well-formed template slot with the fast path and
//       with the general path (the TypeScript port) and counts the frames that differ.
//   bench-feed <dump> <reps> | bench-build <dump> <reps> | bench-plan <dump> <reps>
//       the feeder alone (TypeScript's chunks copied in; cores release at once), the frame
//       builder alone, or the planner alone (native counts), in ns per packet (under
//       callgrind: instructions per packet, deterministic).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "../src/synth-chunk-queue.h"
#include "../src/synth-feeder.h"
#include "../src/synth-packet-builder.h"
#include "../src/synth-plan.h"
#include "../src/synth-count-graph.h"
#include "../src/synth-planner.h"

using namespace txcore;

namespace {

using Fields = std::map<std::string, std::vector<uint8_t>>;

struct Dump {
  Fields plan;
  std::vector<Fields> chunks;
};

Dump readDump(const char* path) {
  FILE* f = fopen(path, "rb");
  if (f == nullptr) perror(path), exit(2);
  Dump dump;
  Fields* current = &dump.plan;
  for (;;) {
    int kind = fgetc(f);
    uint16_t nameLen = 0;
    uint32_t len = 0;
    if (kind == EOF || fread(&nameLen, 2, 1, f) != 1) break;
    std::string name(nameLen, '\0');
    if (nameLen > 0 && fread(name.data(), 1, nameLen, f) != nameLen) break;
    if (fread(&len, 4, 1, f) != 1) break;
    std::vector<uint8_t> bytes(len);
    if (len > 0 && fread(bytes.data(), 1, len, f) != len) break;
    if (kind == 'c') dump.chunks.emplace_back(), current = &dump.chunks.back();
    else if (kind == 'e') break;
    else (*current)[name] = std::move(bytes);
  }
  fclose(f);
  return dump;
}

double number(const Fields& f, const char* name) {
  auto it = f.find(name);
  if (it == f.end() || it->second.size() != 8) fprintf(stderr, "dump lacks number %s\n", name), exit(2);
  double v;
  memcpy(&v, it->second.data(), 8);
  return v;
}

template <typename T>
void array(const Fields& f, const char* name, std::vector<T>* out) {
  auto it = f.find(name);
  if (it == f.end()) fprintf(stderr, "dump lacks array %s\n", name), exit(2);
  out->resize(it->second.size() / sizeof(T));
  if (!out->empty()) memcpy(out->data(), it->second.data(), it->second.size());
}

void loadPlan(const Fields& f, SynthPlan* p) {
  p->seed = static_cast<uint32_t>(number(f, "seed"));
  p->binNs = number(f, "binNs");
  p->windowBins = static_cast<uint64_t>(number(f, "windowBins"));
  p->totalBins = static_cast<uint64_t>(number(f, "totalBins"));
  p->endNs = number(f, "endNs");
  p->tag = number(f, "tag") != 0;
  p->cores = static_cast<unsigned>(number(f, "cores"));
  p->rows = static_cast<uint32_t>(number(f, "rows"));
  array(f, "ipVersion", &p->ipVersion), array(f, "proto", &p->proto), array(f, "headerOffset", &p->headerOffset);
  array(f, "headerBytes", &p->headerBytes), array(f, "l3Offset", &p->l3Offset), array(f, "l4Offset", &p->l4Offset);
  array(f, "firstFlags", &p->firstFlags), array(f, "lastFlags", &p->lastFlags), array(f, "sizeOffset", &p->sizeOffset);
  array(f, "sizeLo", &p->sizeLo), array(f, "sizeSpan", &p->sizeSpan), array(f, "sizeCum", &p->sizeCum);
  array(f, "flagOffset", &p->flagOffset), array(f, "flagValue", &p->flagValue), array(f, "flagCum", &p->flagCum);
  array(f, "gapOffset", &p->gapOffset), array(f, "gapLo", &p->gapLo), array(f, "gapSpan", &p->gapSpan), array(f, "gapCum", &p->gapCum);
  array(f, "rowTemplate", &p->rowTemplate), array(f, "rowVariant", &p->rowVariant), array(f, "rowPackets", &p->rowPackets);
  array(f, "rowReverse", &p->rowReverse), array(f, "rowStartNs", &p->rowStartNs), array(f, "rowEndNs", &p->rowEndNs);
  array(f, "rowCore", &p->rowCore);
  p->chunkBins = static_cast<uint32_t>(number(f, "chunkBins"));
  p->nativeCounts = number(f, "nativeCounts") != 0;
  p->profileShift = static_cast<uint32_t>(number(f, "profileShift"));
  array(f, "kind", &p->kind), array(f, "modelPackets", &p->modelPackets), array(f, "modelReverse", &p->modelReverse);
  array(f, "startBin", &p->startBin), array(f, "lastBin", &p->lastBin), array(f, "binsPerCoef", &p->binsPerCoef);
  array(f, "coefBase", &p->coefBase), array(f, "coefCount", &p->coefCount), array(f, "coef", &p->coef), array(f, "profile", &p->profile);
  array(f, "lanes", &p->lanes), array(f, "memberSizeOffset", &p->memberSizeOffset), array(f, "memberSizeBucket", &p->memberSizeBucket);
  array(f, "memberSizeCum", &p->memberSizeCum);
  std::string why = p->finish();
  if (!why.empty()) fprintf(stderr, "plan rejected: %s\n", why.c_str()), exit(2);
}

void loadChunk(const Fields& f, SynthChunk* c) {
  c->firstBin = static_cast<uint64_t>(number(f, "firstBin"));
  c->binCount = static_cast<uint32_t>(number(f, "binCount"));
  array(f, "entryOffset", &c->entryOffset), array(f, "instance", &c->instance);
  array(f, "firstPacket", &c->firstPacket), array(f, "count", &c->count);
  array(f, "new.template", &c->newTemplate), array(f, "new.variant", &c->newVariant), array(f, "new.packets", &c->newPackets);
  array(f, "new.reverse", &c->newReverse), array(f, "new.startNs", &c->newStartNs), array(f, "new.endNs", &c->newEndNs);
  std::string why = c->check();
  if (!why.empty()) fprintf(stderr, "chunk rejected: %s\n", why.c_str()), exit(2);
}

// The JavaScript side as it is now: plans every chunk into a free slot (pushCounts), from the
// natively evaluated graph or from onnxruntime's counts, awaiting room when the queue is full.
void producePlanned(const SynthPlan& plan, const Dump& dump, SynthChunkQueue& queue, bool onnx) {
  SynthPlanner planner(plan);
  std::vector<float> counts;
  static const float kNoPairs = 0;
  for (size_t i = 0; !planner.done(); i++) {
    SynthChunk* slot;
    while ((slot = queue.beginPush()) == nullptr) {
      if (!queue.waitRoom()) return;
    }
    if (onnx) array(dump.chunks.at(i), "counts", &counts);
    const uint64_t first = planner.nextBin();
    std::string why = planner.plan(first, planner.chunkEnd(first), onnx ? (counts.empty() ? &kNoPairs : counts.data()) : nullptr, counts.size(), slot);
    queue.commitPush(why.empty());
    if (!why.empty()) return queue.abortInput(why);
  }
  queue.endInput();
}

// TypeScript's chunks copied in (what the feeder benches measure without the planner).
void produce(const Dump& dump, SynthChunkQueue& queue) {
  for (const Fields& f : dump.chunks) {
    SynthChunk* slot;
    while ((slot = queue.beginPush()) == nullptr) {
      if (!queue.waitRoom()) return;
    }
    loadChunk(f, slot);
    queue.commitPush();
  }
  queue.endInput();
}

uint64_t entryPackets(const Dump& dump) {
  uint64_t n = 0;
  std::vector<uint32_t> count;
  for (const Fields& f : dump.chunks) {
    array(f, "count", &count);
    for (uint32_t k : count) n += k;
  }
  return n;
}

// One generation core: builds the frames of its packets in every batch, in order.
void consume(const SynthPlan& plan, const SynthFeeder& feeder, unsigned core, const std::atomic<bool>& stop, std::vector<std::vector<uint8_t>>& frames) {
  std::vector<uint8_t> scratch;
  for (uint32_t gen = 0;; gen++) {
    const SynthBatch* b = feeder.acquire(gen, stop);
    if (b == nullptr) return;
    uint32_t count = plan.cores == 1 ? b->count : b->coreCount[core];
    for (uint32_t i = 0; i < count; i++) {
      uint32_t index = plan.cores == 1 ? i : b->indexOf(core)[i];
      const SynthDesc& d = b->descs[index];
      uint64_t seq = b->firstSeq + index;
      std::vector<uint8_t>& frame = frames.at(seq);
      scratch.assign(d.length + 64, 0xa5);  // not zero: the builder must write every byte
      synthesizeFrame(plan, d, seq, b->flowSeq != nullptr ? b->flowSeq[index] : 0, scratch.data(), static_cast<uint32_t>(scratch.size()));
      frame.assign(scratch.begin(), scratch.begin() + d.length);
      if (b->dueNs != nullptr && (b->dueNs[index] < 0 || (index > 0 && b->dueNs[index] < b->dueNs[index - 1]))) fprintf(stderr, "due times go backwards\n"), exit(3);
      // The engine sizes its mbufs to the plan's longest frame: none may be longer.
      if (d.length > plan.largestFrame) fprintf(stderr, "frame of %u bytes > the plan's largest, %u\n", d.length, plan.largestFrame), exit(3);
    }
    feeder.release(b);
  }
}

void writePcap(const char* path, const std::vector<std::vector<uint8_t>>& frames, uint64_t count) {
  FILE* f = fopen(path, "wb");
  if (f == nullptr) perror(path), exit(2);
  uint32_t header[6] = {0xa1b23c4d, 0x00040002, 0, 0, 262144, 1};
  fwrite(header, 4, 6, f);
  for (uint64_t i = 0; i < count; i++) {
    uint32_t rec[4] = {0, 0, static_cast<uint32_t>(frames[i].size()), static_cast<uint32_t>(frames[i].size())};
    fwrite(rec, 4, 4, f);
    fwrite(frames[i].data(), 1, frames[i].size(), f);
  }
  fclose(f);
}

int runPcap(const Dump& dump, const char* out, unsigned cores, uint32_t batchDescs, bool paced, bool onnx) {
  SynthPlan plan;
  loadPlan(dump.plan, &plan);
  if (plan.cores != cores) fprintf(stderr, "the dump binds rows to %u cores\n", plan.cores), exit(2);
  SynthChunkQueue queue;
  SynthFeeder feeder;
  PacingConfig pacing;
  if (paced) pacing.mode = PacingConfig::kPps, pacing.value = 1e6;
  TxFailure failed = feeder.open(&plan, &queue, pacing, batchDescs);
  if (failed.failed()) fprintf(stderr, "%s\n", failed.message.c_str()), exit(2);
  std::atomic<bool> stop{false};
  std::vector<std::vector<uint8_t>> frames(entryPackets(dump));
  std::thread producer(producePlanned, std::cref(plan), std::cref(dump), std::ref(queue), onnx);
  feeder.prepare(stop, std::chrono::steady_clock::now() + std::chrono::seconds(1));
  std::vector<std::thread> consumers;
  for (unsigned c = 0; c < cores; c++) consumers.emplace_back(consume, std::cref(plan), std::cref(feeder), c, std::cref(stop), std::ref(frames));
  feeder.serve(stop);
  for (std::thread& t : consumers) t.join();
  producer.join();
  uint64_t packets = feeder.endSeq();
  writePcap(out, frames, packets);
  SynthFeeder::Counters c = feeder.counters();
  printf("{\"packets\":%lu,\"dropped\":%lu,\"chunks\":%lu,\"bins\":%lu,\"failed\":%s}\n", (unsigned long)packets, (unsigned long)c.dropped,
         (unsigned long)c.chunks, (unsigned long)c.bins, feeder.failure().failed() ? "true" : "false");
  return feeder.failure().failed() ? 1 : 0;
}

int runPaths(const Dump& dump, uint32_t count, uint32_t seed) {
  SynthPlan plan;
  loadPlan(dump.plan, &plan);
  std::mt19937_64 rng(seed);
  std::vector<uint8_t> a(2 * kMaxIpBytes + 64), b(a.size());
  uint64_t compared = 0, mismatches = 0, slots = 0;
  for (bool tag : {false, true}) {
    plan.tag = tag;
    for (uint32_t slot = 0; slot < plan.slots.size(); slot++) {
      const SynthSlot& s = plan.slots[slot];
      if (!s.fast) continue;
      slots++;
      for (uint32_t i = 0; i < count; i++) {
        SynthDesc d{};
        d.slot = slot;
        uint64_t r = rng();
        d.variant = (r & 3) == 0 ? 0 : (r & 3) == 1 ? static_cast<uint32_t>(rng() % 70000) : static_cast<uint32_t>(rng());
        d.instance = static_cast<uint32_t>(rng());
        uint32_t size = static_cast<uint32_t>(rng() % 3 == 0 ? rng() % 70000 : rng() % 1600);
        d.length = synthFrameLength(s, size, tag);
        d.seqAdd = static_cast<uint32_t>(rng());
        d.ackAdd = static_cast<uint32_t>(rng());
        d.ipIdAdd = static_cast<uint16_t>(rng());
        d.flags = static_cast<uint8_t>(rng());
        uint64_t seq = rng(), flowSeq = rng();
        // the buffer is as large as the frame plus 0..63 bytes (an mbuf's room), or much larger
        const uint32_t capacity = rng() % 2 ? d.length + static_cast<uint32_t>(rng() % 64) : static_cast<uint32_t>(a.size());
        const size_t guard = std::min<size_t>(size_t{capacity} + 64, a.size());
        memset(a.data(), 0x5a, guard), memset(b.data(), 0xa5, d.length);
        synthesizeFrame(plan, d, seq, flowSeq, a.data(), capacity);  // the slot is fast: its shape's builder
        for (size_t k = capacity; k < guard; k++) {
          if (a[k] != 0x5a) fprintf(stderr, "slot %u: the fast builder wrote past its capacity\n", slot), exit(3);
        }
        synthesizeGeneral(plan, d, seq, flowSeq, b.data());
        compared++;
        if (memcmp(a.data(), b.data(), d.length) != 0 && mismatches++ < 5) {
          uint32_t at = 0;
          while (a[at] == b[at]) at++;
          fprintf(stderr, "slot %u variant %u length %u tag %d: fast and general differ at byte %u\n", slot, d.variant, d.length, tag, at);
        }
      }
    }
  }
  printf("{\"slots\":%lu,\"compared\":%lu,\"mismatches\":%lu}\n", (unsigned long)slots, (unsigned long)compared, (unsigned long)mismatches);
  return mismatches == 0 ? 0 : 1;
}

template <typename T>
bool sameArray(const Fields& f, const char* name, const std::vector<T>& got) {
  std::vector<T> want;
  array(f, name, &want);
  return want.size() == got.size() && (want.empty() || memcmp(want.data(), got.data(), want.size() * sizeof(T)) == 0);
}

// The native chunk against PlanBuilder's, array for array (bit for bit: NaN is NaN's one bit pattern on both sides).
bool sameChunk(const Fields& f, const SynthChunk& c) {
  return number(f, "firstBin") == static_cast<double>(c.firstBin) && number(f, "binCount") == c.binCount && sameArray(f, "entryOffset", c.entryOffset) &&
         sameArray(f, "instance", c.instance) && sameArray(f, "firstPacket", c.firstPacket) && sameArray(f, "count", c.count) &&
         sameArray(f, "new.template", c.newTemplate) && sameArray(f, "new.variant", c.newVariant) && sameArray(f, "new.packets", c.newPackets) &&
         sameArray(f, "new.reverse", c.newReverse) && sameArray(f, "new.startNs", c.newStartNs) && sameArray(f, "new.endNs", c.newEndNs);
}

// The count graph evaluated natively on every pair of every chunk (chunkPairs' order) against
// onnxruntime's float32 output, bit for bit; then both planners' chunks against PlanBuilder's.
int runPlan(const Dump& dump) {
  SynthPlan plan;
  loadPlan(dump.plan, &plan);
  SynthPlanner native(plan), onnx(plan);
  SynthChunk a, b;
  std::vector<float> counts;
  static const float kNoPairs = 0;
  uint64_t pairs = 0, countMismatches = 0, chunkMismatches = 0, chunks = 0;
  for (const Fields& f : dump.chunks) {
    const uint64_t first = static_cast<uint64_t>(number(f, "firstBin")), last = first + static_cast<uint64_t>(number(f, "binCount"));
    array(f, "counts", &counts);
    const uint64_t cycleBase = first / plan.windowBins * plan.windowBins;
    const int64_t b0 = static_cast<int64_t>(first - cycleBase), b1 = static_cast<int64_t>(last - cycleBase);
    size_t k = 0;
    for (uint32_t r = 0; r < plan.rows; r++) {
      if (!(plan.startBin[r] < b1 && plan.lastBin[r] >= b0 && plan.modelPackets[r] > 0)) continue;
      const int64_t from = std::max<int64_t>(b0, plan.startBin[r]), to = std::min<int64_t>(b1 - 1, plan.lastBin[r]);
      const size_t rowFirst = k;
      for (int64_t bin = from; bin <= to; bin++, k++) {
        float mine = synthCount(plan, r, cycleBase + static_cast<uint64_t>(bin));
        if (k >= counts.size() || memcmp(&mine, &counts[k], 4) != 0) {
          if (countMismatches++ < 5) fprintf(stderr, "row %u bin %lu: native %a, onnxruntime %a\n", r, (unsigned long)(cycleBase + bin), mine, k < counts.size() ? counts[k] : 0.0f);
        }
      }
      // the planner's run-wise evaluation gives the same floats
      synthCountRun(plan, r, static_cast<uint32_t>(from), static_cast<uint32_t>(to), [&](uint32_t i, float value) {
        if (rowFirst + i >= counts.size() || memcmp(&value, &counts[rowFirst + i], 4) != 0) countMismatches++;
      });
    }
    if (k != counts.size()) countMismatches++;
    pairs += k;
    std::string why = native.plan(first, last, nullptr, 0, &a);
    std::string why2 = onnx.plan(first, last, counts.empty() ? &kNoPairs : counts.data(), counts.size(), &b);
    if (!why.empty() || !why2.empty()) fprintf(stderr, "chunk %lu: %s %s\n", (unsigned long)chunks, why.c_str(), why2.c_str()), exit(1);
    if (!sameChunk(f, a) || !sameChunk(f, b)) {
      if (chunkMismatches++ < 5) fprintf(stderr, "chunk %lu (bins %lu..%lu) differs from PlanBuilder's\n", (unsigned long)chunks, (unsigned long)first, (unsigned long)last);
    }
    chunks++;
  }
  printf("{\"chunks\":%lu,\"pairs\":%lu,\"countMismatches\":%lu,\"chunkMismatches\":%lu}\n", (unsigned long)chunks, (unsigned long)pairs,
         (unsigned long)countMismatches, (unsigned long)chunkMismatches);
  return countMismatches == 0 && chunkMismatches == 0 ? 0 : 1;
}

double nowNs() { return static_cast<double>(std::chrono::steady_clock::now().time_since_epoch().count()); }

// Feeds the whole dump once with every core releasing at once; `keep` gets the first batch.
uint64_t feedOnce(const Dump& dump, const SynthPlan& plan, std::vector<SynthDesc>* keep) {
  SynthChunkQueue queue;
  SynthFeeder feeder;
  feeder.open(&plan, &queue, PacingConfig{}, 16384);
  std::atomic<bool> stop{false};
  std::thread producer(produce, std::cref(dump), std::ref(queue));
  std::thread releaser([&] {
    for (uint32_t gen = 0;; gen++) {
      const SynthBatch* b = feeder.acquire(gen, stop);
      if (b == nullptr) return;
      if (keep != nullptr && keep->empty()) keep->assign(b->descs, b->descs + b->count);
      for (unsigned c = 0; c < plan.cores; c++) feeder.release(b);
    }
  });
  feeder.prepare(stop, std::chrono::steady_clock::now() + std::chrono::seconds(1));
  feeder.serve(stop);
  releaser.join();
  producer.join();
  return feeder.endSeq();
}

// The planner alone (native counts), every chunk of the dump, `reps` times.
int runPlanBench(const Dump& dump, int reps) {
  SynthPlan plan;
  loadPlan(dump.plan, &plan);
  SynthChunk out;
  uint64_t packets = 0;
  double started = nowNs();
  for (int rep = 0; rep < reps; rep++) {
    SynthPlanner planner(plan);
    while (!planner.done()) {
      const uint64_t first = planner.nextBin();
      planner.plan(first, planner.chunkEnd(first), nullptr, 0, &out);
      for (uint32_t k : out.count) packets += k;
    }
  }
  double ns = nowNs() - started;
  printf("{\"mode\":\"plan\",\"packets\":%lu,\"nsPerPacket\":%.2f}\n", (unsigned long)packets, ns / static_cast<double>(packets));
  return 0;
}

int runBench(const Dump& dump, bool build, int reps) {
  SynthPlan plan;
  loadPlan(dump.plan, &plan);
  uint64_t packets = 0;
  std::vector<SynthDesc> descs;
  if (build) feedOnce(dump, plan, &descs);
  std::vector<uint8_t> frame(2 * kMaxIpBytes + 64);
  double started = nowNs();
  if (build) {  // the frame builder alone, over the first batch's packets
    for (int rep = 0; rep < reps; rep++) {
      // as the cores do: the tag is a property of the run, resolved outside the loop
      if (plan.tag) {
        for (size_t i = 0; i < descs.size(); i++) synthesizeFrameT<true>(plan, descs[i], i, 0, frame.data(), static_cast<uint32_t>(frame.size()));
      } else {
        for (size_t i = 0; i < descs.size(); i++) synthesizeFrameT<false>(plan, descs[i], i, 0, frame.data(), static_cast<uint32_t>(frame.size()));
      }
    }
    packets = descs.size() * static_cast<uint64_t>(reps);
  } else {
    for (int rep = 0; rep < reps; rep++) packets += feedOnce(dump, plan, nullptr);
  }
  double ns = nowNs() - started;
  printf("{\"mode\":\"%s\",\"packets\":%lu,\"nsPerPacket\":%.2f}\n", build ? "build" : "feed", (unsigned long)packets, ns / static_cast<double>(packets));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) return fprintf(stderr, "usage: synthesis-test pcap|plan|paths|bench-feed|bench-build|bench-plan <dump> ...\n"), 2;
  std::string mode = argv[1];
  Dump dump = readDump(argv[2]);
  if (mode == "pcap" && argc >= 5) {
    const bool paced = argc > 6 && std::string(argv[6]) == "paced", onnx = argc > 7 && std::string(argv[7]) == "onnx";
    return runPcap(dump, argv[3], static_cast<unsigned>(atoi(argv[4])), argc > 5 ? static_cast<uint32_t>(atoi(argv[5])) : 16384, paced, onnx);
  }
  if (mode == "plan") return runPlan(dump);
  if (mode == "bench-plan") return runPlanBench(dump, argc > 3 ? atoi(argv[3]) : 3);
  if (mode == "paths" && argc >= 5) return runPaths(dump, static_cast<uint32_t>(atoi(argv[3])), static_cast<uint32_t>(atoi(argv[4])));
  if (mode == "bench-feed" || mode == "bench-build") return runBench(dump, mode == "bench-build", argc > 3 ? atoi(argv[3]) : 3);
  return fprintf(stderr, "bad arguments\n"), 2;
}
