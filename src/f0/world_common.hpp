// Building blocks dio, harvest and stonemask share: WORLD's MATLAB-style helpers, the zero-crossing
// events of a band-limited signal, and the windowed spectra behind instantaneous frequency.
// Private to rvc.
#pragma once

#include <array>
#include <complex>
#include <vector>

namespace rvc::f0::world {

constexpr double kPi = 3.1415926535897932384;
constexpr double kLog2 = 0.69314718055994529;
constexpr double kSafeGuardMinimum = 0.000000000001;  ///< WORLD's guard against division by zero.

/// MATLAB's round(): halves away from zero.
int matlab_round(double x);

/// 2^(⌊log2 n⌋ + 1): WORLD's FFT length for n samples (twice n when n is a power of two).
int suitable_fft_size(int n);

/// Nuttall window of `length` points (WORLD's coefficients, symmetric).
void nuttall_window(int length, double* window);

/// MATLAB interp1(x, y, xi, 'linear', 'extrap') for increasing x (count ≥ 2).
void interp1(const double* x, const double* y, int count, const double* xi, int xi_count, double* yi);

/// MATLAB decimate(x, r) as WORLD approximates it: a 3rd-order IIR low-pass run forwards and
/// backwards over x with 9 reflected samples at each end, then every r-th sample. r in 2..12.
std::vector<double> decimate(const double* x, int length, int ratio);

/// Intervals between successive crossings of one kind, as frequencies (Hz), at the crossings'
/// midpoints (s).
struct CrossingIntervals {
  std::vector<double> locations_s;
  std::vector<double> frequencies_hz;
};

/// The four event kinds of a band-limited signal: negative- and positive-going zero crossings,
/// peaks and dips.
std::array<CrossingIntervals, 4> four_zero_crossing_intervals(const double* signal, int length, double sample_rate_hz);

/// Each event kind's interval frequencies interpolated at `times_s`; false (and nothing written)
/// when some kind has fewer than 3 intervals.
bool interpolate_intervals(const std::array<CrossingIntervals, 4>& events, const std::vector<double>& times_s,
                           std::array<std::vector<double>, 4>& interpolated);

/// A Blackman-windowed segment of x around one time and its time-derivative-windowed twin, and
/// their DFT bins, from which instantaneous frequencies follow (harvest and stonemask). Reusable:
/// reset() keeps the buffers, so one object per thread serves every frame without allocating.
class HarmonicSpectra {
 public:
  /// How the window's sample indices are rounded: per sample (stonemask) or from the first
  /// sample, nudged by 0.001 (harvest).
  enum class IndexRule { kPerSample, kFromFirstSample };

  /// Most bins one bins() call evaluates.
  static constexpr int kMaxBins = 8;

  /// Takes the segment for a window of 3 periods of `f0_hz` centred on `position_s`.
  void reset(const double* x, int length, double sample_rate_hz, double position_s, double f0_hz, IndexRule rule);

  /// The Blackman window and its derivative of every half length up to `max_half_window`, for
  /// kFromFirstSample segments whose centre falls on a sample (then the window depends only on
  /// its length).
  class WindowTable {
   public:
    WindowTable(double sample_rate_hz, int max_half_window);
    const std::vector<double>& window(int half_window) const { return windows_[half_window]; }
    const std::vector<double>& derivative(int half_window) const { return derivatives_[half_window]; }
    int max_half_window() const { return static_cast<int>(windows_.size()) - 1; }

   private:
    std::vector<std::vector<double>> windows_, derivatives_;
  };

  /// As reset(kFromFirstSample) for a centre on a sample of x, with the window from `table`.
  void reset_on_sample(const double* x, int length, double sample_rate_hz, double position_s, double f0_hz,
                       const WindowTable& table);

  /// The DFT length WORLD would use for this window.
  int fft_size() const noexcept { return fft_size_; }

  /// Instantaneous frequency (Hz) and amplitude at one DFT bin (of fft_size()).
  struct Bin {
    double frequency_hz = 0;
    double amplitude = 0;
  };
  /// Evaluates `count` (≤ kMaxBins) bins at once.
  void bins(const int* bin_indices, int count, Bin* out) const;

 private:
  int window_geometry(double sample_rate_hz, double f0_hz, double& window_length_s);
  void apply(const double* x, int length, int first_index, const double* window, const double* derivative);

  std::vector<double> main_;  // x · window
  std::vector<double> diff_;  // x · −dwindow
  std::vector<double> window_, derivative_;
  int fft_size_ = 0;
  double sample_rate_hz_ = 0;
};

}  // namespace rvc::f0::world
