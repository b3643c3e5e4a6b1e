// RMVPE (spec/rvc-inference.md 6.5): log-mel front end, the E2E network and the local-average
// decoder, as one Estimator. Its stages are public here for the parity tests and benchmarks.
// Private to rvc_core.
#pragma once

#include <torch/torch.h>

#include <memory>
#include <optional>
#include <string>

#include "backend/torch_util.hpp"
#include "f0/log_mel.hpp"
#include "f0/rmvpe_net.hpp"
#include "rvc/f0/estimator.hpp"

namespace rvc::f0 {

/// RVC's voicing threshold for RMVPE: a frame whose largest salience is at or below it is unvoiced.
constexpr double kRmvpeThreshold = 0.03;

/// Decodes a salience map [frames, 360] (row-major) as RMVPE.decode does, in its float64 maths:
/// weighted mean of cents over the argmax bin ±4, f0 = 10·2^(cents/1200), 0 where the frame's
/// largest salience ≤ `threshold`. The confidence is that largest salience.
F0Track decode_rmvpe_salience(const float* salience, std::int64_t frames, double threshold);
/// The same into hz[0, frames) and confidence[0, frames).
void decode_rmvpe_salience(const float* salience, std::int64_t frames, double threshold, double* hz,
                           float* confidence);

/// Sizes of an RMVPE state dict read from its tensor shapes. Throws kCorruptFile naming `path`.
RmvpeArchitecture rmvpe_architecture(const torch_util::StateDict& state, const std::string& path);

class RmvpeEstimator final : public Estimator {
 public:
  explicit RmvpeEstimator(const EstimatorConfig& config);

  F0Method method() const noexcept override { return F0Method::kRmvpe; }
  F0Track estimate(const float* samples, std::int64_t num_samples, int sample_rate_hz) const override;

  /// log(clamp(mel_basis @ |STFT|, 1e-5)) of 16 kHz samples: [128, n/160 + 1] float32 on the
  /// estimator's device.
  torch::Tensor log_mel(const float* samples, std::int64_t num_samples) const;
  /// The network on a log-mel [128, T] (any device): salience [T, 360] float32 on the CPU.
  torch::Tensor salience(torch::Tensor log_mel) const;
  /// Sizes read from the file.
  const RmvpeArchitecture& architecture() const { return architecture_; }
  /// The network (its receptive field; tests set small windows on it).
  RmvpeNet& net() { return *net_; }

 private:
  std::string path_;
  double threshold_;
  torch::Device device_{torch::kCPU};
  RmvpeArchitecture architecture_;
  std::unique_ptr<RmvpeNet> net_;
  std::optional<LogMel> log_mel_;
};

}  // namespace rvc::f0
