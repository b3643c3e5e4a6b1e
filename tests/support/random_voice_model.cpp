#include "support/random_voice_model.hpp"

#include <torch/torch.h>

#include <cstring>

#include "rvc/io/checkpoint.hpp"
#include "f0/rmvpe_net.hpp"
#include "features/content_encoder_net.hpp"
#include "synth/synthesizer_net.hpp"

namespace rvc::test {
namespace {

// The layers RVC wraps in weight_norm (spec/rvc-inference.md 1.5).
bool is_weight_normed(const std::string& key) {
  if (key.size() < 7 || key.compare(key.size() - 7, 7, ".weight") != 0) return false;
  for (const char* part : {"dec.ups.", "dec.resblocks.", ".enc.in_layers.", ".enc.res_skip_layers.", ".enc.cond_layer."}) {
    if (key.find(part) != std::string::npos) return true;
  }
  return false;
}

io::Value half_tensor(const torch::Tensor& tensor) {
  const torch::Tensor half = tensor.to(torch::kFloat16).contiguous();
  std::vector<std::uint8_t> bytes(static_cast<std::size_t>(half.numel()) * 2);
  if (!bytes.empty()) std::memcpy(bytes.data(), half.data_ptr(), bytes.size());
  return io::Value::tensor(io::TensorData::from_bytes(io::DType::kFloat16,
                                                      std::vector<std::int64_t>(half.sizes().begin(), half.sizes().end()),
                                                      std::move(bytes)));
}

// N(0, 1/fan_in) weights, small biases, unit norm scales: activations stay in range at any depth.
torch::Tensor random_parameter(const std::string& key, const torch::Tensor& shape_of) {
  auto ends_with = [&](const char* suffix) {
    const std::size_t n = std::strlen(suffix);
    return key.size() >= n && key.compare(key.size() - n, n, suffix) == 0;
  };
  const bool norm_scale = key.find(".gamma") != std::string::npos || (shape_of.dim() == 1 && ends_with(".weight"));
  if (norm_scale) return torch::ones_like(shape_of);
  if (key.find(".beta") != std::string::npos || ends_with(".bias")) return torch::randn_like(shape_of) * 0.01;
  const int64_t fan_in = shape_of.dim() > 1 ? shape_of.numel() / shape_of.size(0) : shape_of.numel();
  return torch::randn_like(shape_of) / std::sqrt(static_cast<double>(std::max<int64_t>(fan_in, 1)));
}

// weight = g · v / ‖v‖ with the norm over every dimension but `dim`: g = ‖value‖ there, v = value.
void set_weight_normed(io::Value& state, const std::string& base, const torch::Tensor& value, int64_t dim) {
  std::vector<int64_t> norm_dims;
  for (int64_t d = 0; d < value.dim(); ++d) {
    if (d != dim) norm_dims.push_back(d);
  }
  state.set(base + ".weight_g", half_tensor(value.pow(2).sum(norm_dims, true).sqrt()));
  state.set(base + ".weight_v", half_tensor(value));
}

}  // namespace

int write_random_voice_model(const std::string& path, const std::string& version, bool has_pitch,
                             const model::ModelConfig& config, std::uint64_t seed) {
  model::ModelInfo info;
  info.version = version;
  info.has_pitch = has_pitch;
  info.config = config;
  torch::manual_seed(seed);
  torch::NoGradGuard no_grad;
  synth::SynthesizerNet net(info);
  io::Value weight = io::Value::dict();
  for (const auto& item : net.named_parameters()) {
    const std::string& key = item.key();
    const torch::Tensor value = random_parameter(key, item.value());
    if (is_weight_normed(key)) {
      set_weight_normed(weight, key.substr(0, key.size() - 7), value, 0);
    } else {
      weight.set(key, half_tensor(value));
    }
  }
  const int keys = static_cast<int>(weight.as_dict().size());
  io::Value root = io::Value::dict();
  root.set("weight", weight);
  root.set("config", config.to_list());
  root.set("info", io::Value::string("random weights (rvc test support)"));
  root.set("sr", io::Value::string(std::to_string(config.sample_rate_hz / 1000) + "k"));
  root.set("f0", io::Value::integer(has_pitch ? 1 : 0));
  root.set("version", io::Value::string(version));
  io::save_checkpoint(path, root);
  return keys;
}

}  // namespace rvc::test

