// FCPE (spec/fcpe.md), the estimator behind RVC 2026's "fcpe" method: torchfcpe's checkpoint
// ({config_dict, model}), its mel front end, the conv-only CFNaiveMelPE network and the
// local-argmax decoder, as one Estimator. Stages are public here for the parity tests.
// Private to rvc_core.
#pragma once

#include <torch/torch.h>

#include <optional>
#include <string>

#include "f0/log_mel.hpp"
#include "rvc/f0/estimator.hpp"

namespace rvc::f0 {

/// RVC's voicing threshold for FCPE: frames whose largest latent is at or below it are unvoiced.
constexpr double kFcpeThreshold = 0.006;

/// Decodes a latent [frames, bins] (row-major) as torchfcpe's local_argmax decoder does, in
/// float32: weighted mean of `cent_table` over the argmax bin ±4 (indices clamped to the ends),
/// f0 = 10·2^(cents/1200); 0 where the largest latent ≤ `threshold` or f0 < `f0_min_hz`.
F0Track decode_fcpe_latent(const float* latent, std::int64_t frames, std::int64_t bins, const float* cent_table,
                           double threshold, double f0_min_hz);

/// Sizes and settings read from an FCPE checkpoint.
struct FcpeArchitecture {
  int64_t mel_bins = 128;
  int64_t hidden = 512;
  int64_t layers = 6;
  int64_t out_bins = 360;
  int64_t kernel = 31;  // depthwise convolution
  int64_t n_fft = 1024, window = 1024, hop = 160;
  double fmin_hz = 0, fmax_hz = 8000;
  double f0_min_hz = 32.70;
};

class FcpeEstimator final : public Estimator {
 public:
  explicit FcpeEstimator(const EstimatorConfig& config);

  F0Method method() const noexcept override { return F0Method::kFcpe; }
  F0Track estimate(const float* samples, std::int64_t num_samples, int sample_rate_hz) const override;

  /// The mel of 16 kHz samples: [n/160 + 1, mel_bins] float32 on the estimator's device.
  torch::Tensor log_mel(const float* samples, std::int64_t num_samples) const;
  /// The network on a mel [T, mel_bins] (any device): latent [T, out_bins] float32 on the CPU.
  torch::Tensor latent(const torch::Tensor& log_mel) const;
  /// Sizes read from the file.
  const FcpeArchitecture& architecture() const { return arch_; }

 private:
  struct Layer {
    torch::Tensor norm_weight, norm_bias;          // LayerNorm
    torch::Tensor expand_weight, expand_bias;      // pointwise H -> 4H, as a linear map
    torch::Tensor depthwise_weight, depthwise_bias;  // [2H, 1, kernel]
    torch::Tensor depthwise_taps;                    // [kernel, 2H], for the CPU float32 loop
    torch::Tensor project_weight, project_bias;    // pointwise 2H -> H, as a linear map
  };

  // Depthwise convolution over time of x [T, C] (time-major, as the layer holds it).
  torch::Tensor depthwise(const Layer& layer, const torch::Tensor& x) const;

  std::string path_;
  double threshold_ = kFcpeThreshold;
  FcpeArchitecture arch_;
  torch::Device device_{torch::kCPU};
  torch::ScalarType dtype_ = torch::kFloat32;
  std::optional<LogMel> log_mel_;
  torch::Tensor conv1_weight_, conv1_bias_, group_norm_weight_, group_norm_bias_, conv2_weight_, conv2_bias_;
  std::vector<Layer> layers_;
  torch::Tensor norm_weight_, norm_bias_, output_weight_, output_bias_;
  std::vector<float> cent_table_;
};

}  // namespace rvc::f0
