#include "f0/log_mel.hpp"

#include <vector>

#include "rvc/f0/estimator.hpp"

namespace rvc::f0 {

LogMel::LogMel(const LogMelSettings& settings, const torch::Device& device) : settings_(settings) {
  window_ = torch::hann_window(settings.window, torch::TensorOptions().dtype(torch::kFloat32)).to(device);
  std::vector<float> basis =
      dsp::mel_filterbank(kF0SampleRateHz, static_cast<int>(settings.n_fft), static_cast<int>(settings.mel_bins),
                          settings.fmin_hz, settings.fmax_hz, settings.scale);
  basis_ = torch::from_blob(basis.data(), {settings.mel_bins, settings.n_fft / 2 + 1}, torch::kFloat32)
               .to(device)
               .clone();
}

torch::Tensor LogMel::operator()(const torch::Tensor& audio) const {
  const torch::Tensor spectrum = torch::stft(audio, settings_.n_fft, settings_.hop, settings_.window, window_,
                                             settings_.center, "reflect", /*normalized=*/false, /*onesided=*/true,
                                             /*return_complex=*/true);
  torch::Tensor power = torch::real(spectrum).pow(2) + torch::imag(spectrum).pow(2);
  if (settings_.magnitude_eps != 0) power = power + settings_.magnitude_eps;
  return torch::log(torch::clamp_min(torch::matmul(basis_, power.sqrt()), settings_.floor));
}

}  // namespace rvc::f0
