#include "dsp/fft.hpp"

#include <cmath>
#include <string>

#include "rvc/error.hpp"

namespace rvc::dsp {
namespace {

constexpr double kTwoPi = 6.283185307179586476925286766559;

bool is_power_of_two(int n) { return n > 0 && (n & (n - 1)) == 0; }

}  // namespace

int next_power_of_two(int n) {
  int size = 4;
  while (size < n) size *= 2;
  return size;
}

RealFft::RealFft(int size) : size_(size) {
  if (size < 4 || !is_power_of_two(size)) {
    throw Error(ErrorCode::kInvalidArgument, "FFT size " + std::to_string(size) + " is not a power of two >= 4");
  }
  const int half = size / 2;
  bit_reversed_.resize(half);
  int bits = 0;
  while ((1 << bits) < half) ++bits;
  for (int i = 0; i < half; ++i) {
    int reversed = 0;
    for (int b = 0; b < bits; ++b) reversed |= ((i >> b) & 1) << (bits - 1 - b);
    bit_reversed_[i] = reversed;
  }
  twiddles_.resize(std::max(1, half / 2));
  for (int k = 0; k < static_cast<int>(twiddles_.size()); ++k) {
    twiddles_[k] = std::polar(1.0, -kTwoPi * k / half);
  }
  real_twiddles_.resize(half + 1);
  for (int k = 0; k <= half; ++k) real_twiddles_[k] = std::polar(1.0, -kTwoPi * k / size);
}

void RealFft::complex_transform(std::complex<double>* data, bool inverse) const {
  const int n = size_ / 2;
  for (int i = 0; i < n; ++i) {
    const int j = bit_reversed_[i];
    if (i < j) std::swap(data[i], data[j]);
  }
  // Plain real arithmetic: std::complex's operator* checks for NaN/inf on every product.
  auto* values = reinterpret_cast<double*>(data);
  const auto* twiddles = reinterpret_cast<const double*>(twiddles_.data());
  const double sign = inverse ? -1.0 : 1.0;
  for (int length = 2; length <= n; length *= 2) {
    const int half_length = length / 2;
    const int stride = n / length;
    for (int start = 0; start < n; start += length) {
      for (int j = 0; j < half_length; ++j) {
        const double w_re = twiddles[2 * j * stride];
        const double w_im = sign * twiddles[2 * j * stride + 1];
        double* a = values + 2 * (start + j);
        double* b = values + 2 * (start + j + half_length);
        const double t_re = b[0] * w_re - b[1] * w_im;
        const double t_im = b[0] * w_im + b[1] * w_re;
        b[0] = a[0] - t_re;
        b[1] = a[1] - t_im;
        a[0] += t_re;
        a[1] += t_im;
      }
    }
  }
}

void RealFft::forward(const double* input, std::complex<double>* spectrum) const {
  const int half = size_ / 2;
  std::vector<std::complex<double>> packed(half);
  for (int i = 0; i < half; ++i) packed[i] = {input[2 * i], input[2 * i + 1]};
  complex_transform(packed.data(), false);
  // Split the transform of the packed even/odd samples into the real signal's spectrum.
  for (int k = 0; k <= half; ++k) {
    const std::complex<double> z = packed[k % half];
    const std::complex<double> z_mirror = std::conj(packed[(half - k) % half]);
    const double even_re = 0.5 * (z.real() + z_mirror.real());
    const double even_im = 0.5 * (z.imag() + z_mirror.imag());
    // odd = (z − z_mirror) / 2i
    const double odd_re = 0.5 * (z.imag() - z_mirror.imag());
    const double odd_im = -0.5 * (z.real() - z_mirror.real());
    const std::complex<double> w = real_twiddles_[k];
    spectrum[k] = {even_re + w.real() * odd_re - w.imag() * odd_im, even_im + w.real() * odd_im + w.imag() * odd_re};
  }
}

void RealFft::inverse(const std::complex<double>* spectrum, double* output) const {
  const int half = size_ / 2;
  std::vector<std::complex<double>> packed(half);
  for (int k = 0; k < half; ++k) {
    std::complex<double> x = spectrum[k];
    std::complex<double> x_mirror = spectrum[half - k];
    if (k == 0) {
      x.imag(0.0);
      x_mirror.imag(0.0);
    }
    x_mirror = std::conj(x_mirror);
    const double even_re = x.real() + x_mirror.real();
    const double even_im = x.imag() + x_mirror.imag();
    const double diff_re = x.real() - x_mirror.real();
    const double diff_im = x.imag() - x_mirror.imag();
    // odd = (x − x_mirror)·e^(+2πik/N); packed = even + i·odd
    const std::complex<double> w = std::conj(real_twiddles_[k]);
    const double odd_re = diff_re * w.real() - diff_im * w.imag();
    const double odd_im = diff_re * w.imag() + diff_im * w.real();
    packed[k] = {even_re - odd_im, even_im + odd_re};
  }
  complex_transform(packed.data(), true);
  for (int i = 0; i < half; ++i) {
    output[2 * i] = packed[i].real();
    output[2 * i + 1] = packed[i].imag();
  }
}

}  // namespace rvc::dsp
