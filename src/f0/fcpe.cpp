#include "f0/fcpe.hpp"

#include <algorithm>
#include <cmath>

#include <ATen/Parallel.h>

#include "audio/input_check.hpp"
#include "backend/torch_util.hpp"
#include "f0/network_file.hpp"
#include "rvc/error.hpp"

namespace rvc::f0 {
namespace {

constexpr const char* kWhatToPass = "pass a torchfcpe checkpoint such as fcpe_c_v001.pt ({config_dict, model})";
constexpr int64_t kGroupNormGroups = 4;  // CFNaiveMelPE's input GroupNorm
constexpr double kNormEps = 1e-5;
constexpr double kInputSlope = 0.01;  // LeakyReLU after the GroupNorm
constexpr double kMagnitudeEps = 1e-9;  // inside the square root of the STFT magnitude
constexpr int64_t kDecodeRadius = 4;  // argmax ±4 bins

[[noreturn]] void corrupt(const std::string& path, const std::string& what) {
  throw Error(ErrorCode::kCorruptFile, "FCPE model '" + path + "' " + what);
}

[[noreturn]] void unsupported(const std::string& path, const std::string& what) {
  throw Error(ErrorCode::kUnsupported, "FCPE model '" + path + "' " + what + "; rvc runs the conv-only "
                                       "CFNaiveMelPE that RVC uses (fcpe_c_v001.pt)");
}

const io::Value* section(const io::Value& dict, const char* name) {
  const io::Value* value = dict.is_dict() ? dict.find(name) : nullptr;
  return value != nullptr && value->is_dict() ? value : nullptr;
}

double number(const io::Value* dict, const char* name, double fallback, const std::string& path) {
  const io::Value* value = dict != nullptr ? dict->find(name) : nullptr;
  if (value == nullptr || value->is_none()) return fallback;
  try {
    return value->as_float();
  } catch (const Error&) {
    corrupt(path, std::string("has a config_dict entry '") + name + "' that is not a number");
  }
}

bool flag(const io::Value* dict, const char* name) {
  const io::Value* value = dict != nullptr ? dict->find(name) : nullptr;
  return value != nullptr && !value->is_none() && value->as_bool();
}

std::string text(const io::Value* dict, const char* name) {
  const io::Value* value = dict != nullptr ? dict->find(name) : nullptr;
  return value != nullptr && value->kind() == io::Value::Kind::kString ? value->as_string() : std::string();
}

// The tensor `key`, which must have `rank` dimensions (and, where given, these sizes).
const torch::Tensor& weight(const torch_util::StateDict& state, const std::string& key, std::vector<int64_t> sizes,
                            const std::string& path) {
  auto found = state.find(key);
  if (found == state.end()) corrupt(path, "lacks the weight '" + key + "'; the file is incomplete");
  const torch::Tensor& tensor = found->second;
  bool fits = tensor.dim() == static_cast<int64_t>(sizes.size());
  for (std::size_t d = 0; fits && d < sizes.size(); ++d) {
    fits = sizes[d] < 0 || tensor.size(static_cast<int64_t>(d)) == sizes[d];
  }
  if (!fits) corrupt(path, "has the weight '" + key + "' in an unexpected shape; the file is damaged");
  return tensor;
}

}  // namespace

F0Track decode_fcpe_latent(const float* latent, std::int64_t frames, std::int64_t bins, const float* cent_table,
                           double threshold, double f0_min_hz) {
  F0Track track;
  track.arithmetic = F0Arithmetic::kFloat32;
  track.hz.resize(static_cast<std::size_t>(frames));
  track.confidence.resize(static_cast<std::size_t>(frames));
  const auto threshold32 = static_cast<float>(threshold);
  const auto f0_min32 = static_cast<float>(f0_min_hz);
  for (std::int64_t frame = 0; frame < frames; ++frame) {
    const float* row = latent + frame * bins;
    const std::int64_t center = std::max_element(row, row + bins) - row;
    float weighted = 0, total = 0;
    for (std::int64_t offset = -kDecodeRadius; offset <= kDecodeRadius; ++offset) {
      const std::int64_t bin = std::clamp<std::int64_t>(center + offset, 0, bins - 1);
      weighted += cent_table[bin] * row[bin];
      total += row[bin];
    }
    const float confidence = row[center];
    float hz = 10.0f * std::pow(2.0f, weighted / total / 1200.0f);
    if (confidence <= threshold32 || hz < f0_min32) hz = 0;
    track.hz[static_cast<std::size_t>(frame)] = hz;
    track.confidence[static_cast<std::size_t>(frame)] = confidence;
  }
  return track;
}

FcpeEstimator::FcpeEstimator(const EstimatorConfig& config) {
  config.validate();
  path_ = config.model_path;
  const io::Value root = load_network_checkpoint(path_, model::CheckpointKind::kFcpe, "fcpe", kWhatToPass);
  const io::Value* settings = section(root, "config_dict");
  const io::Value* mel = settings != nullptr ? section(*settings, "mel") : nullptr;
  const io::Value* model = settings != nullptr ? section(*settings, "model") : nullptr;
  if (model == nullptr) corrupt(path_, "has no config_dict['model']; the file is incomplete");
  if (const std::string type = text(model, "type"); type != "CFNaiveMelPE") {
    unsupported(path_, "is a '" + type + "' model");
  }
  if (!flag(model, "conv_only")) unsupported(path_, "has attention layers (conv_only is false)");
  if (flag(model, "use_harmonic_emb")) unsupported(path_, "uses a harmonic embedding");
  if (flag(settings, "is_onnx")) unsupported(path_, "is an ONNX export");
  if (const std::string type = text(mel, "type"); !type.empty() && type != "default") {
    unsupported(path_, "takes '" + type + "' spectra instead of a mel");
  }
  if (number(mel, "sr", kF0SampleRateHz, path_) != kF0SampleRateHz ||
      number(mel, "hop_size", kHopSamples16k, path_) != kHopSamples16k) {
    unsupported(path_, "does not run at 16 kHz with a 160-sample hop (100 frames per second)");
  }
  arch_.n_fft = static_cast<int64_t>(number(mel, "n_fft", 1024, path_));
  arch_.window = static_cast<int64_t>(number(mel, "win_size", 1024, path_));
  arch_.fmin_hz = number(mel, "fmin", 0, path_);
  arch_.fmax_hz = number(mel, "fmax", 8000, path_);
  arch_.f0_min_hz = number(model, "f0_min", 32.70, path_);
  const double f0_max_hz = number(model, "f0_max", 1975.5, path_);
  if (arch_.n_fft <= 0 || arch_.window <= 0 || arch_.window > arch_.n_fft || arch_.fmax_hz <= arch_.fmin_hz) {
    corrupt(path_, "has inconsistent mel settings in config_dict['mel']");
  }

  const torch_util::StateDict state = torch_util::read_state_dict(root.at("model"), path_);
  const torch::Tensor first = weight(state, "input_stack.0.weight", {-1, -1, 3}, path_);
  arch_.hidden = first.size(0);
  arch_.mel_bins = first.size(1);
  if (arch_.mel_bins != static_cast<int64_t>(number(mel, "num_mels", 128, path_))) {
    corrupt(path_, "has an input layer that does not match config_dict['mel']['num_mels']");
  }
  if (arch_.hidden % kGroupNormGroups != 0) corrupt(path_, "has a hidden width not divisible into 4 groups");
  arch_.layers = 0;
  while (state.count("net.encoder_layers." + std::to_string(arch_.layers) + ".conformer.net.0.weight") != 0) {
    ++arch_.layers;
  }
  arch_.out_bins = weight(state, "output_proj.bias", {-1}, path_).size(0);
  const int64_t h = arch_.hidden;

  device_ = torch_util::parse_device(config.device);
  dtype_ = torch_util::prepare_networks(config.precision, device_);
  threshold_ = config.voicing_threshold < 0 ? kFcpeThreshold : config.voicing_threshold;
  auto place = [&](const std::string& key, std::vector<int64_t> sizes) {
    return weight(state, key, std::move(sizes), path_).to(device_, dtype_).contiguous();
  };
  conv1_weight_ = place("input_stack.0.weight", {h, arch_.mel_bins, 3});
  conv1_bias_ = place("input_stack.0.bias", {h});
  group_norm_weight_ = place("input_stack.1.weight", {h});
  group_norm_bias_ = place("input_stack.1.bias", {h});
  conv2_weight_ = place("input_stack.3.weight", {h, h, 3});
  conv2_bias_ = place("input_stack.3.bias", {h});
  for (int64_t i = 0; i < arch_.layers; ++i) {
    const std::string prefix = "net.encoder_layers." + std::to_string(i) + ".conformer.net.";
    Layer layer;
    layer.norm_weight = place(prefix + "0.weight", {h});
    layer.norm_bias = place(prefix + "0.bias", {h});
    layer.expand_weight = place(prefix + "2.weight", {4 * h, h, 1}).squeeze(2);
    layer.expand_bias = place(prefix + "2.bias", {4 * h});
    layer.depthwise_weight = place(prefix + "4.conv.weight", {2 * h, 1, -1});
    layer.depthwise_bias = place(prefix + "4.conv.bias", {2 * h});
    layer.project_weight = place(prefix + "6.weight", {h, 2 * h, 1}).squeeze(2);
    layer.project_bias = place(prefix + "6.bias", {h});
    arch_.kernel = layer.depthwise_weight.size(2);
    if (device_.is_cpu() && dtype_ == torch::kFloat32) {
      layer.depthwise_taps = layer.depthwise_weight.squeeze(1).t().contiguous();
    }
    if (arch_.kernel % 2 == 0) corrupt(path_, "has a depthwise convolution of even width");
    layers_.push_back(std::move(layer));
  }
  norm_weight_ = place("norm.weight", {h});
  norm_bias_ = place("norm.bias", {h});
  output_weight_ = place("output_proj.weight", {arch_.out_bins, h});
  output_bias_ = place("output_proj.bias", {arch_.out_bins});

  // The decoding table is stored in the file; older files are rebuilt from the f0 range.
  if (auto table = state.find("cent_table"); table != state.end()) {
    const torch::Tensor values = weight(state, "cent_table", {arch_.out_bins}, path_).to(torch::kFloat32).contiguous();
    cent_table_.assign(values.data_ptr<float>(), values.data_ptr<float>() + values.numel());
  } else {
    const torch::Tensor values = torch::linspace(1200.0 * std::log2(arch_.f0_min_hz / 10.0),
                                                 1200.0 * std::log2(f0_max_hz / 10.0), arch_.out_bins);
    cent_table_.assign(values.data_ptr<float>(), values.data_ptr<float>() + values.numel());
  }

  LogMelSettings front_end;
  front_end.n_fft = arch_.n_fft;
  front_end.window = arch_.window;
  front_end.hop = kHopSamples16k;
  front_end.mel_bins = arch_.mel_bins;
  front_end.fmin_hz = arch_.fmin_hz;
  front_end.fmax_hz = arch_.fmax_hz;
  front_end.scale = dsp::MelScale::kSlaney;
  front_end.magnitude_eps = kMagnitudeEps;
  log_mel_.emplace(front_end, device_);
}

torch::Tensor FcpeEstimator::log_mel(const float* samples, std::int64_t num_samples) const {
  c10::InferenceMode inference;
  const int64_t hop = kHopSamples16k;
  const torch::Tensor audio =
      torch::from_blob(const_cast<float*>(samples), {1, 1, num_samples}, torch::kFloat32).to(device_);
  // torchfcpe pads (win − hop)/2 on the left and enough on the right for one frame; reflect when
  // the signal is long enough, zeros otherwise.
  const int64_t left = (arch_.window - hop) / 2;
  const int64_t right = std::max((arch_.window - hop + 1) / 2, arch_.window - num_samples - left);
  const torch::Tensor padded = right < num_samples ? torch::reflection_pad1d(audio, {left, right})
                                                   : torch::constant_pad_nd(audio, {left, right});
  torch::Tensor mel = (*log_mel_)(padded.view(-1)).t();
  // RVC's frame count is n/160 + 1: torchfcpe repeats the last frame once, or cuts.
  const int64_t frames = f0_frames(num_samples);
  if (mel.size(0) < frames) mel = torch::cat({mel, mel.narrow(0, mel.size(0) - 1, 1)});
  return mel.narrow(0, 0, frames).contiguous();
}

torch::Tensor FcpeEstimator::latent(const torch::Tensor& log_mel) const {
  c10::InferenceMode inference;
  torch::Tensor x = log_mel.to(device_, dtype_).t().unsqueeze(0);  // [1, mels, T]
  x = torch::conv1d(x, conv1_weight_, conv1_bias_, 1, 1);
  x = torch::group_norm(x, kGroupNormGroups, group_norm_weight_, group_norm_bias_, kNormEps);
  x = torch::leaky_relu(x, kInputSlope);
  x = torch::conv1d(x, conv2_weight_, conv2_bias_, 1, 1)[0].t().contiguous();  // [T, H]
  const int64_t h = arch_.hidden;
  for (const Layer& layer : layers_) {
    torch::Tensor y = torch::layer_norm(x, {h}, layer.norm_weight, layer.norm_bias, kNormEps);
    y = torch::glu(torch::addmm(layer.expand_bias, y, layer.expand_weight.t()), 1);  // [T, 2H]
    y = torch::silu(depthwise(layer, y));
    x = x + torch::addmm(layer.project_bias, y, layer.project_weight.t());
  }
  x = torch::layer_norm(x, {h}, norm_weight_, norm_bias_, kNormEps);
  x = torch::sigmoid(torch::addmm(output_bias_, x, output_weight_.t()));
  return x.to(torch::kCPU, torch::kFloat32).contiguous();
}

torch::Tensor FcpeEstimator::depthwise(const Layer& layer, const torch::Tensor& x) const {
  if (!layer.depthwise_taps.defined()) {
    const int64_t channels = x.size(1);
    return torch::conv1d(x.t().unsqueeze(0), layer.depthwise_weight, layer.depthwise_bias, 1, arch_.kernel / 2, 1,
                         channels)[0].t();
  }
  // oneDNN's depthwise 1-d convolution runs at ~2 GFLOP/s here (30 ms a layer at 10 s); a loop
  // over time-major rows, vectorised across channels, takes ~2 ms.
  const torch::Tensor input = x.contiguous();
  const int64_t frames = input.size(0), channels = input.size(1), kernel = arch_.kernel, half = kernel / 2;
  torch::Tensor output = torch::empty_like(input);
  const float* in = input.data_ptr<float>();
  const float* taps = layer.depthwise_taps.data_ptr<float>();
  const float* bias = layer.depthwise_bias.data_ptr<float>();
  float* out = output.data_ptr<float>();
  at::parallel_for(0, frames, 16, [&](int64_t begin, int64_t end) {
    for (int64_t t = begin; t < end; ++t) {
      float* row = out + t * channels;
      std::copy(bias, bias + channels, row);
      for (int64_t k = std::max<int64_t>(0, half - t); k < kernel && t + k - half < frames; ++k) {
        const float* source = in + (t + k - half) * channels;
        const float* tap = taps + k * channels;
#pragma omp simd
        for (int64_t c = 0; c < channels; ++c) row[c] += tap[c] * source[c];
      }
    }
  });
  return output;
}

F0Track FcpeEstimator::estimate(const float* samples, std::int64_t num_samples, int sample_rate_hz) const {
  audio::check_input_audio(samples, num_samples, sample_rate_hz, kF0SampleRateHz, 1, "FCPE '" + path_ + "'");
  const torch::Tensor map = latent(log_mel(samples, num_samples));
  return decode_fcpe_latent(map.data_ptr<float>(), map.size(0), map.size(1), cent_table_.data(), threshold_,
                            arch_.f0_min_hz);
}

}  // namespace rvc::f0
