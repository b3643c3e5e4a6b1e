// The signal-processing estimators (no network): Praat's autocorrelation pitch (pm) and WORLD's
// harvest and dio, each followed by what RVC runs after it. Private to rvc_core.
#pragma once

#include "rvc/f0/estimator.hpp"

namespace rvc::f0 {

/// Shortest input the signal-processing estimators take: one analysis window of Praat at the
/// 50 Hz floor (3 periods = 60 ms).
constexpr std::int64_t kMinClassicSamples = 960;

/// pm, harvest or dio behind the Estimator interface. Tracks have f0_frames(n) frames of 10 ms;
/// no method reports a confidence.
class ClassicEstimator final : public Estimator {
 public:
  /// `method` is kPm, kHarvest or kDio.
  explicit ClassicEstimator(F0Method method);

  F0Method method() const noexcept override { return method_; }
  F0Track estimate(const float* samples, std::int64_t num_samples, int sample_rate_hz) const override;

 private:
  F0Method method_;
};

}  // namespace rvc::f0
