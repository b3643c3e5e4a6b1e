// Mel filterbanks as librosa.filters.mel builds them (Slaney area normalisation), shared by the
// pitch estimators' front ends.
#pragma once

#include <vector>

namespace rvc::dsp {

/// Which mel scale the band edges follow.
enum class MelScale {
  kHtk,     ///< 2595·log10(1 + f/700) (RMVPE: htk=True).
  kSlaney,  ///< Linear below 1 kHz, logarithmic above (librosa's default; FCPE).
};

/// The [n_mels, n_fft/2 + 1] filterbank, row-major, float32 as librosa returns it.
std::vector<float> mel_filterbank(int sample_rate_hz, int n_fft, int n_mels, double fmin_hz, double fmax_hz,
                                  MelScale scale);

}  // namespace rvc::dsp
