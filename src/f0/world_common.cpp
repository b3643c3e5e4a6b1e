#include "f0/world_common.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <mutex>

#include "f0/world.hpp"

namespace rvc::f0::world {
namespace {

// Coefficients of the low-pass WORLD's decimate runs for each ratio (a: feedback, b: symmetric
// feed-forward b0 b1 b1 b0).
struct DecimationFilter {
  double a[3];
  double b[2];
};

DecimationFilter decimation_filter(int ratio) {
  switch (ratio) {
    case 2: return {{0.041156734567757189, -0.42599112459189636, 0.041037215479961225},
                    {0.16797464681802227, 0.50392394045406674}};
    case 3: return {{0.95039378983237421, -0.67429146741526791, 0.15412211621346475},
                    {0.071221945171178636, 0.21366583551353591}};
    case 4: return {{1.4499664446880227, -0.98943497080950582, 0.24578252340690215},
                    {0.036710750339322612, 0.11013225101796784}};
    case 5: return {{1.7610939654280557, -1.2554914843859768, 0.3237186507788215},
                    {0.021334858522387423, 0.06400457556716227}};
    case 6: return {{1.9715352749512141, -1.4686795689225347, 0.3893908434965701},
                    {0.013469181309343825, 0.040407543928031475}};
    case 7: return {{2.1225239019534703, -1.6395144861046302, 0.44469707800587366},
                    {0.0090366882681608418, 0.027110064804482525}};
    case 8: return {{2.2357462340187593, -1.7780899984041358, 0.49152555365968692},
                    {0.0063522763407111993, 0.019056829022133598}};
    case 9: return {{2.3236003491759578, -1.8921545617463598, 0.53148928133729068},
                    {0.0046331164041389372, 0.013899349212416812}};
    case 10: return {{2.3936475118069387, -1.9873904075111861, 0.5658879979027055},
                     {0.0034818622251927556, 0.010445586675578267}};
    case 11: return {{2.450743295230728, -2.06794904601978, 0.59574774438332101},
                      {0.0026822508007163792, 0.0080467524021491377}};
    case 12: return {{2.4981398605924205, -2.1368928194784025, 0.62187513816221485},
                     {0.0021097275904709001, 0.0063291827714127002}};
    default: return {{0, 0, 0}, {0, 0}};
  }
}

// Runs the decimation low-pass over x and writes the output reversed, so two calls filter
// forwards and backwards.
void filter_reversed(const DecimationFilter& filter, const std::vector<double>& x, std::vector<double>& reversed) {
  double w0 = 0, w1 = 0, w2 = 0;
  const int n = static_cast<int>(x.size());
  for (int i = 0; i < n; ++i) {
    const double wt = x[i] + filter.a[0] * w0 + filter.a[1] * w1 + filter.a[2] * w2;
    reversed[n - 1 - i] = filter.b[0] * wt + filter.b[1] * w0 + filter.b[1] * w1 + filter.b[0] * w2;
    w2 = w1;
    w1 = w0;
    w0 = wt;
  }
}

// Interval frequencies and midpoints between successive fine (interpolated) crossing positions.
CrossingIntervals intervals_between(const std::vector<double>& crossings, double sample_rate_hz) {
  CrossingIntervals result;
  if (crossings.size() < 2) return result;
  result.locations_s.resize(crossings.size() - 1);
  result.frequencies_hz.resize(crossings.size() - 1);
  for (std::size_t i = 0; i + 1 < crossings.size(); ++i) {
    result.frequencies_hz[i] = sample_rate_hz / (crossings[i + 1] - crossings[i]);
    result.locations_s[i] = (crossings[i] + crossings[i + 1]) / 2.0 / sample_rate_hz;
  }
  return result;
}

// Where v goes from positive to ≤ 0 between samples edge − 1 and edge, interpolated linearly.
inline double fine_crossing(int edge, double before, double after) { return edge - before / (after - before); }

// e^(−2πi·k/size) for k < size, one table per power-of-two size, built on first use.
const std::vector<std::complex<double>>& unit_roots(int size) {
  constexpr int kMaxLog2 = 20;
  static std::vector<std::complex<double>> tables[kMaxLog2 + 1];
  static std::once_flag built[kMaxLog2 + 1];
  int log2 = 0;
  while ((1 << log2) < size) ++log2;
  std::call_once(built[log2], [log2] {
    const int n = 1 << log2;
    tables[log2].resize(n);
    for (int k = 0; k < n; ++k) tables[log2][k] = std::polar(1.0, -2.0 * kPi * k / n);
  });
  return tables[log2];
}

}  // namespace

int world_frames(int num_samples, int sample_rate_hz, double frame_period_ms) {
  return static_cast<int>(1000.0 * num_samples / sample_rate_hz / frame_period_ms) + 1;
}

int matlab_round(double x) { return x > 0 ? static_cast<int>(x + 0.5) : static_cast<int>(x - 0.5); }

int suitable_fft_size(int n) {
  return static_cast<int>(std::pow(2.0, static_cast<int>(std::log(static_cast<double>(n)) / kLog2) + 1.0));
}

void nuttall_window(int length, double* window) {
  for (int i = 0; i < length; ++i) {
    const double t = i / (length - 1.0);
    window[i] = 0.355768 - 0.487396 * std::cos(2.0 * kPi * t) + 0.144232 * std::cos(4.0 * kPi * t) -
                0.012604 * std::cos(6.0 * kPi * t);
  }
}

void interp1(const double* x, const double* y, int count, const double* xi, int xi_count, double* yi) {
  // The segment used for each xi: MATLAB's histc bin, clamped to the first and last segments
  // (linear extrapolation outside x). xi is increasing, so one forward scan finds them.
  int segment = 0;
  for (int i = 0; i < xi_count; ++i) {
    while (segment < count - 2 && xi[i] >= x[segment + 1]) ++segment;
    const double s = (xi[i] - x[segment]) / (x[segment + 1] - x[segment]);
    yi[i] = y[segment] + s * (y[segment + 1] - y[segment]);
  }
}

std::vector<double> decimate(const double* x, int length, int ratio) {
  constexpr int kPad = 9;
  const int padded = length + 2 * kPad;
  std::vector<double> signal(padded), filtered(padded);
  for (int i = 0; i < kPad; ++i) signal[i] = 2 * x[0] - x[kPad - i];
  for (int i = 0; i < length; ++i) signal[kPad + i] = x[i];
  for (int i = 0; i < kPad; ++i) signal[kPad + length + i] = 2 * x[length - 1] - x[length - 2 - i];

  const DecimationFilter filter = decimation_filter(ratio);
  filter_reversed(filter, signal, filtered);
  filter_reversed(filter, filtered, signal);

  const int output_length = (length - 1) / ratio + 1;
  const int first = ratio - ratio * output_length + length;
  std::vector<double> y;
  y.reserve(output_length);
  for (int i = first; i < length + kPad; i += ratio) y.push_back(signal[i + kPad - 1]);
  return y;
}

namespace {

// Event flags of samples [begin, end) of the scan below, one byte each (bit k: a crossing of kind
// k between i and i + 1). Branch-free, so it vectorises; `with_slope` is false only for the last
// pair, which has no slope after it.
__attribute__((target_clones("avx512f", "avx2", "default")))
void crossing_flags(const double* __restrict signal, int begin, int end, bool with_slope,
                    std::uint8_t* __restrict flags) {
  const int count = end - begin;
  const double* s = signal + begin;
  if (!with_slope) {
    for (int i = 0; i < count; ++i) {
      const double a = s[i], b = s[i + 1];
      flags[i] = static_cast<std::uint8_t>(((0.0 < a) & (b <= 0.0)) | ((0.0 < -a) & (-b <= 0.0)) << 1);
    }
    return;
  }
  for (int i = 0; i < count; ++i) {
    const double a = s[i], b = s[i + 1], c = s[i + 2];
    const double da = (-a) - (-b), db = (-b) - (-c);
    flags[i] = static_cast<std::uint8_t>(((0.0 < a) & (b <= 0.0)) | ((0.0 < -a) & (-b <= 0.0)) << 1 |
                                         ((0.0 < da) & (db <= 0.0)) << 2 | ((0.0 < -da) & (-db <= 0.0)) << 3);
  }
}

}  // namespace

std::array<CrossingIntervals, 4> four_zero_crossing_intervals(const double* signal, int length, double sample_rate_hz) {
  // The negative-going crossings of the signal s, of −s, of d = (−s[i]) − (−s[i+1]) and of −d:
  // WORLD's negative and positive zero crossings, peaks and dips, with its arithmetic. Crossings
  // are rare next to samples, so the flags are computed in blocks and only the set ones visited.
  std::array<std::vector<double>, 4> crossings;
  for (auto& kind : crossings) kind.reserve(static_cast<std::size_t>(length) / 16 + 4);
  auto record = [&](int i, int bits) {
    const double a = signal[i], b = signal[i + 1];
    if (bits & 1) crossings[0].push_back(fine_crossing(i + 1, a, b));
    if (bits & 2) crossings[1].push_back(fine_crossing(i + 1, -a, -b));
    if (bits < 4) return;
    const double da = (-signal[i]) - (-signal[i + 1]), db = (-signal[i + 1]) - (-signal[i + 2]);
    if (bits & 4) crossings[2].push_back(fine_crossing(i + 1, da, db));
    if (bits & 8) crossings[3].push_back(fine_crossing(i + 1, -da, -db));
  };
  constexpr int kBlock = 512;
  alignas(8) std::uint8_t flags[kBlock];
  const int pairs = length - 1;  // i + 1 < length
  for (int begin = 0; begin < pairs; begin += kBlock) {
    const int end = std::min(pairs, begin + kBlock);
    const int sloped_end = std::min(end, length - 2);  // i + 2 < length
    crossing_flags(signal, begin, sloped_end, true, flags);
    if (sloped_end < end) crossing_flags(signal, sloped_end, end, false, flags + (sloped_end - begin));
    const int count = end - begin;
    int j = 0;
    for (; j + 8 <= count; j += 8) {
      std::uint64_t word;
      std::memcpy(&word, flags + j, sizeof(word));
      while (word != 0) {
        const int byte = __builtin_ctzll(word) / 8;
        record(begin + j + byte, flags[j + byte]);
        word &= ~(std::uint64_t{0xff} << (8 * byte));
      }
    }
    for (; j < count; ++j) {
      if (flags[j] != 0) record(begin + j, flags[j]);
    }
  }
  std::array<CrossingIntervals, 4> events;
  for (int k = 0; k < 4; ++k) events[k] = intervals_between(crossings[k], sample_rate_hz);
  return events;
}

bool interpolate_intervals(const std::array<CrossingIntervals, 4>& events, const std::vector<double>& times_s,
                           std::array<std::vector<double>, 4>& interpolated) {
  for (const CrossingIntervals& kind : events) {
    if (kind.frequencies_hz.size() < 3) return false;
  }
  for (int k = 0; k < 4; ++k) {
    interpolated[k].resize(times_s.size());
    interp1(events[k].locations_s.data(), events[k].frequencies_hz.data(),
            static_cast<int>(events[k].frequencies_hz.size()), times_s.data(), static_cast<int>(times_s.size()),
            interpolated[k].data());
  }
  return true;
}

namespace {

double blackman(double t, double omega) { return 0.42 + 0.5 * std::cos(omega * t) + 0.08 * std::cos(2.0 * omega * t); }

void differentiate(const double* window, int length, double* derivative) {
  derivative[0] = -window[1] / 2.0;
  for (int i = 1; i < length - 1; ++i) derivative[i] = -(window[i + 1] - window[i - 1]) / 2.0;
  derivative[length - 1] = window[length - 2] / 2.0;
}

}  // namespace

int HarmonicSpectra::window_geometry(double sample_rate_hz, double f0_hz, double& window_length_s) {
  sample_rate_hz_ = sample_rate_hz;
  const int half_window = static_cast<int>(1.5 * sample_rate_hz / f0_hz + 1.0);
  const int window_length = 2 * half_window + 1;
  window_length_s = (2.0 * half_window + 1.0) / sample_rate_hz;
  fft_size_ = static_cast<int>(std::pow(2.0, 2.0 + static_cast<int>(std::log(window_length * 1.0) / kLog2)));
  return half_window;
}

__attribute__((target_clones("avx512f", "avx2", "default")))
void HarmonicSpectra::apply(const double* x, int length, int first_index, const double* window,
                            const double* derivative) {
  const int window_length = static_cast<int>(main_.size());
  if (first_index >= 0 && first_index + window_length <= length) {
    const double* segment = x + first_index;
    for (int i = 0; i < window_length; ++i) {
      main_[i] = segment[i] * window[i];
      diff_[i] = segment[i] * derivative[i];
    }
    return;
  }
  for (int i = 0; i < window_length; ++i) {
    const double sample = x[std::max(0, std::min(length - 1, first_index + i))];
    main_[i] = sample * window[i];
    diff_[i] = sample * derivative[i];
  }
}

void HarmonicSpectra::reset(const double* x, int length, double sample_rate_hz, double position_s, double f0_hz,
                            IndexRule rule) {
  double window_length_s;
  const int half_window = window_geometry(sample_rate_hz, f0_hz, window_length_s);
  const int window_length = 2 * half_window + 1;
  const double omega = 2.0 * kPi / window_length_s;
  window_.resize(window_length);
  derivative_.resize(window_length);
  main_.resize(window_length);
  diff_.resize(window_length);
  if (rule == IndexRule::kPerSample) {
    for (int i = 0; i < window_length; ++i) {
      const double offset_s = static_cast<double>(-half_window + i) / sample_rate_hz;
      const int index = matlab_round((position_s + offset_s) * sample_rate_hz);
      window_[i] = blackman((index - 1.0) / sample_rate_hz - position_s, omega);
      // Indices can repeat or skip after rounding: gather them one by one.
      main_[i] = x[std::max(0, std::min(length - 1, index - 1))];
    }
    differentiate(window_.data(), window_length, derivative_.data());
    for (int i = 0; i < window_length; ++i) {
      diff_[i] = main_[i] * derivative_[i];
      main_[i] *= window_[i];
    }
    return;
  }
  const double first_offset_s = (-half_window) / sample_rate_hz;
  const int first = matlab_round((position_s + first_offset_s) * sample_rate_hz + 0.001);
  for (int i = 0; i < window_length; ++i) window_[i] = blackman((first + i - 1.0) / sample_rate_hz - position_s, omega);
  differentiate(window_.data(), window_length, derivative_.data());
  apply(x, length, first - 1, window_.data(), derivative_.data());
}

HarmonicSpectra::WindowTable::WindowTable(double sample_rate_hz, int max_half_window)
    : windows_(max_half_window + 1), derivatives_(max_half_window + 1) {
  for (int half_window = 1; half_window <= max_half_window; ++half_window) {
    const int window_length = 2 * half_window + 1;
    const double omega = 2.0 * kPi / ((2.0 * half_window + 1.0) / sample_rate_hz);
    windows_[half_window].resize(window_length);
    derivatives_[half_window].resize(window_length);
    // A centre on a sample: the first index is half_window samples before it.
    for (int i = 0; i < window_length; ++i) {
      windows_[half_window][i] = blackman((-half_window + i - 1.0) / sample_rate_hz, omega);
    }
    differentiate(windows_[half_window].data(), window_length, derivatives_[half_window].data());
  }
}

void HarmonicSpectra::reset_on_sample(const double* x, int length, double sample_rate_hz, double position_s,
                                      double f0_hz, const WindowTable& table) {
  double window_length_s;
  const int half_window = window_geometry(sample_rate_hz, f0_hz, window_length_s);
  if (half_window > table.max_half_window()) {
    reset(x, length, sample_rate_hz, position_s, f0_hz, IndexRule::kFromFirstSample);
    return;
  }
  main_.resize(2 * half_window + 1);
  diff_.resize(2 * half_window + 1);
  const int first = matlab_round((position_s + (-half_window) / sample_rate_hz) * sample_rate_hz + 0.001);
  apply(x, length, first - 1, table.window(half_window).data(), table.derivative(half_window).data());
}

__attribute__((target_clones("avx512f", "avx2", "default")))
void HarmonicSpectra::bins(const int* bin_indices, int count, Bin* out) const {
  // Goertzel's recurrence, all bins in one pass over the segment: s[n] = x[n] + 2cos(ω)·s[n−1] − s[n−2].
  const std::vector<std::complex<double>>& roots = unit_roots(fft_size_);
  const int mask = fft_size_ - 1;
  double coefficient[kMaxBins];
  double main1[kMaxBins] = {}, main2[kMaxBins] = {}, diff1[kMaxBins] = {}, diff2[kMaxBins] = {};
  for (int k = 0; k < kMaxBins; ++k) coefficient[k] = k < count ? 2.0 * roots[bin_indices[k] & mask].real() : 0.0;
  const int length = static_cast<int>(main_.size());
  for (int n = 0; n < length; ++n) {
    const double m = main_[n], d = diff_[n];
    for (int k = 0; k < kMaxBins; ++k) {
      // x[n] − s[n−2] is known a step ahead, so each step waits on one multiply-add only.
      const double main0 = coefficient[k] * main1[k] + (m - main2[k]);
      main2[k] = main1[k];
      main1[k] = main0;
      const double diff0 = coefficient[k] * diff1[k] + (d - diff2[k]);
      diff2[k] = diff1[k];
      diff1[k] = diff0;
    }
  }
  for (int k = 0; k < count; ++k) {
    // X = e^(−iω(N−1))·(s[N−1] − e^(−iω)·s[N−2]), with the unit roots taken exactly from the table.
    const int bin = bin_indices[k] & mask;
    const std::complex<double> step = roots[bin];
    const std::complex<double> turn = roots[static_cast<int>((static_cast<long long>(bin) * (length - 1)) & mask)];
    const std::complex<double> main_spectrum = turn * (main1[k] - step * main2[k]);
    const std::complex<double> diff_spectrum = turn * (diff1[k] - step * diff2[k]);
    const double power = std::norm(main_spectrum);
    const double numerator = main_spectrum.real() * diff_spectrum.imag() - main_spectrum.imag() * diff_spectrum.real();
    out[k].frequency_hz = power == 0.0 ? 0.0
                                       : static_cast<double>(bin_indices[k]) * sample_rate_hz_ / fft_size_ +
                                             numerator / power * sample_rate_hz_ / 2.0 / kPi;
    out[k].amplitude = std::sqrt(power);
  }
}

}  // namespace rvc::f0::world
