// The rows of the model's flow table before they are fitted, as libs/flow-model's RowSet
// (row-set.ts) holds them: one vector per table, filled in row order, with the same
// appenders. train-rows.cc and train-classes.cc write it; napi-train-pass.cc hands the
// vectors to JavaScript, which takes them as a RowSet as they are. DPDK-free.
#pragma once

#include <cmath>
#include <cstdint>
#include <vector>

#include "js-number.h"

namespace txcore {

// A count as the model stores it (row-set.ts storedWeight): uint32, saturating; Math.round
// (halves up); NaN gives 0, as storing NaN in a Uint32Array does.
inline uint32_t trainStoredWeight(double w) {
  if (w >= 4294967295.0) return 0xffffffffu;
  if (!(w == w)) return 0;
  const double r = jsRound(w);
  return r <= 0 ? 0 : static_cast<uint32_t>(r);
}

struct TrainRowSet {
  static constexpr uint8_t kFlowRow = 0, kClassRow = 1;  // flow-model.ts ROW_KIND

  uint32_t count = 0;
  // Per row.
  std::vector<uint8_t> kind, ipVersion, proto;
  std::vector<double> startBin, lastBin, packets, reverse, startNs, endNs, members;
  std::vector<float> concurrency;
  // Per direction (row * 2 + dir): the source template's slot in the pass (-1: none) and its length.
  std::vector<int32_t> templateSlot, headerLength;
  double headerTotal = 0;
  std::vector<uint8_t> firstFlags, lastFlags;
  std::vector<uint32_t> sizeOffset, flagOffset;          // directions + 1
  std::vector<uint32_t> gapOffset, memberSizeOffset;     // rows + 1
  std::vector<uint32_t> keyAt;                           // rows + 1
  std::vector<int32_t> histShift, histLength;
  // Entries.
  std::vector<uint16_t> sizeLo, sizeSpan;
  std::vector<uint32_t> sizeWeight;
  std::vector<uint8_t> flagValue;
  std::vector<uint32_t> flagWeight;
  std::vector<uint8_t> gapBucket;
  std::vector<uint32_t> gapWeight;
  std::vector<uint8_t> memberSizeBucket;
  std::vector<uint32_t> memberSizeWeight;
  std::vector<int32_t> histKeys;
  std::vector<double> histValues;

  explicit TrainRowSet(uint32_t rows)
      : kind(rows), ipVersion(rows), proto(rows), startBin(rows), lastBin(rows), packets(rows), reverse(rows), startNs(rows), endNs(rows),
        members(rows), concurrency(rows), templateSlot(size_t{rows} * 2, -1), headerLength(size_t{rows} * 2), firstFlags(size_t{rows} * 2),
        lastFlags(size_t{rows} * 2), sizeOffset(size_t{rows} * 2 + 1), flagOffset(size_t{rows} * 2 + 1), gapOffset(size_t{rows} + 1),
        memberSizeOffset(size_t{rows} + 1), keyAt(size_t{rows} + 1), histShift(rows), histLength(rows) {}

  // setTemplate: direction `s` takes the template of the pass's slot `slot` (-1: none) of `length` bytes.
  void setTemplate(uint32_t s, int32_t slot, uint32_t length) {
    templateSlot[s] = slot;
    headerLength[s] = static_cast<int32_t>(length);
    headerTotal += length;
  }
  void addSize(uint32_t lo, uint32_t span, double weight) {
    sizeLo.push_back(static_cast<uint16_t>(lo));
    sizeSpan.push_back(static_cast<uint16_t>(span));
    sizeWeight.push_back(trainStoredWeight(weight));
  }
  void addFlag(int32_t value, double weight) {
    flagValue.push_back(static_cast<uint8_t>(value));
    flagWeight.push_back(trainStoredWeight(weight));
  }
  void endDirection(uint32_t s) {
    sizeOffset[s + 1] = static_cast<uint32_t>(sizeLo.size());
    flagOffset[s + 1] = static_cast<uint32_t>(flagValue.size());
  }
  // setGaps: values[b] for the bits b of `mask` (those positive), ascending.
  void setGaps(uint32_t row, const double* values, uint32_t mask) {
    for (uint32_t m = mask; m != 0; m &= m - 1) {
      const uint32_t b = static_cast<uint32_t>(__builtin_ctz(m));
      gapBucket.push_back(static_cast<uint8_t>(b));
      gapWeight.push_back(trainStoredWeight(values[b]));
    }
    gapOffset[row + 1] = static_cast<uint32_t>(gapBucket.size());
  }
  // setMemberSizes: the positive values of values[0 .. length).
  void setMemberSizes(uint32_t row, const double* values, uint32_t length) {
    for (uint32_t b = 0; b < length; b++) {
      if (values[b] > 0) {
        memberSizeBucket.push_back(static_cast<uint8_t>(b));
        memberSizeWeight.push_back(trainStoredWeight(values[b]));
      }
    }
    memberSizeOffset[row + 1] = static_cast<uint32_t>(memberSizeBucket.size());
  }
  // setHistogram: sparse keys (ascending) and their counts.
  template <typename Key>
  void setHistogram(uint32_t row, uint32_t shift, const std::vector<Key>& keys, const std::vector<double>& values) {
    for (size_t i = 0; i < keys.size(); i++) {
      histKeys.push_back(static_cast<int32_t>(keys[i]));
      histValues.push_back(values[i]);
    }
    endHistogram(row, shift, keys.empty() ? 0 : static_cast<int32_t>(keys.back()) + 1);
  }
  // setDenseHistogram: dense counts, zeros skipped.
  void setDenseHistogram(uint32_t row, uint32_t shift, const std::vector<double>& dense) {
    int32_t length = 0;
    for (size_t k = 0; k < dense.size(); k++) {
      if (dense[k] > 0) {
        histKeys.push_back(static_cast<int32_t>(k));
        histValues.push_back(dense[k]);
        length = static_cast<int32_t>(k) + 1;
      }
    }
    endHistogram(row, shift, length);
  }

 private:
  void endHistogram(uint32_t row, uint32_t shift, int32_t length) {
    histShift[row] = static_cast<int32_t>(shift);
    histLength[row] = length;
    keyAt[row + 1] = static_cast<uint32_t>(histKeys.size());
  }
};

}  // namespace txcore
