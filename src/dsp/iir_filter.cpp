#include "dsp/iir_filter.hpp"

#include <algorithm>
#include <cmath>
#include <complex>
#include <string>

#include "rvc/error.hpp"

namespace rvc::dsp {
namespace {

using Complex = std::complex<double>;

// Coefficients of ∏ (x − root), highest power first, real parts (numpy.poly).
std::vector<double> polynomial(const std::vector<Complex>& roots) {
  std::vector<Complex> coefficients{1.0};
  for (const Complex& root : roots) {
    coefficients.push_back(0.0);
    for (std::size_t i = coefficients.size() - 1; i > 0; --i) coefficients[i] -= root * coefficients[i - 1];
  }
  std::vector<double> real(coefficients.size());
  for (std::size_t i = 0; i < coefficients.size(); ++i) real[i] = coefficients[i].real();
  return real;
}

// Runs the filter over x from state z (size order), updating z.
void run(const IirFilter& f, const double* x, std::size_t n, std::vector<double>& z, double* y) {
  const std::size_t order = z.size();
  for (std::size_t i = 0; i < n; ++i) {
    const double out = f.b[0] * x[i] + (order > 0 ? z[0] : 0.0);
    for (std::size_t k = 0; k + 1 < order; ++k) z[k] = f.b[k + 1] * x[i] + z[k + 1] - f.a[k + 1] * out;
    if (order > 0) z[order - 1] = f.b[order] * x[i] - f.a[order] * out;
    y[i] = out;
  }
}

// scipy.signal.lfilter_zi: the state of a step response at rest, solving (I − Aᵀ)·zi = b[1:] − a[1:]·b[0]
// with A the companion matrix of a.
std::vector<double> steady_state(const IirFilter& f) {
  const std::size_t order = f.a.size() - 1;
  std::vector<std::vector<double>> m(order, std::vector<double>(order + 1, 0.0));
  for (std::size_t r = 0; r < order; ++r) {
    m[r][r] += 1.0;
    m[r][0] += f.a[r + 1];            // −(companion)ᵀ: first column holds −a[1:], negated again
    if (r + 1 < order) m[r][r + 1] -= 1.0;
    m[r][order] = f.b[r + 1] - f.a[r + 1] * f.b[0];
  }
  for (std::size_t col = 0; col < order; ++col) {  // Gaussian elimination, partial pivoting
    std::size_t pivot = col;
    for (std::size_t r = col + 1; r < order; ++r) {
      if (std::abs(m[r][col]) > std::abs(m[pivot][col])) pivot = r;
    }
    std::swap(m[col], m[pivot]);
    for (std::size_t r = 0; r < order; ++r) {
      if (r == col) continue;
      const double factor = m[r][col] / m[col][col];
      for (std::size_t c = col; c <= order; ++c) m[r][c] -= factor * m[col][c];
    }
  }
  std::vector<double> zi(order);
  for (std::size_t r = 0; r < order; ++r) zi[r] = m[r][order] / m[r][r];
  return zi;
}

}  // namespace

IirFilter butterworth_highpass(int order, double cutoff_hz, double sample_rate_hz) {
  if (order < 1 || !(cutoff_hz > 0) || !(cutoff_hz < sample_rate_hz / 2)) {
    throw Error(ErrorCode::kInvalidArgument, "butterworth_highpass: needs order >= 1 and 0 < cutoff (" +
                                                 std::to_string(cutoff_hz) + " Hz) < Nyquist");
  }
  // scipy normalises to fs = 2 and pre-warps: ω = 2·fs·tan(π·Wn/fs) with Wn = cutoff / Nyquist.
  constexpr double kFs = 2.0;
  const double warped = 2.0 * kFs * std::tan(M_PI * (cutoff_hz / (sample_rate_hz / 2)) / kFs);
  // Analog prototype poles, then low-pass to high-pass (p → ω/p, all zeros at 0).
  std::vector<Complex> poles, zeros(static_cast<std::size_t>(order), Complex(0.0));
  Complex gain_denominator = 1.0;
  for (int m = -order + 1; m < order; m += 2) {
    const Complex prototype = -std::exp(Complex(0.0, M_PI * m / (2.0 * order)));
    poles.push_back(warped / prototype);
    gain_denominator *= -prototype;
  }
  double gain = (1.0 / gain_denominator).real();
  // Bilinear transform with fs2 = 2·fs.
  const double fs2 = 2.0 * kFs;
  Complex numerator = 1.0, denominator = 1.0;
  for (Complex& z : zeros) {
    numerator *= fs2 - z;
    z = (fs2 + z) / (fs2 - z);
  }
  for (Complex& p : poles) {
    denominator *= fs2 - p;
    p = (fs2 + p) / (fs2 - p);
  }
  gain *= (numerator / denominator).real();
  IirFilter filter{polynomial(zeros), polynomial(poles)};
  for (double& coefficient : filter.b) coefficient *= gain;
  return filter;
}

std::vector<double> lfilter(const IirFilter& filter, const std::vector<double>& x) {
  std::vector<double> state(filter.a.size() - 1, 0.0), y(x.size());
  run(filter, x.data(), x.size(), state, y.data());
  return y;
}

std::vector<double> filtfilt(const IirFilter& filter, const std::vector<double>& x) {
  const std::size_t edge = 3 * std::max(filter.a.size(), filter.b.size());
  if (x.size() <= edge) {
    throw Error(ErrorCode::kInvalidAudio, "the 48 Hz high-pass needs more than " + std::to_string(edge) +
                                              " samples, got " + std::to_string(x.size()) + "; pass longer audio");
  }
  // Odd extension: 2·x[0] − x[edge..1] before, 2·x[n−1] − x[n−2..n−1−edge] after.
  const std::size_t n = x.size();
  std::vector<double> extended;
  extended.reserve(n + 2 * edge);
  for (std::size_t i = edge; i > 0; --i) extended.push_back(2.0 * x[0] - x[i]);
  extended.insert(extended.end(), x.begin(), x.end());
  for (std::size_t i = 1; i <= edge; ++i) extended.push_back(2.0 * x[n - 1] - x[n - 1 - i]);

  const std::vector<double> zi = steady_state(filter);
  auto pass = [&](std::vector<double>& signal) {
    std::vector<double> state(zi);
    for (double& s : state) s *= signal.front();
    run(filter, signal.data(), signal.size(), state, signal.data());
  };
  pass(extended);
  std::reverse(extended.begin(), extended.end());
  pass(extended);
  std::reverse(extended.begin(), extended.end());
  return std::vector<double>(extended.begin() + static_cast<std::ptrdiff_t>(edge),
                             extended.end() - static_cast<std::ptrdiff_t>(edge));
}

}  // namespace rvc::dsp
