#include "support/random_voice_model.hpp"

#include <torch/torch.h>

#include <cstring>

#include "rvc/io/checkpoint.hpp"
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
    const torch::Tensor& shape_of = item.value();
    const bool is_norm = key.find(".gamma") != std::string::npos;
    const bool is_bias = key.size() > 5 && key.compare(key.size() - 5, 5, ".bias") == 0;
    torch::Tensor value;
    if (is_norm) {
      value = torch::ones_like(shape_of);
    } else if (key.find(".beta") != std::string::npos || is_bias) {
      value = torch::randn_like(shape_of) * 0.01;
    } else {
      const int64_t fan_in = shape_of.dim() > 1 ? shape_of.numel() / shape_of.size(0) : shape_of.numel();
      value = torch::randn_like(shape_of) / std::sqrt(static_cast<double>(std::max<int64_t>(fan_in, 1)));
    }
    if (is_weight_normed(key)) {
      const std::string base = key.substr(0, key.size() - 7);
      std::vector<int64_t> norm_dims;
      for (int64_t d = 1; d < value.dim(); ++d) norm_dims.push_back(d);
      weight.set(base + ".weight_g", half_tensor(value.pow(2).sum(norm_dims, true).sqrt()));
      weight.set(base + ".weight_v", half_tensor(value));
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
