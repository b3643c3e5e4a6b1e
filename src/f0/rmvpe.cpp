#include "f0/rmvpe.hpp"

#include <algorithm>
#include <cmath>

#include "audio/input_check.hpp"
#include "f0/network_file.hpp"
#include "rvc/error.hpp"

namespace rvc::f0 {
namespace {

// The log-mel front end (MelSpectrogram in RVC's rmvpe.py).
constexpr int64_t kFftSize = 1024;
constexpr double kMelMinHz = 30.0;
constexpr double kMelMaxHz = 8000.0;
// Reflect padding by n_fft/2 needs more samples than that.
constexpr int64_t kMinSamples = kFftSize / 2 + 1;

// Cents of pitch class `bin` (20 cents a class from 31.7 Hz).
constexpr double kCentsOffset = 1997.3794084376191;
constexpr double kCentsPerClass = 20.0;
constexpr int64_t kDecodeRadius = 4;  // the argmax bin ±4

constexpr const char* kWhatToPass = "pass rmvpe.pt (assets/rmvpe/rmvpe.pt in RVC)";

[[noreturn]] void corrupt(const std::string& path, const std::string& what) {
  throw Error(ErrorCode::kCorruptFile, "RMVPE model '" + path + "' " + what);
}

// numpy's pairwise sum of 9 values (8 unrolled partial sums, then the ninth), so the decoded f0
// rounds as RVC's does.
template <typename T>
T numpy_sum9(const T (&v)[9]) {
  T sum = ((v[0] + v[1]) + (v[2] + v[3])) + ((v[4] + v[5]) + (v[6] + v[7]));
  return sum + v[8];
}

// An RMVPE track of `frames` frames to decode into: the cents map is float64, so is everything after it.
F0Track empty_track(std::int64_t frames) {
  F0Track track;
  track.arithmetic = F0Arithmetic::kFloat64;
  track.hz.resize(static_cast<std::size_t>(frames));
  track.confidence.resize(static_cast<std::size_t>(frames));
  return track;
}

}  // namespace

void decode_rmvpe_salience(const float* salience, std::int64_t frames, double threshold, double* hz,
                           float* confidence) {
  // numpy compares the float32 maxima with the threshold in float32.
  const float threshold32 = static_cast<float>(threshold);
  for (std::int64_t frame = 0; frame < frames; ++frame) {
    const float* row = salience + frame * kRmvpeClasses;
    const int64_t center = std::max_element(row, row + kRmvpeClasses) - row;  // first maximum, as np.argmax
    double weighted[9] = {};
    float weights[9] = {};
    for (int64_t k = 0; k < 2 * kDecodeRadius + 1; ++k) {
      const int64_t bin = center - kDecodeRadius + k;
      if (bin < 0 || bin >= kRmvpeClasses) continue;  // zero-padded ends
      weights[k] = row[bin];
      weighted[k] = static_cast<double>(row[bin]) * (kCentsPerClass * static_cast<double>(bin) + kCentsOffset);
    }
    const float peak = row[center];
    double cents = numpy_sum9(weighted) / static_cast<double>(numpy_sum9(weights));
    if (peak <= threshold32) cents = 0;
    double frame_hz = 10.0 * std::pow(2.0, cents / 1200.0);
    if (frame_hz == 10.0) frame_hz = 0;
    hz[frame] = frame_hz;
    confidence[frame] = peak;
  }
}

F0Track decode_rmvpe_salience(const float* salience, std::int64_t frames, double threshold) {
  F0Track track = empty_track(frames);
  decode_rmvpe_salience(salience, frames, threshold, track.hz.data(), track.confidence.data());
  return track;
}

RmvpeArchitecture rmvpe_architecture(const torch_util::StateDict& state, const std::string& path) {
  auto has = [&](const std::string& key) { return state.count(key) != 0; };
  auto count = [&](const std::string& prefix, const std::string& suffix) {
    int64_t n = 0;
    while (has(prefix + std::to_string(n) + suffix)) ++n;
    return n;
  };
  RmvpeArchitecture arch;
  arch.levels = count("unet.encoder.layers.", ".conv.0.conv.0.weight");
  arch.blocks_per_level = count("unet.encoder.layers.0.conv.", ".conv.0.weight");
  arch.intermediate_layers = count("unet.intermediate.layers.", ".conv.0.conv.0.weight");
  if (arch.levels == 0 || arch.blocks_per_level == 0 || arch.intermediate_layers == 0) {
    corrupt(path, "lacks U-Net weights (unet.encoder.layers.*, unet.intermediate.layers.*); the file is incomplete");
  }
  if (arch.levels > 5) {
    throw Error(ErrorCode::kUnsupported, "RMVPE model '" + path + "' has " + std::to_string(arch.levels) +
                                             " U-Net levels; RVC pads time to 32 frames, which allows 5 at most");
  }
  const torch::Tensor& first = state.at("unet.encoder.layers.0.conv.0.conv.0.weight");
  if (first.dim() != 4) corrupt(path, "has a first convolution that is not 2-d; the file is damaged");
  arch.base_channels = first.size(0);
  arch.in_channels = first.size(1);
  arch.gru_layers = count("fc.0.gru.weight_ih_l", "");
  if (arch.gru_layers > 0) {
    auto hidden = state.find("fc.0.gru.weight_hh_l0");
    if (hidden == state.end() || hidden->second.dim() != 2) corrupt(path, "lacks fc.0.gru.weight_hh_l0");
    arch.gru_hidden = hidden->second.size(1);
  }
  return arch;
}

RmvpeEstimator::RmvpeEstimator(const EstimatorConfig& config) {
  config.validate();
  path_ = config.model_path;
  torch_util::StateDict state;
  {  // the mapped file is released once read
    const io::Value root = load_network_checkpoint(path_, model::CheckpointKind::kRmvpe, "rmvpe", kWhatToPass);
    state = torch_util::read_state_dict(root, path_);
  }
  architecture_ = rmvpe_architecture(state, path_);
  threshold_ = config.voicing_threshold < 0 ? kRmvpeThreshold : config.voicing_threshold;
  device_ = torch_util::parse_device(config.device);
  torch::NoGradGuard no_grad;
  RmvpeModules modules(architecture_);
  torch_util::load_parameters(modules, state, "", path_);
  state.clear();
  modules.eval();
  net_ = std::make_unique<RmvpeNet>(modules, device_, torch_util::prepare_networks(config.precision, device_));
  LogMelSettings mel;
  mel.n_fft = mel.window = kFftSize;
  mel.hop = kHopSamples16k;
  mel.mel_bins = kRmvpeMelBins;
  mel.fmin_hz = kMelMinHz;
  mel.fmax_hz = kMelMaxHz;
  mel.scale = dsp::MelScale::kHtk;
  mel.center = true;
  log_mel_.emplace(mel, device_);
  torch_util::release_free_memory();
}

torch::Tensor RmvpeEstimator::log_mel(const float* samples, std::int64_t num_samples) const {
  c10::InferenceMode inference;
  const torch::Tensor audio =
      torch::from_blob(const_cast<float*>(samples), {num_samples}, torch::kFloat32).to(device_);
  return (*log_mel_)(audio);
}

torch::Tensor RmvpeEstimator::salience(torch::Tensor log_mel) const {
  c10::InferenceMode inference;
  return net_->forward(std::move(log_mel));
}

F0Track RmvpeEstimator::estimate(const float* samples, std::int64_t num_samples, int sample_rate_hz) const {
  audio::check_input_audio(samples, num_samples, sample_rate_hz, kF0SampleRateHz, kMinSamples,
                           "RMVPE '" + path_ + "'");
  c10::InferenceMode inference;
  torch::Tensor mel = log_mel(samples, num_samples);
  F0Track track = empty_track(mel.size(1));
  // Decoded a block at a time: a long input never holds its whole salience map.
  net_->forward(std::move(mel), [&](const float* salience, std::int64_t first, std::int64_t count) {
    decode_rmvpe_salience(salience, count, threshold_, track.hz.data() + first, track.confidence.data() + first);
  });
  return track;
}

}  // namespace rvc::f0
