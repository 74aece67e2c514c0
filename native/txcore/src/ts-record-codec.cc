#include "ts-record-codec.h"

#include <cstdio>

namespace txcore {

std::string describeTsTimestampProblem(const uint8_t* ts) {
  using tsdetail::bcd;
  char hex[40];
  snprintf(hex, sizeof hex, "%02x %02x %02x %02x %02x %02x %02x %02x %02x %02x %02x %02x", ts[0], ts[1], ts[2], ts[3], ts[4], ts[5], ts[6],
           ts[7], ts[8], ts[9], ts[10], ts[11]);
  static constexpr const char* kNames[12] = {"year", "year", "month", "day", "hour", "minute", "second",
                                              "microsecond", "microsecond", "microsecond", "zone hour", "zone minute"};
  char out[160];
  for (int i = 0; i < 12; i++) {
    uint8_t b = i == 10 ? ts[i] & 0x7f : ts[i];
    if (bcd(b) < 0) {
      snprintf(out, sizeof out, "timestamp byte %d (%s) 0x%02x is not two decimal digits [%s]", i, kNames[i], ts[i], hex);
      return out;
    }
  }
  const int year = bcd(ts[0]) * 100 + bcd(ts[1]), month = bcd(ts[2]), day = bcd(ts[3]);
  if (month < 1 || month > 12) {
    snprintf(out, sizeof out, "month %d is impossible [%s]", month, hex);
  } else if (day < 1 || day > tsdetail::daysInMonth(year, month)) {
    snprintf(out, sizeof out, "day %d does not exist in %04d-%02d [%s]", day, year, month, hex);
  } else if (bcd(ts[4]) > 23 || bcd(ts[5]) > 59 || bcd(ts[6]) > 59) {
    snprintf(out, sizeof out, "time %d:%d:%d is impossible (hour 0-23, minute and second 0-59) [%s]", bcd(ts[4]), bcd(ts[5]), bcd(ts[6]), hex);
  } else {
    snprintf(out, sizeof out, "time-zone offset %d:%d is impossible (at most 23:59) [%s]", bcd(ts[10] & 0x7f), bcd(ts[11]), hex);
  }
  return out;
}

}  // namespace txcore
