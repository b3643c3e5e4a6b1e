#include "dsp/fft.hpp"

#include <cmath>
#include <string>

#include "rvc/error.hpp"

namespace rvc::dsp {
namespace {

constexpr double kTwoPi = 6.283185307179586476925286766559;

bool is_power_of_two(int n) { return n > 0 && (n & (n - 1)) == 0; }

// One radix-2 stage over a block: a ± w·b for h pairs. The rows never overlap; saying so (restrict
// parameters) is what lets the compiler vectorise over j.
inline void radix2_butterflies(double* __restrict a_re, double* __restrict a_im, double* __restrict b_re,
                               double* __restrict b_im, const double* __restrict cos_table,
                               const double* __restrict sin_table, int h, double sign) {
  for (int j = 0; j < h; ++j) {
    const double w_re = cos_table[j], w_im = sign * sin_table[j];
    const double t_re = b_re[j] * w_re - b_im[j] * w_im;
    const double t_im = b_re[j] * w_im + b_im[j] * w_re;
    b_re[j] = a_re[j] - t_re;
    b_im[j] = a_im[j] - t_im;
    a_re[j] += t_re;
    a_im[j] += t_im;
  }
}

// Radix-2 stages h and 2h fused over a block of 4h: rows q0..q3 are its quarters. Stage h pairs
// (q0, q1) and (q2, q3); stage 2h pairs (q0, q2) and (q1, q3). The arithmetic is the two stages'
// own, in their order; only the round trip through memory between them is gone.
inline void fused_radix2_pair(double* __restrict q0_re, double* __restrict q0_im, double* __restrict q1_re,
                              double* __restrict q1_im, double* __restrict q2_re, double* __restrict q2_im,
                              double* __restrict q3_re, double* __restrict q3_im, const double* __restrict cos_h,
                              const double* __restrict sin_h, const double* __restrict cos_2h,
                              const double* __restrict sin_2h, int h, double sign) {
  auto butterfly = [](double& a_re, double& a_im, double& b_re, double& b_im, double w_re, double w_im) {
    const double t_re = b_re * w_re - b_im * w_im;
    const double t_im = b_re * w_im + b_im * w_re;
    b_re = a_re - t_re;
    b_im = a_im - t_im;
    a_re += t_re;
    a_im += t_im;
  };
  for (int j = 0; j < h; ++j) {
    double a_re = q0_re[j], a_im = q0_im[j], b_re = q1_re[j], b_im = q1_im[j];
    double c_re = q2_re[j], c_im = q2_im[j], d_re = q3_re[j], d_im = q3_im[j];
    const double w_re = cos_h[j], w_im = sign * sin_h[j];
    butterfly(a_re, a_im, b_re, b_im, w_re, w_im);
    butterfly(c_re, c_im, d_re, d_im, w_re, w_im);
    butterfly(a_re, a_im, c_re, c_im, cos_2h[j], sign * sin_2h[j]);
    butterfly(b_re, b_im, d_re, d_im, cos_2h[h + j], sign * sin_2h[h + j]);
    q0_re[j] = a_re;
    q0_im[j] = a_im;
    q1_re[j] = b_re;
    q1_im[j] = b_im;
    q2_re[j] = c_re;
    q2_im[j] = c_im;
    q3_re[j] = d_re;
    q3_im[j] = d_im;
  }
}

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
  stage_cos_.assign(std::max(2, half), 1.0);
  stage_sin_.assign(std::max(2, half), 0.0);
  for (int h = 1; h < half; h *= 2) {
    for (int j = 0; j < h; ++j) {
      // The same angles as e^(−2πi·k/half) with k = j·half/(2h), so every stage shares one rounding.
      const std::complex<double> w = std::polar(1.0, -kTwoPi * (static_cast<double>(j) * (half / (2 * h))) / half);
      stage_cos_[h + j] = w.real();
      stage_sin_[h + j] = w.imag();
    }
  }
  real_twiddles_.resize(half + 1);
  for (int k = 0; k <= half; ++k) real_twiddles_[k] = std::polar(1.0, -kTwoPi * k / size);
}

__attribute__((target_clones("avx512f", "avx2", "default")))
void RealFft::complex_transform(double* re, double* im, bool inverse) const {
  const int n = size_ / 2;
  const double sign = inverse ? -1.0 : 1.0;
  int first_stage = 1;
  if (n >= 4) {
    // The first two radix-2 stages as one radix-4 pass: their twiddles are 1 and ∓i.
    for (int start = 0; start < n; start += 4) {
      double* r = re + start;
      double* m = im + start;
      const double s0_re = r[0] + r[1], s0_im = m[0] + m[1], d0_re = r[0] - r[1], d0_im = m[0] - m[1];
      const double s1_re = r[2] + r[3], s1_im = m[2] + m[3], d1_re = r[2] - r[3], d1_im = m[2] - m[3];
      // (d1)·(∓i): forward multiplies by −i, inverse by +i.
      const double t_re = sign * d1_im, t_im = -sign * d1_re;
      r[0] = s0_re + s1_re;
      m[0] = s0_im + s1_im;
      r[2] = s0_re - s1_re;
      m[2] = s0_im - s1_im;
      r[1] = d0_re + t_re;
      m[1] = d0_im + t_im;
      r[3] = d0_re - t_re;
      m[3] = d0_im - t_im;
    }
    first_stage = 4;
  }
  int h = first_stage;
  for (; 4 * h <= n; h *= 4) {
    const double *cos_h = stage_cos_.data() + h, *sin_h = stage_sin_.data() + h;
    const double *cos_2h = stage_cos_.data() + 2 * h, *sin_2h = stage_sin_.data() + 2 * h;
    for (int start = 0; start < n; start += 4 * h) {
      double *r = re + start, *m = im + start;
      fused_radix2_pair(r, m, r + h, m + h, r + 2 * h, m + 2 * h, r + 3 * h, m + 3 * h, cos_h, sin_h, cos_2h, sin_2h,
                        h, sign);
    }
  }
  for (; h < n; h *= 2) {
    for (int start = 0; start < n; start += 2 * h) {
      radix2_butterflies(re + start, im + start, re + start + h, im + start + h, stage_cos_.data() + h,
                         stage_sin_.data() + h, h, sign);
    }
  }
}

namespace {

// Per-thread scratch for the packed half-size transform: harvest and pm run thousands of
// transforms per second of audio, and this keeps allocation off that path.
struct PackedScratch {
  std::vector<double> re, im;
  std::vector<double> pairs;  // (re, im) in natural order, before the bit-reversal gather
};

PackedScratch& packed_scratch(int half) {
  thread_local PackedScratch scratch;
  scratch.re.resize(half);
  scratch.im.resize(half);
  scratch.pairs.resize(2 * static_cast<std::size_t>(half));
  return scratch;
}

}  // namespace

namespace {

// Bin k of a real signal's spectrum from the half-size transform (re, im) of its packed samples,
// with a = k mod half, b = (half − k) mod half and w = e^(−2πik/size).
inline void split_bin(const double* re, const double* im, int a, int b, const double* w, double* out) {
  const double even_re = 0.5 * (re[a] + re[b]);
  const double even_im = 0.5 * (im[a] - im[b]);
  const double odd_re = 0.5 * (im[a] + im[b]);  // odd = (z − conj(mirror)) / 2i
  const double odd_im = -0.5 * (re[a] - re[b]);
  out[0] = even_re + w[0] * odd_re - w[1] * odd_im;
  out[1] = even_im + w[0] * odd_im + w[1] * odd_re;
}

// Bins 1 … half−1, where a = k and b = half − k: a loop the compiler vectorises.
__attribute__((target_clones("avx512f", "avx2", "default")))
void split_inner_bins(const double* __restrict re, const double* __restrict im, const double* __restrict twiddles,
                      double* __restrict out, int half) {
  for (int k = 1; k < half; ++k) split_bin(re, im, k, half - k, twiddles + 2 * k, out + 2 * k);
}

// The packed half-size spectrum of bins k and half − k (k < half) for the inverse transform:
// even + i·odd with odd = (x − conj(mirror))·e^(+2πik/size), written to out[0] (re) and out[1] (im).
// Bin 0 (`dc`) ignores the imaginary parts of bins 0 and half, which a real signal's spectrum lacks.
inline void merge_bin(const double* spectrum, int k, int half, const double* w, bool dc, double* out) {
  const double x_re = spectrum[2 * k], x_im = dc ? 0.0 : spectrum[2 * k + 1];
  const double mirror_re = spectrum[2 * (half - k)], mirror_im = dc ? 0.0 : -spectrum[2 * (half - k) + 1];
  const double diff_re = x_re - mirror_re;
  const double diff_im = x_im - mirror_im;
  const double odd_re = diff_re * w[0] + diff_im * w[1];
  const double odd_im = -diff_re * w[1] + diff_im * w[0];
  out[0] = x_re + mirror_re - odd_im;
  out[1] = x_im + mirror_im + odd_re;
}

}  // namespace

void RealFft::forward(const double* input, std::complex<double>* spectrum) const {
  const int half = size_ / 2;
  PackedScratch& scratch = packed_scratch(half);
  double* __restrict re = scratch.re.data();
  double* __restrict im = scratch.im.data();
  const int* order = bit_reversed_.data();
  // Bit reversal is its own inverse: gathering in destination order keeps the writes sequential
  // and lets each scattered read bring a sample pair in one cache line.
  for (int i = 0; i < half; ++i) {
    re[i] = input[2 * order[i]];
    im[i] = input[2 * order[i] + 1];
  }
  complex_transform(re, im, false);
  const auto* twiddles = reinterpret_cast<const double*>(real_twiddles_.data());
  auto* out = reinterpret_cast<double*>(spectrum);
  split_bin(re, im, 0, 0, twiddles, out);
  split_inner_bins(re, im, twiddles, out, half);
  split_bin(re, im, 0, 0, twiddles + 2 * half, out + 2 * half);
}

void RealFft::inverse(const std::complex<double>* spectrum, double* output) const {
  const int half = size_ / 2;
  PackedScratch& scratch = packed_scratch(half);
  double* __restrict re = scratch.re.data();
  double* __restrict im = scratch.im.data();
  const auto* bins = reinterpret_cast<const double*>(spectrum);
  const auto* twiddles = reinterpret_cast<const double*>(real_twiddles_.data());
  const int* order = bit_reversed_.data();
  double* pairs = scratch.pairs.data();
  merge_bin(bins, 0, half, twiddles, true, pairs);
  // Scalar: GCC 12 does not vectorise the mirrored interleaved reads.
  for (int k = 1; k < half; ++k) merge_bin(bins, k, half, twiddles + 2 * k, false, pairs + 2 * k);
  for (int i = 0; i < half; ++i) {  // the bit-reversal gather, as in forward()
    re[i] = pairs[2 * order[i]];
    im[i] = pairs[2 * order[i] + 1];
  }
  complex_transform(re, im, true);
  for (int i = 0; i < half; ++i) {
    output[2 * i] = re[i];
    output[2 * i + 1] = im[i];
  }
}

}  // namespace rvc::dsp
