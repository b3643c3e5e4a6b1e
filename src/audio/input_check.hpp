// The checks every network that takes 16 kHz audio makes on its input, with one wording.
// Private to rvc.
#pragma once

#include <cstdint>
#include <string>

namespace rvc::audio {

/// Throws rvc::Error naming `who` (e.g. "content encoder 'hubert_base.pt'"): kInvalidArgument when
/// `sample_rate_hz` is not `required_rate_hz`, kInvalidAudio when `samples` is null or shorter than
/// `min_samples`, or a sample is not finite.
void check_input_audio(const float* samples, std::int64_t num_samples, int sample_rate_hz, int required_rate_hz,
                       std::int64_t min_samples, const std::string& who);

}  // namespace rvc::audio
