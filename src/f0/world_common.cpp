#include "f0/world_common.hpp"

#include <algorithm>
#include <cmath>
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

// Negative-going zero crossings of signal[0, length): interval frequencies and midpoints.
CrossingIntervals negative_going_intervals(const double* signal, int length, double sample_rate_hz) {
  std::vector<double> edges;
  for (int i = 0; i + 1 < length; ++i) {
    if (0.0 < signal[i] && signal[i + 1] <= 0.0) {
      const int edge = i + 1;
      edges.push_back(edge - signal[edge - 1] / (signal[edge] - signal[edge - 1]));
    }
  }
  CrossingIntervals result;
  if (edges.size() < 2) return result;
  result.locations_s.resize(edges.size() - 1);
  result.frequencies_hz.resize(edges.size() - 1);
  for (std::size_t i = 0; i + 1 < edges.size(); ++i) {
    result.frequencies_hz[i] = sample_rate_hz / (edges[i + 1] - edges[i]);
    result.locations_s[i] = (edges[i] + edges[i + 1]) / 2.0 / sample_rate_hz;
  }
  return result;
}

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

std::array<CrossingIntervals, 4> four_zero_crossing_intervals(double* signal, int length, double sample_rate_hz) {
  std::array<CrossingIntervals, 4> events;
  events[0] = negative_going_intervals(signal, length, sample_rate_hz);
  for (int i = 0; i < length; ++i) signal[i] = -signal[i];
  events[1] = negative_going_intervals(signal, length, sample_rate_hz);
  for (int i = 0; i + 1 < length; ++i) signal[i] = signal[i] - signal[i + 1];
  events[2] = negative_going_intervals(signal, length - 1, sample_rate_hz);
  for (int i = 0; i + 1 < length; ++i) signal[i] = -signal[i];
  events[3] = negative_going_intervals(signal, length - 1, sample_rate_hz);
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

HarmonicSpectra::HarmonicSpectra(const double* x, int length, double sample_rate_hz, double position_s, double f0_hz,
                                 IndexRule rule)
    : sample_rate_hz_(sample_rate_hz) {
  const int half_window = static_cast<int>(1.5 * sample_rate_hz / f0_hz + 1.0);
  const int window_length = 2 * half_window + 1;
  const double window_length_s = (2.0 * half_window + 1.0) / sample_rate_hz;
  fft_size_ = static_cast<int>(std::pow(2.0, 2.0 + static_cast<int>(std::log(window_length * 1.0) / kLog2)));

  std::vector<int> index(window_length);
  if (rule == IndexRule::kPerSample) {
    for (int i = 0; i < window_length; ++i) {
      const double offset_s = static_cast<double>(-half_window + i) / sample_rate_hz;
      index[i] = matlab_round((position_s + offset_s) * sample_rate_hz);
    }
  } else {
    const double first_offset_s = (-half_window) / sample_rate_hz;
    const int first = matlab_round((position_s + first_offset_s) * sample_rate_hz + 0.001);
    for (int i = 0; i < window_length; ++i) index[i] = first + i;
  }
  std::vector<double> window(window_length);
  for (int i = 0; i < window_length; ++i) {
    const double t = (index[i] - 1.0) / sample_rate_hz - position_s;
    window[i] = 0.42 + 0.5 * std::cos(2.0 * kPi * t / window_length_s) + 0.08 * std::cos(4.0 * kPi * t / window_length_s);
  }
  main_.resize(window_length);
  diff_.resize(window_length);
  for (int i = 0; i < window_length; ++i) {
    double derivative;
    if (i == 0) {
      derivative = -window[1] / 2.0;
    } else if (i == window_length - 1) {
      derivative = window[window_length - 2] / 2.0;
    } else {
      derivative = -(window[i + 1] - window[i - 1]) / 2.0;
    }
    const double sample = x[std::max(0, std::min(length - 1, index[i] - 1))];
    main_[i] = sample * window[i];
    diff_[i] = sample * derivative;
  }
}

HarmonicSpectra::Bin HarmonicSpectra::bin(int bin) const {
  const std::vector<std::complex<double>>& roots = unit_roots(fft_size_);
  const int mask = fft_size_ - 1;
  double main_re = 0, main_im = 0, diff_re = 0, diff_im = 0;
  int phase = 0;
  for (std::size_t n = 0; n < main_.size(); ++n) {
    const std::complex<double> root = roots[phase];
    main_re += main_[n] * root.real();
    main_im += main_[n] * root.imag();
    diff_re += diff_[n] * root.real();
    diff_im += diff_[n] * root.imag();
    phase = (phase + bin) & mask;
  }
  const double power = main_re * main_re + main_im * main_im;
  const double numerator = main_re * diff_im - main_im * diff_re;
  Bin result;
  result.frequency_hz =
      power == 0.0 ? 0.0 : static_cast<double>(bin) * sample_rate_hz_ / fft_size_ + numerator / power * sample_rate_hz_ / 2.0 / kPi;
  result.amplitude = std::sqrt(power);
  return result;
}

}  // namespace rvc::f0::world
