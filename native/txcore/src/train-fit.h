// The trainer's fit of every row against the activity profile (iterative proportional fitting
// around a ridge solve per row): the native twin of libs/flow-model's profile-fit.ts and
// ridge-fit.ts, the same double operations in the same order, so the coefficients and profile
// are the TypeScript fit's bit for bit (train-pass.spec.ts: model ids). DPDK-free.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace txcore {

// The rows of one fitting attempt (profile-fit.ts FitRows): row i's coefficients are
// [coefBase[i], coefBase[i + 1]) of counts.
struct TrainFitRows {
  uint32_t rows = 0;
  const double* startBin = nullptr;
  const double* lastBin = nullptr;
  const int32_t* binsPerCoef = nullptr;
  const int32_t* coefBase = nullptr;  // rows + 1
  const double* counts = nullptr;
  size_t countsLength = 0;  // the coefficients returned (at least coefBase[rows])
};

// fitRowsToProfile: the profile (aggregate.size() entries of 2^shift bins) and every row's coefficients.
void trainFitRowsToProfile(const TrainFitRows& rows, const std::vector<double>& aggregate, uint32_t shift, double ridge, uint32_t rounds,
                           std::vector<double>* profile, std::vector<double>* coefs);

}  // namespace txcore
