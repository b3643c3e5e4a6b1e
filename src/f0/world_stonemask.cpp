// StoneMask (Morise 2017): each frame's f0 becomes the amplitude-weighted mean of the instantaneous
// frequencies of its first harmonics, each divided by its harmonic number.
#include <algorithm>
#include <cmath>

#include "f0/world.hpp"
#include "f0/world_common.hpp"

namespace rvc::f0::world {
namespace {

constexpr double kLowestRefinableHz = 40.0;
constexpr double kLargestCorrection = 0.2;

double harmonic_mean_frequency(const HarmonicSpectra& spectra, int sample_rate_hz, double f0_hz, int harmonics) {
  int bins[HarmonicSpectra::kMaxBins];
  HarmonicSpectra::Bin values[HarmonicSpectra::kMaxBins];
  for (int h = 1; h <= harmonics; ++h) {
    bins[h - 1] = std::min(matlab_round(f0_hz * spectra.fft_size() / sample_rate_hz * h), spectra.fft_size() / 2);
  }
  spectra.bins(bins, harmonics, values);
  double numerator = 0, denominator = 0;
  for (int h = 1; h <= harmonics; ++h) {
    numerator += values[h - 1].amplitude * values[h - 1].frequency_hz;
    denominator += values[h - 1].amplitude * h;
  }
  return numerator / (denominator + kSafeGuardMinimum);
}

double refine(HarmonicSpectra& spectra, const std::vector<double>& x, int sample_rate_hz, double position_s,
              double f0_hz) {
  if (f0_hz <= kLowestRefinableHz || f0_hz > sample_rate_hz / 12.0) return 0.0;
  spectra.reset(x.data(), static_cast<int>(x.size()), sample_rate_hz, position_s, f0_hz,
                HarmonicSpectra::IndexRule::kPerSample);
  // Two harmonics first; an estimate that more than doubles is rejected.
  const double tentative = harmonic_mean_frequency(spectra, sample_rate_hz, f0_hz, 2);
  double refined = 0.0;
  if (tentative > 0.0 && tentative <= f0_hz * 2) refined = harmonic_mean_frequency(spectra, sample_rate_hz, tentative, 6);
  return std::fabs(refined - f0_hz) > f0_hz * kLargestCorrection ? f0_hz : refined;
}

}  // namespace

std::vector<double> stonemask(const std::vector<double>& x, int sample_rate_hz, double frame_period_ms,
                              const std::vector<double>& f0) {
  std::vector<double> refined(f0.size());
  const int frames = static_cast<int>(f0.size());
#pragma omp parallel
  {
    HarmonicSpectra spectra;
#pragma omp for schedule(dynamic, 64)
    for (int i = 0; i < frames; ++i) refined[i] = refine(spectra, x, sample_rate_hz, i * frame_period_ms / 1000.0, f0[i]);
  }
  return refined;
}

}  // namespace rvc::f0::world
