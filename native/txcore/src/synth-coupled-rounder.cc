#include "synth-coupled-rounder.h"

#include <algorithm>
#include <cmath>

namespace txcore {

CoupledRounder::CoupledRounder(const double* packets, const int32_t* startBin, const int32_t* lastBin, uint32_t rows)
    : packets_(packets), startBin_(startBin), lastBin_(lastBin), debt_(rows, 0.0), sent_(rows, 0.0), give_(rows, 0.0) {
  candidates_.reserve(rows);
}

void CoupledRounder::reset() {
  std::fill(debt_.begin(), debt_.end(), 0.0);
  std::fill(sent_.begin(), sent_.end(), 0.0);
  aggregateExpected_ = 0;
  aggregateSent_ = 0;
}

double CoupledRounder::room(int64_t bin, uint32_t r) const {
  if (bin == lastBin_[r]) return 0;
  return std::max(0.0, packets_[r] - 1 - sent_[r] - give_[r]);
}

bool CoupledRounder::before(uint32_t a, uint32_t b) const {
  const double d = owed(b) - owed(a);
  if (d < 0) return true;
  if (d > 0) return false;
  return a < b;  // equal (or both infinite): `|| a - b`
}

// coupled-rounding.ts placeBin's first loop and the slot count.
bool CoupledRounder::prepareBin(int64_t bin, const uint32_t* ids, const double* expected, uint32_t n) {
  double forced = 0;
  for (uint32_t i = 0; i < n; i++) {
    const uint32_t r = ids[i];
    debt_[r] += expected[i];
    aggregateExpected_ += expected[i];
    double g = 0;
    if (sent_[r] == 0 && bin == startBin_[r] && packets_[r] >= 1) g = 1;
    if (bin == lastBin_[r]) g = packets_[r] - sent_[r];
    give_[r] = g;
    forced += g;
  }
  const double target = jsRound(aggregateExpected_) - aggregateSent_;
  const double free = target - forced;  // Math.max(0, NaN) is NaN in JavaScript: not > 0 either
  if (free > 0) {
    shareSlots(bin, ids, n, free);
    return true;
  }
  return forced != 0;  // every give is 0 otherwise (each is >= 0)
}

// coupled-rounding.ts shareSlots, without its two sorts where they cannot matter:
// 1. Whole packets: each candidate gets min(floor(owed), room, slots left), in (owed desc, row
//    asc) order. Only the slots running out makes the order matter; when the sum of
//    min(floor(owed), room) fits (exact: integers far below 2^53), every candidate gets its
//    own share whatever the order. Otherwise sort and run the loop as written; it then ends
//    with no slot left, so step 2 does nothing (as in JavaScript's early return).
// 2. Remainders: the TypeScript re-sorts and gives one packet to each candidate in order,
//    skipping rows without room and stopping at the first with owed <= 0 (the sort put all
//    of those last), until the slots are gone: exactly the first `slots` candidates in that
//    order among those with owed > 0 and room > 0. nth_element selects that set (the order
//    is total: ties go to the lower row), so no sort is needed.
double CoupledRounder::shareSlots(int64_t bin, const uint32_t* ids, uint32_t n, double slots) {
  candidates_.clear();
  double wholeTotal = 0;
  for (uint32_t i = 0; i < n; i++) {
    const uint32_t r = ids[i];
    const double o = owed(r), space = room(bin, r);
    if (!(o > 0 && space > 0)) continue;
    candidates_.push_back(r);
    wholeTotal += std::min(std::floor(o), space);
  }
  auto before = [this](uint32_t a, uint32_t b) { return this->before(a, b); };
  if (wholeTotal > slots) {
    std::sort(candidates_.begin(), candidates_.end(), before);
    for (uint32_t r : candidates_) {
      const double whole = std::min(std::min(std::floor(owed(r)), room(bin, r)), slots);
      give_[r] += whole;
      slots -= whole;
      if (slots == 0) return 0;
    }
  } else {
    for (uint32_t r : candidates_) give_[r] += std::min(std::floor(owed(r)), room(bin, r));
    slots -= wholeTotal;
    if (slots == 0) return 0;
  }
  size_t kept = 0;
  for (uint32_t r : candidates_) {
    if (owed(r) > 0 && room(bin, r) > 0) candidates_[kept++] = r;
  }
  candidates_.resize(kept);
  if (static_cast<double>(kept) > slots) {
    const size_t take = static_cast<size_t>(slots);  // slots is a whole number here
    std::nth_element(candidates_.begin(), candidates_.begin() + static_cast<std::ptrdiff_t>(take - 1), candidates_.end(), before);
    candidates_.resize(take);
  }
  for (uint32_t r : candidates_) give_[r] += 1;
  return slots - static_cast<double>(candidates_.size());
}

}  // namespace txcore
