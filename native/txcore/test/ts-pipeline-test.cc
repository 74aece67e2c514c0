// The time-series replay's threading without DPDK (issue 5): the MPMC queue, and the IO
// thread -> per-worker double buffers -> worker threads -> normal and out-of-order queues
// pipeline (ts-record-pipeline.h), consumed by TX-like threads. Checks, under
// ThreadSanitizer (built and run by ts-pipeline.spec.ts):
//   - every record comes out exactly once, with the bytes the archive has (a buffer
//     refilled too early would show other bytes), due at the time its timestamp says;
//   - each consumer of the normal queue sees increasing record numbers (file order);
//   - out-of-order records are the chosen ones only, delayed 0..W us;
//   - a corrupt record stops the stream after exactly the records before it, and the
//     failure names its offset and record number;
//   - the drift window's microsecond boundaries and the raw MPMC queue under contention.
// Usage: ts-pipeline-test <dir> <records> <workers> <consumers> <oooConsumers> [seed]
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "../src/mpmc-queue.h"
#include "../src/ts-drift-window.h"
#include "../src/ts-record-codec.h"
#include "../src/ts-record-pipeline.h"

using namespace txcore;

namespace {

int failures = 0;
#define CHECK(cond, ...)                                  \
  do {                                                    \
    if (!(cond) && failures++ < 10) {                     \
      fprintf(stderr, "check failed: %s: ", #cond);       \
      fprintf(stderr, __VA_ARGS__);                       \
      fprintf(stderr, "\n");                              \
    }                                                     \
  } while (0)

constexpr int64_t kStartUs = 1704067200000000;  // 2024-01-01T00:00:00Z
constexpr unsigned kDevices = 7;

uint8_t bcd(int v) { return static_cast<uint8_t>((v / 10) << 4 | v % 10); }

void civilFromDays(int64_t z, int* y, int* m, int* d) {
  z += 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  *d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  *m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  *y = static_cast<int>(yoe + era * 400 + (*m <= 2));
}

// UTC timestamp `us`, written at +01:00 (so the offset path is exercised too).
void encodeTimestamp(int64_t us, uint8_t* ts) {
  int64_t local = us + 3600000000LL;
  int64_t days = local / 86400000000LL, rest = local % 86400000000LL;
  int y, m, d;
  civilFromDays(days, &y, &m, &d);
  int64_t sec = rest / 1000000, frac = rest % 1000000;
  uint8_t v[12] = {bcd(y / 100), bcd(y % 100), bcd(m), bcd(d), bcd(static_cast<int>(sec / 3600)), bcd(static_cast<int>(sec / 60 % 60)),
                   bcd(static_cast<int>(sec % 60)), bcd(static_cast<int>(frac / 10000)), bcd(static_cast<int>(frac / 100 % 100)),
                   bcd(static_cast<int>(frac % 100)), 0x01, 0x00};
  memcpy(ts, v, 12);
}

int64_t recordUs(uint64_t n) { return kStartUs + static_cast<int64_t>(n / 2 * 3 + n % 2);  }  // pairs 1 us apart, 2 us gaps
uint32_t dataBytes(uint64_t n) { return 8 + static_cast<uint32_t>(n % 53); }
uint8_t dataByte(uint64_t n, uint32_t j) { return static_cast<uint8_t>(n * 31 + j * 7); }

// Writes `records` records; with `corruptAt` >= 0 that record's month is 13. Returns the
// byte offset of record `corruptAt`.
int64_t writeArchive(const std::string& path, uint64_t records, int64_t corruptAt) {
  FILE* f = fopen(path.c_str(), "wb");
  if (f == nullptr) return perror("archive"), exit(2), 0;
  int64_t offset = 0, corruptOffset = -1;
  std::vector<uint8_t> rec(30 + 64);
  for (uint64_t n = 0; n < records; n++) {
    uint32_t len = 30 + dataBytes(n);
    rec[0] = static_cast<uint8_t>(len >> 8), rec[1] = static_cast<uint8_t>(len);
    encodeTimestamp(recordUs(n), &rec[2]);
    memset(&rec[14], 0, 16);
    snprintf(reinterpret_cast<char*>(&rec[14]), 16, "dev-%u", static_cast<unsigned>(n % kDevices));
    memcpy(&rec[30], &n, 8);
    for (uint32_t j = 8; j < dataBytes(n); j++) rec[30 + j] = dataByte(n, j);
    if (static_cast<int64_t>(n) == corruptAt) rec[4] = 0x13, corruptOffset = offset;
    fwrite(rec.data(), 1, len, f);
    offset += len;
  }
  fclose(f);
  return corruptOffset;
}

struct Seen {
  std::vector<std::atomic<uint8_t>> count;
  explicit Seen(uint64_t n) : count(n) {}
};

// A TX-like consumer: pops, checks the record's bytes and due time, counts it done.
void consume(TsRecordPipeline& p, MpmcQueue<TsRecordDesc>& q, bool ooo, uint32_t windowUs, Seen& seen, std::atomic<uint64_t>& got) {
  uint64_t last = 0;
  bool first = true;
  TsRecordDesc d{};
  for (;;) {
    if (!q.tryPop(&d)) {
      bool closed = q.closed();  // read before the re-check: closed and still empty is the end
      if (!q.tryPop(&d)) {
        if (closed) return;
        std::this_thread::yield();
        continue;
      }
    }
    const uint8_t* rec = p.recordBytes(d);
    uint64_t n;
    memcpy(&n, rec + 30, 8);
    CHECK(n == d.record, "record %lu has the bytes of %lu (buffer reused too early?)", (unsigned long)d.record, (unsigned long)n);
    CHECK(d.length == 30 + dataBytes(d.record), "record %lu length %u", (unsigned long)d.record, d.length);
    for (uint32_t j = 8; j < dataBytes(d.record); j++) CHECK(rec[30 + j] == dataByte(d.record, j), "record %lu byte %u", (unsigned long)d.record, j);
    int64_t due = (recordUs(d.record) - kStartUs) * 1000;
    bool isOoo = (d.flags & kTsOutOfOrder) != 0;
    CHECK(isOoo == ooo, "record %lu came through the wrong queue", (unsigned long)d.record);
    if (isOoo) CHECK(d.dueNs >= due && d.dueNs <= due + int64_t(windowUs) * 1000 && d.dueNs % 1000 == 0, "ooo delay of %lu", (unsigned long)d.record);
    else CHECK(d.dueNs == due, "record %lu due %ld, expected %ld", (unsigned long)d.record, (long)d.dueNs, (long)due);
    CHECK(d.device == (d.record < kDevices ? d.record : d.device), "device numbering");
    CHECK(first || d.record > last, "consumer saw %lu after %lu", (unsigned long)d.record, (unsigned long)last);
    first = false;
    last = d.record;
    if (d.record < seen.count.size()) seen.count[d.record].fetch_add(1, std::memory_order_relaxed);
    got.fetch_add(1, std::memory_order_relaxed);
    p.done(d.buffer, 1);
  }
}

struct RunResult {
  uint64_t consumed, ooo;
  TxFailure failure;
  uint64_t bufferWaits;
};

RunResult runPipeline(const std::string& path, uint64_t records, unsigned workers, unsigned consumers, unsigned oooConsumers, uint64_t seed, double p) {
  TsPipelineConfig config;
  config.path = path;
  config.bufferBytes = 1u << 20;  // ~15k records per chunk: many refills of every buffer
  config.workers = workers;
  config.queueSlots = 1024;
  config.schedule.oooProbability = oooConsumers > 0 ? p : 0;
  config.schedule.oooWindowUs = 50;
  config.schedule.seed = seed;
  TsRecordPipeline pipe;
  TxFailure open = pipe.open(config);
  if (open.failed()) return fprintf(stderr, "open: %s\n", open.message.c_str()), exit(2), RunResult{};
  std::atomic<bool> stop{false};
  Seen seen(records);
  std::atomic<uint64_t> got{0}, gotOoo{0};
  pipe.prefill(stop);
  std::vector<std::thread> threads;
  for (unsigned c = 0; c < consumers; c++) threads.emplace_back([&] { consume(pipe, pipe.queue(), false, 50, seen, got); });
  for (unsigned c = 0; c < oooConsumers; c++) threads.emplace_back([&] { consume(pipe, pipe.oooQueue(), true, 50, seen, gotOoo); });
  pipe.serve(stop);
  for (std::thread& t : threads) t.join();
  // Devices are numbered in order of first appearance: dev-0 .. dev-6 are devices 0..6.
  for (unsigned d = 0; d < kDevices && d < pipe.flows().devices(); d++) {
    char name[16] = {};
    snprintf(name, 16, "dev-%u", d);
    CHECK(memcmp(pipe.flows().deviceId(d), name, 16) == 0, "device %u is not %s", d, name);
    CHECK(pipe.flows().deviceFlow(d) == d, "device %u flow %u", d, pipe.flows().deviceFlow(d));
    CHECK(pipe.flows().tuple(static_cast<uint16_t>(d)).srcPort == 10000 + d, "port-per-device port of %u", d);
  }
  uint64_t once = 0;
  for (uint64_t n = 0; n < records; n++) once += seen.count[n].load() == 1;
  return {once, gotOoo.load(), pipe.failure(), pipe.bufferWaits()};
}

void checkDriftWindow() {
  const uint64_t hz = 2000000000, start = 1000000;  // 2 GHz: 2000 ticks per us
  TsDriftWindow off(-1, start, hz);
  CHECK(off.allows(0, start + 999999999), "no window: never drop");
  TsDriftWindow zero(0, start, hz), five(5, start, hz);
  CHECK(zero.nowUs(start) == 0 && zero.nowUs(start + 1999) == 0 && zero.nowUs(start + 2000) == 1, "whole microseconds");
  CHECK(zero.nowUs(start - 1) == -1, "before the start");
  CHECK(zero.allows(12000, start + 12 * 2000) && zero.allows(12000, start + 13 * 2000 - 1), "drift 0: the record's own microsecond");
  CHECK(!zero.allows(12000, start + 13 * 2000), "drift 0: the next microsecond is a violation");
  CHECK(zero.allows(12999, start + 13 * 2000 - 1) && !zero.allows(12999, start + 13 * 2000), "due 12.999 us is in tick 12");
  CHECK(five.allows(12000, start + 18 * 2000 - 1) && !five.allows(12000, start + 18 * 2000), "drift 5");
  CHECK(zero.deadlineTsc(12000) == start + 13 * 2000, "deadline is the first violating TSC");
  CHECK(!zero.allows(-1, start), "due before the start, checked at the start");
  TsDriftWindow odd(0, 7, 3000000001ull);  // a TSC rate that is not a whole number per us
  for (int64_t due : {0L, 999L, 1000L, 123456L}) {
    uint64_t dl = odd.deadlineTsc(due);
    CHECK(!odd.allows(due, dl) && odd.allows(due, dl - 1), "deadline boundary at due %ld", (long)due);
  }
}

void checkQueue(unsigned producers, unsigned consumers, uint64_t perProducer) {
  MpmcQueue<uint64_t> q;
  q.init(64);
  std::vector<std::atomic<uint8_t>> seen(producers * perProducer);
  std::atomic<unsigned> left{producers};
  std::vector<std::thread> t;
  for (unsigned p = 0; p < producers; p++) {
    t.emplace_back([&, p] {
      for (uint64_t i = 0; i < perProducer; i++) {
        while (!q.tryPush(p * perProducer + i)) std::this_thread::yield();
      }
      if (left.fetch_sub(1) == 1) q.close();
    });
  }
  for (unsigned c = 0; c < consumers; c++) {
    t.emplace_back([&] {
      std::vector<uint64_t> last(producers, 0);
      std::vector<bool> any(producers, false);
      uint64_t v = 0;
      for (;;) {
        if (!q.tryPop(&v)) {
          bool closed = q.closed();
          if (!q.tryPop(&v)) {
            if (closed) return;
            continue;
          }
        }
        unsigned p = static_cast<unsigned>(v / perProducer);
        CHECK(!any[p] || v > last[p], "queue reordered one producer's values");
        any[p] = true, last[p] = v;
        seen[v].fetch_add(1);
      }
    });
  }
  for (auto& th : t) th.join();
  uint64_t once = 0;
  for (auto& s : seen) once += s.load() == 1;
  CHECK(once == producers * perProducer, "queue delivered %lu of %lu exactly once", (unsigned long)once, (unsigned long)(producers * perProducer));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 6) return fprintf(stderr, "usage: %s dir records workers consumers oooConsumers [seed]\n", argv[0]), 2;
  std::string dir = argv[1];
  uint64_t records = strtoull(argv[2], nullptr, 10);
  unsigned workers = static_cast<unsigned>(atoi(argv[3])), consumers = static_cast<unsigned>(atoi(argv[4])), ooo = static_cast<unsigned>(atoi(argv[5]));
  uint64_t seed = argc > 6 ? strtoull(argv[6], nullptr, 10) : 1;
  checkDriftWindow();
  checkQueue(3, 3, 20000);

  std::string good = dir + "/good.tsa", bad = dir + "/bad.tsa";
  writeArchive(good, records, -1);
  RunResult r = runPipeline(good, records, workers, consumers, ooo, seed, 0.05);
  CHECK(r.consumed == records, "%lu of %lu records exactly once", (unsigned long)r.consumed, (unsigned long)records);
  CHECK(!r.failure.failed(), "unexpected failure: %s", r.failure.message.c_str());

  const int64_t corruptAt = static_cast<int64_t>(records * 2 / 3);
  int64_t corruptOffset = writeArchive(bad, records, corruptAt);
  RunResult b = runPipeline(bad, records, workers, consumers, ooo, seed, 0.05);
  CHECK(b.consumed == static_cast<uint64_t>(corruptAt), "corrupt archive: %lu records before record %ld", (unsigned long)b.consumed, (long)corruptAt);
  CHECK(b.failure.failed() && strcmp(b.failure.stage, stage::kArchiveBadDate) == 0, "corrupt archive: stage %s", b.failure.stage ? b.failure.stage : "none");
  CHECK(b.failure.record == corruptAt && b.failure.offset == corruptOffset, "failure at record %ld offset %ld", (long)b.failure.record, (long)b.failure.offset);
  printf("{\"records\":%lu,\"consumed\":%lu,\"outOfOrder\":%lu,\"bufferWaits\":%lu,\"corruptConsumed\":%lu,\"corruptRecord\":%ld,\"failures\":%d,\"ok\":%s}\n",
         (unsigned long)records, (unsigned long)r.consumed, (unsigned long)r.ooo, (unsigned long)r.bufferWaits, (unsigned long)b.consumed,
         (long)b.failure.record, failures, failures == 0 ? "true" : "false");
  return failures == 0 ? 0 : 1;
}