namespace rvc::test {

void write_random_content_encoder(const std::string& path, std::uint64_t seed) {
  features::EncoderArchitecture arch;
  arch.conv_channels = {512, 512, 512, 512, 512, 512, 512};
  arch.conv_kernels = {10, 3, 3, 3, 3, 2, 2};
  arch.conv_strides = {5, 2, 2, 2, 2, 2, 2};
  arch.hidden = 768;
  arch.layers = 12;
  arch.heads = 12;
  arch.ffn = 3072;
  arch.pos_kernel = 128;
  arch.pos_groups = 16;
  arch.final_dim = 256;
  torch::manual_seed(seed);
  torch::NoGradGuard no_grad;
  features::HubertNet net(arch);
  io::Value model = io::Value::dict();
  for (const auto& item : net.named_parameters()) {
    const torch::Tensor value = random_parameter(item.key(), item.value());
    if (item.key() == "encoder.pos_conv.0.weight") {
      set_weight_normed(model, "encoder.pos_conv.0", value, 2);  // fairseq: weight_norm(dim=2)
    } else {
      model.set(item.key(), half_tensor(value));
    }
  }
  model.set("mask_emb", half_tensor(torch::rand({arch.hidden})));
  model.set("label_embs_concat", half_tensor(torch::randn({504, arch.final_dim})));
  io::Value settings = io::Value::dict();
  settings.set("_name", io::Value::string("hubert"));
  settings.set("extractor_mode", io::Value::string("default"));
  settings.set("conv_feature_layers", io::Value::string("[(512,10,5)] + [(512,3,2)] * 4 + [(512,2,2)] * 2"));
  settings.set("encoder_layers", io::Value::integer(arch.layers));
  settings.set("encoder_embed_dim", io::Value::integer(arch.hidden));
  settings.set("encoder_ffn_embed_dim", io::Value::integer(arch.ffn));
  settings.set("encoder_attention_heads", io::Value::integer(arch.heads));
  settings.set("conv_pos", io::Value::integer(arch.pos_kernel));
  settings.set("conv_pos_groups", io::Value::integer(arch.pos_groups));
  settings.set("final_dim", io::Value::integer(arch.final_dim));
  settings.set("layer_norm_first", io::Value::boolean(false));
  io::Value cfg = io::Value::dict();
  cfg.set("model", settings);
  io::Value root = io::Value::dict();
  root.set("args", io::Value::none());
  root.set("cfg", cfg);
  root.set("model", model);
  root.set("criterion", io::Value::none());
  root.set("optimizer_history", io::Value::list());
  root.set("task_state", io::Value::dict());
  root.set("extra_state", io::Value::dict());
  root.set("last_optimizer_state", io::Value::none());
  io::save_checkpoint(path, root);
}

}  // namespace rvc::test

namespace rvc::test {

void write_random_rmvpe(const std::string& path, std::uint64_t seed) {
  torch::manual_seed(seed);
  torch::NoGradGuard no_grad;
  f0::RmvpeModules net{f0::RmvpeArchitecture{}};
  io::Value state = io::Value::dict();
  for (const auto& item : net.named_parameters()) {
    state.set(item.key(), half_tensor(random_parameter(item.key(), item.value())));
  }
  for (const auto& item : net.named_buffers()) {
    const std::string& key = item.key();
    if (item.value().scalar_type() == torch::kInt64) {  // num_batches_tracked
      const std::vector<std::uint8_t> bytes(sizeof(std::int64_t), 0);
      state.set(key, io::Value::tensor(io::TensorData::from_bytes(io::DType::kInt64, {}, bytes)));
    } else if (key.find("running_var") != std::string::npos) {
      state.set(key, half_tensor(0.5 + torch::rand_like(item.value())));
    } else {
      state.set(key, half_tensor(0.1 * torch::randn_like(item.value())));
    }
  }
  io::save_checkpoint(path, state);
}

}  // namespace rvc::test

