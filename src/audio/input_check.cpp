#include "audio/input_check.hpp"

#include <cmath>

#include "rvc/error.hpp"

namespace rvc::audio {

void check_input_audio(const float* samples, std::int64_t num_samples, int sample_rate_hz, int required_rate_hz,
                       std::int64_t min_samples, const std::string& who) {
  if (sample_rate_hz != required_rate_hz) {
    throw Error(ErrorCode::kInvalidArgument, who + " takes " + std::to_string(required_rate_hz) + " Hz audio, got " +
                                                 std::to_string(sample_rate_hz) + " Hz; resample it first");
  }
  const std::int64_t given = samples == nullptr ? 0 : num_samples;
  if (given < min_samples) {
    const double milliseconds = 1000.0 * static_cast<double>(min_samples) / required_rate_hz;
    throw Error(ErrorCode::kInvalidAudio, who + " needs at least " + std::to_string(min_samples) + " samples (" +
                                              std::to_string(static_cast<int>(std::ceil(milliseconds))) + " ms), got " +
                                              std::to_string(given) + "; pass longer audio");
  }
  for (std::int64_t i = 0; i < num_samples; ++i) {
    if (!std::isfinite(samples[i])) {
      throw Error(ErrorCode::kInvalidAudio, who + ": sample " + std::to_string(i) +
                                                " is not a finite number; check the input audio");
    }
  }
}

}  // namespace rvc::audio
