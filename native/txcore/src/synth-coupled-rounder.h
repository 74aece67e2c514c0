// Expected packets per (row, bin) -> whole packets, all rows of a bin together: the native
// twin of libs/flow-model/src/regen/coupled-rounding.ts (docs/flow-models.md "Regeneration"),
// operation for operation in float64 so every debt, total and tie comes out as in
// JavaScript. Per window bin: each active row's debt grows by its expectation; packet 0 of a
// row goes to its first bin and all its remaining packets to its last; the bin's total follows
// the running aggregate expectation (systematic rounding); the slots left go to the rows owed
// most (whole packets of debt first, then the largest remainders, ties to the lower row).
//
// The TypeScript sorts its candidates twice per bin; here the same result is reached without
// a sort in the usual case (see shareSlots in the .cc): when the whole packets owed fit in the
// slots their order does not matter, and the remainders only need the first `slots` of that
// order, which a selection finds. Runs on the thread that plans chunks; no allocation once
// its scratch has grown to the largest bin.
#pragma once

#include <cstdint>
#include <vector>

#include "js-number.h"

namespace txcore {

class CoupledRounder {
 public:
  // packets / startBin / lastBin of every row (window bins), as PlanBuilder passes them.
  CoupledRounder(const double* packets, const int32_t* startBin, const int32_t* lastBin, uint32_t rows);
  // A window cycle starts: every row from its first packet again.
  void reset();
  // Places window bin `bin` for the active rows ids[0..n) (ascending) with expectations
  // expected[0..n); emit(row, firstPacket, count) for each row that sends in it, in ids order.
  template <typename Emit>
  void placeBin(int64_t bin, const uint32_t* ids, const double* expected, uint32_t n, Emit&& emit) {
    if (!prepareBin(bin, ids, expected, n)) return;
    for (uint32_t i = 0; i < n; i++) {
      const uint32_t r = ids[i];
      const double g = give_[r];
      if (g <= 0) continue;
      emit(r, sent_[r], g);
      sent_[r] += g;
      debt_[r] -= g;
      aggregateSent_ += g;
      give_[r] = 0;
    }
  }

 private:
  // Debts, forced packets and the slots shared out; false when no row sends in the bin.
  bool prepareBin(int64_t bin, const uint32_t* ids, const double* expected, uint32_t n);
  double shareSlots(int64_t bin, const uint32_t* ids, uint32_t n, double slots);
  double owed(uint32_t r) const { return debt_[r] - give_[r]; }
  double room(int64_t bin, uint32_t r) const;
  // (owed desc, row asc): byOwed of coupled-rounding.ts, a total order on finite owed values.
  bool before(uint32_t a, uint32_t b) const;

  const double* packets_;
  const int32_t* startBin_;
  const int32_t* lastBin_;
  std::vector<double> debt_, sent_, give_;
  double aggregateExpected_ = 0, aggregateSent_ = 0;
  std::vector<uint32_t> candidates_;
};

}  // namespace txcore
