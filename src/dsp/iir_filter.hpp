// Butterworth high-pass design and zero-phase filtering as scipy.signal does them: RVC removes
// everything below 48 Hz before f0 and feature extraction (filtfilt at inference, lfilter when
// preprocessing training data). Private to rvc.
#pragma once

#include <vector>

namespace rvc::dsp {

/// Transfer-function coefficients, a[0] = 1.
struct IirFilter {
  std::vector<double> b;  ///< Numerator.
  std::vector<double> a;  ///< Denominator.
};

/// scipy.signal.butter(order, cutoff_hz, btype="high", fs=sample_rate_hz): the analog Butterworth
/// prototype, pre-warped, mapped to a high-pass and through the bilinear transform.
IirFilter butterworth_highpass(int order, double cutoff_hz, double sample_rate_hz);

/// scipy.signal.lfilter(b, a, x) from a zero state (direct form II transposed).
std::vector<double> lfilter(const IirFilter& filter, const std::vector<double>& x);

/// scipy.signal.filtfilt(b, a, x) with its defaults: odd extension by 3·max(len(a), len(b))
/// samples at both ends, lfilter_zi initial states scaled by the first sample of each pass.
/// Throws rvc::Error (kInvalidAudio) when x is not longer than that extension.
std::vector<double> filtfilt(const IirFilter& filter, const std::vector<double>& x);

}  // namespace rvc::dsp
