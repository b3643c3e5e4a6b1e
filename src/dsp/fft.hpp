// Real FFT of power-of-two sizes in double precision, with FFTW's conventions: the forward
// transform is X[k] = Σ x[n]·e^(−2πi·kn/N), the inverse is unnormalised (it returns N·x). WORLD and
// Praat are specified in terms of such transforms. Private to rvc.
#pragma once

#include <complex>
#include <vector>

namespace rvc::dsp {

/// A real transform of one size; const methods may run on any number of threads at once.
class RealFft {
 public:
  /// Plans a transform of `size` points: a power of two ≥ 4. Throws rvc::Error (kInvalidArgument).
  explicit RealFft(int size);

  int size() const noexcept { return size_; }

  /// The first size/2 + 1 bins of the spectrum of `input` (size() values).
  void forward(const double* input, std::complex<double>* spectrum) const;

  /// The real signal (times size()) whose spectrum starts with the size/2 + 1 bins given; the
  /// imaginary parts of bins 0 and size/2 are ignored.
  void inverse(const std::complex<double>* spectrum, double* output) const;

 private:
  // The half-size complex transform, in place on split real and imaginary parts given in
  // bit-reversed order (the packing loops write them so), leaving the result in natural order.
  void complex_transform(double* re, double* im, bool inverse) const;

  int size_;
  std::vector<int> bit_reversed_;  // Position of element i in the half-size transform's input.
  // Per radix-2 stage of half-length h, e^(−2πi·j/(2h)) for j < h, stored from index h.
  std::vector<double> stage_cos_, stage_sin_;
  std::vector<std::complex<double>> real_twiddles_;  // e^(−2πi·k/size), k ≤ size/2.
};

/// The smallest power of two ≥ n (at least 4).
int next_power_of_two(int n);

}  // namespace rvc::dsp
