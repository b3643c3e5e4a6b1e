#include "f0/log_mel.hpp"

#include <algorithm>
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

namespace {

// Frames transformed at a time: the spectrum of ten minutes at once would take ~0.5 GB.
constexpr int64_t kBlockFrames = 4096;

}  // namespace

torch::Tensor LogMel::operator()(const torch::Tensor& audio) const {
  // torch.stft(center=True) reflect-pads n_fft/2 samples at both ends; frame t then covers padded
  // samples [t·hop, t·hop + n_fft), so blocks of frames transform independently.
  const int64_t half = settings_.n_fft / 2;
  const torch::Tensor padded =
      settings_.center ? torch::reflection_pad1d(audio.view({1, 1, -1}), {half, half}).view({-1}) : audio;
  const int64_t frames = (padded.size(0) - settings_.n_fft) / settings_.hop + 1;
  torch::Tensor mel = torch::empty({settings_.mel_bins, frames}, padded.options().dtype(torch::kFloat32));
  for (int64_t first = 0; first < frames; first += kBlockFrames) {
    const int64_t count = std::min(kBlockFrames, frames - first);
    const torch::Tensor piece = padded.narrow(0, first * settings_.hop, (count - 1) * settings_.hop + settings_.n_fft);
    const torch::Tensor spectrum = torch::stft(piece, settings_.n_fft, settings_.hop, settings_.window, window_,
                                               /*center=*/false, "reflect", /*normalized=*/false, /*onesided=*/true,
                                               /*return_complex=*/true);
    torch::Tensor power = torch::real(spectrum).pow(2) + torch::imag(spectrum).pow(2);
    if (settings_.magnitude_eps != 0) power = power + settings_.magnitude_eps;
    mel.narrow(1, first, count).copy_(torch::log(torch::clamp_min(torch::matmul(basis_, power.sqrt()), settings_.floor)));
  }
  return mel;
}

}  // namespace rvc::f0
