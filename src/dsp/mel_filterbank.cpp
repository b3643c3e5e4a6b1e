#include "dsp/mel_filterbank.hpp"

#include <algorithm>
#include <cmath>

namespace rvc::dsp {
namespace {

constexpr double kSlaneyHzPerMel = 200.0 / 3.0;
constexpr double kSlaneyLogStartHz = 1000.0;
constexpr double kSlaneyLogStartMel = kSlaneyLogStartHz / kSlaneyHzPerMel;

double slaney_log_step() { return std::log(6.4) / 27.0; }

double hz_to_mel(double hz, MelScale scale) {
  if (scale == MelScale::kHtk) return 2595.0 * std::log10(1.0 + hz / 700.0);
  if (hz < kSlaneyLogStartHz) return hz / kSlaneyHzPerMel;
  return kSlaneyLogStartMel + std::log(hz / kSlaneyLogStartHz) / slaney_log_step();
}

double mel_to_hz(double mel, MelScale scale) {
  if (scale == MelScale::kHtk) return 700.0 * (std::pow(10.0, mel / 2595.0) - 1.0);
  if (mel < kSlaneyLogStartMel) return kSlaneyHzPerMel * mel;
  return kSlaneyLogStartHz * std::exp(slaney_log_step() * (mel - kSlaneyLogStartMel));
}

// numpy.linspace: start + i·step, the last point exactly `stop`.
std::vector<double> linspace(double start, double stop, int count) {
  std::vector<double> points(static_cast<std::size_t>(count));
  const double step = count > 1 ? (stop - start) / (count - 1) : 0.0;
  for (int i = 0; i < count; ++i) points[static_cast<std::size_t>(i)] = start + i * step;
  if (count > 1) points.back() = stop;
  return points;
}

}  // namespace

std::vector<float> mel_filterbank(int sample_rate_hz, int n_fft, int n_mels, double fmin_hz, double fmax_hz,
                                  MelScale scale) {
  const int bins = n_fft / 2 + 1;
  const std::vector<double> fft_hz = linspace(0.0, sample_rate_hz / 2.0, bins);
  std::vector<double> edges = linspace(hz_to_mel(fmin_hz, scale), hz_to_mel(fmax_hz, scale), n_mels + 2);
  for (double& edge : edges) edge = mel_to_hz(edge, scale);

  std::vector<float> weights(static_cast<std::size_t>(n_mels) * bins);
  for (int m = 0; m < n_mels; ++m) {
    const double lower_width = edges[m + 1] - edges[m], upper_width = edges[m + 2] - edges[m + 1];
    const double area = 2.0 / (edges[m + 2] - edges[m]);
    for (int k = 0; k < bins; ++k) {
      const double rising = (fft_hz[k] - edges[m]) / lower_width;
      const double falling = (edges[m + 2] - fft_hz[k]) / upper_width;
      // librosa stores the triangle in float32, then scales it in float64 and stores again.
      const float triangle = static_cast<float>(std::max(0.0, std::min(rising, falling)));
      weights[static_cast<std::size_t>(m) * bins + k] = static_cast<float>(triangle * area);
    }
  }
  return weights;
}

}  // namespace rvc::dsp
