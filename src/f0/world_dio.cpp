// DIO (Morise 2009): the signal is low-passed by Nuttall windows of several lengths; in each band
// the intervals between zero crossings, peaks and dips give an f0 candidate and their spread a
// score; the best-scored candidate per frame is then cleaned by continuity rules.
#include <cmath>
#include <complex>

#include "dsp/fft.hpp"
#include "f0/world.hpp"
#include "f0/world_common.hpp"

namespace rvc::f0::world {
namespace {

constexpr double kChannelsInOctave = 2.0;
constexpr double kAllowedRange = 0.1;
constexpr double kLowCutHz = 50.0;
constexpr double kNoScore = 100000.0;  // The score of a band without a candidate (lower is better).

// The low-cut filter DIO applies to the spectrum: a normalised Hann window subtracted from a unit
// impulse, centred on sample 0 (its left half wraps to the end of the FFT buffer).
std::vector<double> low_cut_filter(int taps, int fft_size) {
  std::vector<double> filter(fft_size, 0.0);
  std::vector<double> hann(taps);
  double sum = 0;
  for (int i = 1; i <= taps; ++i) {
    hann[i - 1] = 0.5 - 0.5 * std::cos(i * 2.0 * kPi / (taps + 1));
    sum += hann[i - 1];
  }
  for (double& tap : hann) tap = -tap / sum;
  const int half = (taps - 1) / 2;
  for (int i = 0; i < half; ++i) filter[fft_size - half + i] = hann[i];
  for (int i = 0; i < taps - half; ++i) filter[i] = hann[i + half];
  filter[0] += 1.0;
  return filter;
}

struct BandCandidates {
  std::vector<double> f0;     // 0 where the band has none
  std::vector<double> score;  // spread of the four estimates relative to f0 (lower is better)
};

BandCandidates band_candidates(const dsp::RealFft& fft, const std::vector<std::complex<double>>& spectrum,
                               int y_length, double fs, double boundary_f0, const WorldSettings& settings,
                               const std::vector<double>& times_s) {
  const int fft_size = fft.size();
  const int half_average = matlab_round(fs / boundary_f0 / 2.0);
  std::vector<double> filter(fft_size, 0.0);
  nuttall_window(half_average * 4, filter.data());
  std::vector<std::complex<double>> filter_spectrum(fft_size / 2 + 1);
  fft.forward(filter.data(), filter_spectrum.data());
  for (int i = 0; i <= fft_size / 2; ++i) {
    const std::complex<double> a = spectrum[i], b = filter_spectrum[i];
    filter_spectrum[i] = {a.real() * b.real() - a.imag() * b.imag(), a.real() * b.imag() + a.imag() * b.real()};
  }
  std::vector<double> filtered(fft_size);
  fft.inverse(filter_spectrum.data(), filtered.data());
  const int delay = half_average * 2;
  std::vector<double> signal(filtered.begin() + delay, filtered.begin() + delay + y_length);

  const std::size_t frames = times_s.size();
  BandCandidates band{std::vector<double>(frames, 0.0), std::vector<double>(frames, kNoScore)};
  std::array<std::vector<double>, 4> estimates;
  if (!interpolate_intervals(four_zero_crossing_intervals(signal.data(), y_length, fs), times_s, estimates)) {
    return band;
  }
  for (std::size_t i = 0; i < frames; ++i) {
    const double mean = (estimates[0][i] + estimates[1][i] + estimates[2][i] + estimates[3][i]) / 4.0;
    double spread = 0;
    for (int k = 0; k < 4; ++k) spread += (estimates[k][i] - mean) * (estimates[k][i] - mean);
    spread = std::sqrt(spread / 3.0);
    if (mean > boundary_f0 || mean < boundary_f0 / 2.0 || mean > settings.f0_ceil_hz || mean < settings.f0_floor_hz) {
      continue;
    }
    band.f0[i] = mean;
    band.score[i] = spread;
  }
  return band;
}

// The candidate nearest the linear extrapolation from `current` and `previous`, or 0 when it is
// further than the allowed range.
double continue_contour(double current, double previous, const std::vector<BandCandidates>& bands, int frame) {
  const double reference = (current * 3.0 - previous) / 2.0;
  double best = bands[0].f0[frame];
  double best_error = std::fabs(reference - best);
  for (std::size_t b = 1; b < bands.size(); ++b) {
    const double error = std::fabs(reference - bands[b].f0[frame]);
    if (error < best_error) {
      best_error = error;
      best = bands[b].f0[frame];
    }
  }
  return std::fabs(1.0 - best / reference) > kAllowedRange ? 0.0 : best;
}

std::vector<double> fix_contour(const std::vector<double>& best, const std::vector<BandCandidates>& bands,
                                double frame_period_ms, double f0_floor_hz) {
  const int frames = static_cast<int>(best.size());
  std::vector<double> f0(frames, 0.0);
  const int voice_range_minimum = static_cast<int>(0.5 + 1000.0 / frame_period_ms / f0_floor_hz) * 2 + 1;
  if (frames <= voice_range_minimum) return f0;

  // Step 1: drop the edges and jumps larger than the allowed range.
  std::vector<double> base(frames, 0.0), step1(frames, 0.0);
  for (int i = voice_range_minimum; i < frames - voice_range_minimum; ++i) base[i] = best[i];
  for (int i = voice_range_minimum; i < frames; ++i) {
    step1[i] = std::fabs((base[i] - base[i - 1]) / (kSafeGuardMinimum + base[i])) < kAllowedRange ? base[i] : 0.0;
  }
  // Step 2: unvoice every frame with an unvoiced frame nearby.
  std::vector<double> contour = step1;
  const int center = (voice_range_minimum - 1) / 2;
  for (int i = center; i < frames - center; ++i) {
    for (int j = -center; j <= center; ++j) {
      if (step1[i + j] == 0) {
        contour[i] = 0.0;
        break;
      }
    }
  }
  std::vector<int> onsets, offsets;
  for (int i = 1; i < frames; ++i) {
    if (contour[i] == 0 && contour[i - 1] != 0) {
      offsets.push_back(i - 1);
    } else if (contour[i - 1] == 0 && contour[i] != 0) {
      onsets.push_back(i);
    }
  }
  // Step 3: extend voiced sections forwards while a candidate continues them.
  for (std::size_t s = 0; s < offsets.size(); ++s) {
    const int limit = s + 1 == offsets.size() ? frames - 1 : offsets[s + 1];
    for (int j = offsets[s]; j < limit; ++j) {
      contour[j + 1] = continue_contour(contour[j], contour[j - 1], bands, j + 1);
      if (contour[j + 1] == 0) break;
    }
  }
  // Step 4: and backwards.
  for (int s = static_cast<int>(onsets.size()) - 1; s >= 0; --s) {
    const int limit = s == 0 ? 1 : onsets[s - 1];
    for (int j = onsets[s]; j > limit; --j) {
      contour[j - 1] = continue_contour(contour[j], contour[j + 1], bands, j - 1);
      if (contour[j - 1] == 0) break;
    }
  }
  return contour;
}

}  // namespace

std::vector<double> dio(const std::vector<double>& x, int sample_rate_hz, const WorldSettings& settings) {
  const int x_length = static_cast<int>(x.size());
  const int bands_count =
      1 + static_cast<int>(std::log(settings.f0_ceil_hz / settings.f0_floor_hz) / kLog2 * kChannelsInOctave);
  std::vector<double> boundaries(bands_count);
  for (int i = 0; i < bands_count; ++i) boundaries[i] = settings.f0_floor_hz * std::pow(2.0, (i + 1) / kChannelsInOctave);

  // pyworld's speed 1: no decimation. WORLD still counts one extra (zero) sample.
  const int y_length = 1 + x_length;
  const double fs = sample_rate_hz;
  const int fft_size = suitable_fft_size(y_length + matlab_round(fs / kLowCutHz) * 2 + 1 +
                                         4 * static_cast<int>(1.0 + fs / boundaries[0] / 2.0));
  const dsp::RealFft fft(fft_size);

  std::vector<double> y(fft_size, 0.0);
  std::copy(x.begin(), x.end(), y.begin());
  double mean = 0;
  for (int i = 0; i < y_length; ++i) mean += y[i];
  mean /= y_length;
  for (int i = 0; i < y_length; ++i) y[i] -= mean;
  std::vector<std::complex<double>> spectrum(fft_size / 2 + 1), cut(fft_size / 2 + 1);
  fft.forward(y.data(), spectrum.data());
  fft.forward(low_cut_filter(matlab_round(fs / kLowCutHz) * 2 + 1, fft_size).data(), cut.data());
  for (int i = 0; i <= fft_size / 2; ++i) {
    const std::complex<double> a = spectrum[i], b = cut[i];
    spectrum[i] = {a.real() * b.real() - a.imag() * b.imag(), a.real() * b.imag() + a.imag() * b.real()};
  }

  const int frames = world_frames(x_length, sample_rate_hz, settings.frame_period_ms);
  std::vector<double> times_s(frames);
  for (int i = 0; i < frames; ++i) times_s[i] = i * settings.frame_period_ms / 1000.0;

  std::vector<BandCandidates> bands(bands_count);
#pragma omp parallel for schedule(dynamic)
  for (int b = 0; b < bands_count; ++b) {
    bands[b] = band_candidates(fft, spectrum, y_length, fs, boundaries[b], settings, times_s);
    for (int i = 0; i < frames; ++i) bands[b].score[i] /= bands[b].f0[i] + kSafeGuardMinimum;
  }

  std::vector<double> best(frames);
  for (int i = 0; i < frames; ++i) {
    double best_score = bands[0].score[i];
    best[i] = bands[0].f0[i];
    for (int b = 1; b < bands_count; ++b) {
      if (best_score > bands[b].score[i]) {
        best_score = bands[b].score[i];
        best[i] = bands[b].f0[i];
      }
    }
  }
  return fix_contour(best, bands, settings.frame_period_ms, settings.f0_floor_hz);
}

}  // namespace rvc::f0::world
