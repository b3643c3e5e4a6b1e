#include "f0/classic_estimators.hpp"

#include <vector>

#include "audio/input_check.hpp"
#include "f0/praat_pitch.hpp"
#include "f0/world.hpp"

namespace rvc::f0 {

ClassicEstimator::ClassicEstimator(F0Method method) : method_(method) {}

F0Track ClassicEstimator::estimate(const float* samples, std::int64_t num_samples, int sample_rate_hz) const {
  audio::check_input_audio(samples, num_samples, sample_rate_hz, kF0SampleRateHz, kMinClassicSamples,
                           std::string("f0 method ") + f0_method_name(method_));
  const std::vector<double> x(samples, samples + num_samples);
  F0Track track;
  track.arithmetic = F0Arithmetic::kFloat64;
  const world::WorldSettings settings;
  switch (method_) {
    case F0Method::kHarvest:
      track.hz = world::stonemask(x, sample_rate_hz, settings.frame_period_ms,
                                  world::harvest(x, sample_rate_hz, settings));
      break;
    case F0Method::kDio:
      track.hz = world::stonemask(x, sample_rate_hz, settings.frame_period_ms, world::dio(x, sample_rate_hz, settings));
      break;
    default:
      track.hz = praat::rvc_pm_track(x, sample_rate_hz);
      break;
  }
  track.hz.resize(f0_frames(num_samples), 0.0);
  return track;
}

}  // namespace rvc::f0
