#include "rvc/audio/resample.hpp"

#include <soxr.h>

#include <cmath>

#include "rvc/error.hpp"

namespace rvc::audio {

std::vector<float> resample(const float* samples, std::size_t num_samples, int input_rate_hz,
                            int output_rate_hz) {
  if (input_rate_hz <= 0 || output_rate_hz <= 0) {
    throw Error(ErrorCode::kInvalidArgument,
                "resample: sample rates must be positive (got " + std::to_string(input_rate_hz) +
                    " Hz -> " + std::to_string(output_rate_hz) + " Hz)");
  }
  if (input_rate_hz == output_rate_hz || num_samples == 0) {
    return std::vector<float>(samples, samples + num_samples);
  }
  const auto output_length = static_cast<std::size_t>(
      std::llround(static_cast<double>(num_samples) * output_rate_hz / input_rate_hz));
  std::vector<float> output(output_length);
  const soxr_io_spec_t io = soxr_io_spec(SOXR_FLOAT32_I, SOXR_FLOAT32_I);
  const soxr_quality_spec_t quality = soxr_quality_spec(SOXR_HQ, 0);
  std::size_t produced = 0;
  const soxr_error_t error = soxr_oneshot(input_rate_hz, output_rate_hz, 1, samples, num_samples, nullptr,
                                          output.data(), output.size(), &produced, &io, &quality, nullptr);
  if (error != nullptr) {
    throw Error(ErrorCode::kInternal, std::string("soxr failed to resample: ") + error);
  }
  output.resize(produced);
  return output;
}

}  // namespace rvc::audio
