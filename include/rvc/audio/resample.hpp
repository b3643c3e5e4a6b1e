/// @file resample.hpp
/// @brief Sample-rate conversion with soxr at high quality.
#pragma once

#include <cstddef>
#include <vector>

namespace rvc::audio {

/// Converts a whole mono signal from `input_rate_hz` to `output_rate_hz` (soxr "HQ", the quality
/// RVC's own resampling uses). The output has round(n · out / in) samples, aligned in time with the
/// input. Returns a copy when the rates are equal. Throws rvc::Error for non-positive rates.
std::vector<float> resample(const float* samples, std::size_t num_samples, int input_rate_hz,
                            int output_rate_hz);

}  // namespace rvc::audio
