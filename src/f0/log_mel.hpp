// The log-mel front end the network f0 estimators share: STFT magnitude, a librosa mel basis,
// log of the floored mel. Private to rvc_core.
#pragma once

#include <torch/torch.h>

#include "dsp/mel_filterbank.hpp"

namespace rvc::f0 {

struct LogMelSettings {
  int64_t n_fft = 1024;
  int64_t window = 1024;  // periodic Hann of this length, centred in n_fft
  int64_t hop = 160;
  int64_t mel_bins = 128;
  double fmin_hz = 0, fmax_hz = 8000;
  dsp::MelScale scale = dsp::MelScale::kSlaney;
  bool center = false;          // torch.stft's centring with reflect padding
  double magnitude_eps = 0;     // added to re² + im² inside the square root
  double floor = 1e-5;          // log(max(mel, floor))
};

class LogMel {
 public:
  /// Builds the window and the mel basis (16 kHz) on `device`.
  LogMel(const LogMelSettings& settings, const torch::Device& device);
  /// [samples] float32 on the device -> log-mel [mel_bins, frames] float32.
  torch::Tensor operator()(const torch::Tensor& audio) const;

 private:
  LogMelSettings settings_;
  torch::Tensor window_, basis_;
};

}  // namespace rvc::f0
