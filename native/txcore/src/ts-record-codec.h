// One archive record as the native replay reads it (paper 2, section V.A; the byte layout
// and its checks are libs/tsarchive's, docs/timeseries.md "The archive format"):
//   Length (2 B, big-endian, the record's TOTAL length, >= 30) | Timestamp (12 B BCD,
//   Table I) | Device ID (16 B) | Data.
// decodeTsTimestamp() turns the BCD field into UTC microseconds since 1970 with the same
// rules as the TypeScript reader (a nibble above 9 is BAD_BCD; month 13, February 30,
// hour 24, minute/second 60 or an offset above 23:59 is BAD_DATE). Inline and allocation
// free: a worker thread calls it per record. DPDK-free (test/ts-pipeline-test.cc).
#pragma once

#include <cstdint>
#include <string>

namespace txcore {

constexpr uint32_t kTsHeaderBytes = 30;
constexpr uint32_t kTsTimestampAt = 2;
constexpr uint32_t kTsDeviceAt = 14;
constexpr uint32_t kTsDeviceBytes = 16;

enum class TsDecode : uint8_t { kOk, kBadBcd, kBadDate };

inline uint32_t tsRecordLength(const uint8_t* p) { return static_cast<uint32_t>(p[0]) << 8 | p[1]; }

namespace tsdetail {

// 0..99, or -1 when a nibble is above 9.
inline int bcd(uint8_t b) { return (b >> 4) <= 9 && (b & 15) <= 9 ? (b >> 4) * 10 + (b & 15) : -1; }

inline bool leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

inline int daysInMonth(int y, int m) {
  static constexpr int kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && leap(y) ? 29 : kDays[m - 1];
}

// H. Hinnant's days_from_civil: days from 1970-01-01 (proleptic Gregorian).
inline int64_t daysFromCivil(int y, int m, int d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

}  // namespace tsdetail

// Decodes the 12-byte timestamp at `ts` into UTC microseconds since 1970.
inline TsDecode decodeTsTimestamp(const uint8_t* ts, int64_t* utcUs) {
  using namespace tsdetail;
  const int yHi = bcd(ts[0]), yLo = bcd(ts[1]), month = bcd(ts[2]), day = bcd(ts[3]);
  const int hour = bcd(ts[4]), minute = bcd(ts[5]), second = bcd(ts[6]);
  const int f0 = bcd(ts[7]), f1 = bcd(ts[8]), f2 = bcd(ts[9]);
  const int tzHour = bcd(ts[10] & 0x7f), tzMin = bcd(ts[11]);
  if ((yHi | yLo | month | day | hour | minute | second | f0 | f1 | f2 | tzHour | tzMin) < 0) return TsDecode::kBadBcd;
  const int year = yHi * 100 + yLo;
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return TsDecode::kBadDate;
  if (hour > 23 || minute > 59 || second > 59 || tzHour > 23 || tzMin > 59) return TsDecode::kBadDate;
  int64_t offsetMin = tzHour * 60 + tzMin;
  if ((ts[10] & 0x80) != 0) offsetMin = -offsetMin;  // "-00:00" is 0 either way
  const int64_t secOfDay = (hour * 60 + minute) * 60 + second;
  *utcUs = (daysFromCivil(year, month, day) * 86400 + secOfDay) * 1000000 + (f0 * 100 + f1) * 100 + f2 - offsetMin * 60000000;
  return TsDecode::kOk;
}

// A one-line reason for a failed decode (slow path, errors only), in the TypeScript
// reader's words so both readers explain a bad record alike.
std::string describeTsTimestampProblem(const uint8_t* ts);

}  // namespace txcore