namespace rvc::test {
namespace {

io::Value float_tensor(const torch::Tensor& tensor) {
  const torch::Tensor values = tensor.to(torch::kFloat32).contiguous();
  std::vector<std::uint8_t> bytes(static_cast<std::size_t>(values.numel()) * 4);
  if (!bytes.empty()) std::memcpy(bytes.data(), values.data_ptr(), bytes.size());
  return io::Value::tensor(io::TensorData::from_bytes(
      io::DType::kFloat32, std::vector<std::int64_t>(values.sizes().begin(), values.sizes().end()), std::move(bytes)));
}

}  // namespace

void write_random_fcpe(const std::string& path, std::uint64_t seed) {
  constexpr int64_t kMels = 128, kHidden = 512, kLayers = 6, kBins = 360, kKernel = 31;
  constexpr double kF0Min = 32.70, kF0Max = 1975.5;
  torch::manual_seed(seed);
  io::Value state = io::Value::dict();
  auto set = [&](const std::string& key, std::vector<int64_t> shape) {
    state.set(key, float_tensor(random_parameter(key, torch::empty(shape))));
  };
  set("input_stack.0.weight", {kHidden, kMels, 3});
  set("input_stack.0.bias", {kHidden});
  set("input_stack.1.weight", {kHidden});
  set("input_stack.1.bias", {kHidden});
  set("input_stack.3.weight", {kHidden, kHidden, 3});
  set("input_stack.3.bias", {kHidden});
  for (int64_t i = 0; i < kLayers; ++i) {
    const std::string layer = "net.encoder_layers." + std::to_string(i) + ".";
    set(layer + "conformer.net.0.weight", {kHidden});
    set(layer + "conformer.net.0.bias", {kHidden});
    set(layer + "conformer.net.2.weight", {4 * kHidden, kHidden, 1});
    set(layer + "conformer.net.2.bias", {4 * kHidden});
    set(layer + "conformer.net.4.conv.weight", {2 * kHidden, 1, kKernel});
    set(layer + "conformer.net.4.conv.bias", {2 * kHidden});
    set(layer + "conformer.net.6.weight", {kHidden, 2 * kHidden, 1});
    set(layer + "conformer.net.6.bias", {kHidden});
    set(layer + "norm.weight", {kHidden});
    set(layer + "norm.bias", {kHidden});
  }
  set("norm.weight", {kHidden});
  set("norm.bias", {kHidden});
  const torch::Tensor direction = torch::randn({kBins, kHidden});
  state.set("output_proj.weight_v", float_tensor(direction));
  state.set("output_proj.weight_g", float_tensor(torch::rand({kBins, 1}) + 0.5));
  set("output_proj.bias", {kBins});
  const double lowest_cents = 1200 * std::log2(kF0Min / 10), highest_cents = 1200 * std::log2(kF0Max / 10);
  state.set("cent_table", float_tensor(torch::linspace(lowest_cents, highest_cents, kBins)));
  state.set("gaussian_blurred_cent_mask", float_tensor(torch::tensor(0.0)));

  io::Value mel = io::Value::dict();
  mel.set("type", io::Value::string("default"));
  for (const auto& [key, value] : std::vector<std::pair<const char*, int64_t>>{
           {"sr", 16000}, {"num_mels", kMels}, {"n_fft", 1024}, {"win_size", 1024}, {"hop_size", 160}, {"fmin", 0},
           {"fmax", 8000}}) {
    mel.set(key, io::Value::integer(value));
  }
  io::Value model = io::Value::dict();
  model.set("type", io::Value::string("CFNaiveMelPE"));
  model.set("out_dims", io::Value::integer(kBins));
  model.set("hidden_dims", io::Value::integer(kHidden));
  model.set("n_layers", io::Value::integer(kLayers));
  model.set("n_heads", io::Value::integer(8));
  model.set("f0_max", io::Value::floating(kF0Max));
  model.set("f0_min", io::Value::floating(kF0Min));
  model.set("use_fa_norm", io::Value::boolean(true));
  model.set("conv_only", io::Value::boolean(true));
  model.set("conv_dropout", io::Value::floating(0.0));
  model.set("atten_dropout", io::Value::floating(0.0));
  model.set("use_harmonic_emb", io::Value::boolean(false));
  io::Value config = io::Value::dict();
  config.set("mel", mel);
  config.set("model", model);
  io::Value root = io::Value::dict();
  root.set("config_dict", config);
  root.set("model", state);
  io::save_checkpoint(path, root);
}

}  // namespace rvc::test
