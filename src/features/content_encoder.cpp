#include "rvc/features/content_encoder.hpp"

#include <array>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <regex>

#include "audio/input_check.hpp"
#include "backend/torch_util.hpp"
#include "features/content_encoder_net.hpp"
#include "io/file_util.hpp"
#include "io/json.hpp"
#include "model/checkpoint_kind.hpp"
#include "rvc/error.hpp"
#include "rvc/io/checkpoint.hpp"
#include "rvc/io/safetensors.hpp"

namespace rvc::features {
namespace {

namespace fs = std::filesystem;

// v1 features are the output of this transformer layer, through final_proj (spec 4.2).
constexpr int64_t kV1Layer = 9;
constexpr const char* kWhatToPass =
    "pass hubert_base.pt (fairseq) or the assets/hubert_base folder (config.json + pytorch_model.bin)";

[[noreturn]] void corrupt(const std::string& path, const std::string& what) {
  throw Error(ErrorCode::kCorruptFile, "content encoder '" + path + "' " + what);
}

// A loaded file, not yet checked against an architecture.
struct Source {
  std::string format;
  EncoderArchitecture arch;
  torch_util::StateDict state;  // fairseq names, weight norm folded
};

const io::Value* field(const io::Value& dict, const char* name) {
  return dict.is_dict() ? dict.find(name) : nullptr;
}

int64_t int_field(const io::Value& dict, const char* name, int64_t fallback, const std::string& path) {
  const io::Value* value = field(dict, name);
  if (value == nullptr || value->is_none()) return fallback;
  try {
    return value->as_int();
  } catch (const Error&) {
    corrupt(path, std::string("has a config field '") + name + "' that is not an integer");
  }
}

std::vector<int64_t> ints_field(const io::Value& dict, const char* name, const std::string& path) {
  const io::Value* value = field(dict, name);
  if (value == nullptr || !value->is_sequence()) corrupt(path, std::string("config lacks the list '") + name + "'");
  std::vector<int64_t> out;
  for (const io::Value& item : value->as_list()) out.push_back(item.as_int());
  return out;
}

// fairseq's conv_feature_layers, a Python expression such as
// "[(512,10,5)] + [(512,3,2)] * 4 + [(512,2,2)] * 2": lists of (dim, kernel, stride) tuples joined
// by "+", each optionally repeated by "* n".
std::vector<std::array<int64_t, 3>> parse_conv_layers(const std::string& text, const std::string& path) {
  static const std::regex term(R"(\s*\[([^\]]*)\]\s*(?:\*\s*(\d+))?\s*(\+|$))");
  static const std::regex tuple(R"(\(\s*(\d+)\s*,\s*(\d+)\s*,\s*(\d+)\s*\))");
  std::vector<std::array<int64_t, 3>> layers;
  auto begin = text.cbegin();
  std::smatch match;
  while (begin != text.cend() && std::regex_search(begin, text.cend(), match, term,
                                                   std::regex_constants::match_continuous)) {
    std::vector<std::array<int64_t, 3>> items;
    const std::string inner = match[1].str();
    for (std::sregex_iterator it(inner.begin(), inner.end(), tuple), end; it != end; ++it) {
      items.push_back({std::stoll((*it)[1].str()), std::stoll((*it)[2].str()), std::stoll((*it)[3].str())});
    }
    const int64_t repeat = match[2].matched ? std::stoll(match[2].str()) : 1;
    for (int64_t r = 0; r < repeat; ++r) layers.insert(layers.end(), items.begin(), items.end());
    begin = match[0].second;
    if (match[3].str().empty()) break;
  }
  if (layers.empty() || begin != text.cend()) {
    corrupt(path, "has a conv_feature_layers setting rvc cannot read: '" + text + "'");
  }
  return layers;
}

// The HF key names of assets/hubert_base/ as fairseq names (the map of fixtures/hubert).
std::string fairseq_name(std::string name) {
  static const std::vector<std::pair<std::regex, std::string>> rules = {
      {std::regex(R"(^feature_extractor\.conv_layers\.(\d+)\.conv\.)"), "feature_extractor.conv_layers.$1.0."},
      {std::regex(R"(^feature_extractor\.conv_layers\.0\.layer_norm\.)"), "feature_extractor.conv_layers.0.2."},
      {std::regex(R"(^feature_projection\.layer_norm\.)"), "layer_norm."},
      {std::regex(R"(^feature_projection\.projection\.)"), "post_extract_proj."},
      {std::regex(R"(^encoder\.pos_conv_embed\.conv\.)"), "encoder.pos_conv.0."},
      {std::regex(R"(^encoder\.layers\.(\d+)\.attention\.)"), "encoder.layers.$1.self_attn."},
      {std::regex(R"(^encoder\.layers\.(\d+)\.layer_norm\.)"), "encoder.layers.$1.self_attn_layer_norm."},
      {std::regex(R"(^encoder\.layers\.(\d+)\.feed_forward\.intermediate_dense\.)"), "encoder.layers.$1.fc1."},
      {std::regex(R"(^encoder\.layers\.(\d+)\.feed_forward\.output_dense\.)"), "encoder.layers.$1.fc2."},
  };
  if (name.rfind("hubert.", 0) == 0) name = name.substr(7);  // HubertFor* wrappers
  for (const auto& [pattern, replacement] : rules) {
    if (std::regex_search(name, pattern)) return std::regex_replace(name, pattern, replacement);
  }
  return name;
}

const torch::Tensor& weight(const torch_util::StateDict& state, const std::string& name, const std::string& path) {
  auto found = state.find(name);
  if (found == state.end()) corrupt(path, "lacks the weight '" + name + "'; the file is incomplete");
  return found->second;
}

// Sizes every form can read off the weights: conv stack, widths, layer count, pos-conv groups.
void read_sizes_from_weights(Source& source, const std::string& path) {
  EncoderArchitecture& arch = source.arch;
  const auto& state = source.state;
  arch.conv_channels.clear();
  arch.conv_kernels.clear();
  for (int i = 0;; ++i) {
    auto found = state.find("feature_extractor.conv_layers." + std::to_string(i) + ".0.weight");
    if (found == state.end()) break;
    arch.conv_channels.push_back(found->second.size(0));
    arch.conv_kernels.push_back(found->second.size(2));
  }
  if (arch.conv_channels.empty()) corrupt(path, "has no feature extractor weights (feature_extractor.conv_layers.*)");
  if (state.count("feature_extractor.conv_layers.0.2.weight") == 0) {
    throw Error(ErrorCode::kUnsupported, "content encoder '" + path + "' uses a layer-norm feature extractor; rvc "
                                         "runs HuBERT-Base/ContentVec (group norm), which is what RVC uses");
  }
  arch.conv_bias = state.count("feature_extractor.conv_layers.0.0.bias") != 0;
  arch.hidden = weight(state, "post_extract_proj.weight", path).size(0);
  const torch::Tensor position = weight(state, "encoder.pos_conv.0.weight", path);
  arch.pos_kernel = position.size(2);
  arch.pos_groups = position.size(1) > 0 ? arch.hidden / position.size(1) : 0;
  arch.layers = 0;
  while (state.count("encoder.layers." + std::to_string(arch.layers) + ".fc1.weight") != 0) ++arch.layers;
  if (arch.layers == 0) corrupt(path, "has no transformer layers (encoder.layers.*)");
  arch.ffn = weight(state, "encoder.layers.0.fc1.weight", path).size(0);
  auto proj = state.find("final_proj.weight");
  arch.final_dim = proj != state.end() ? proj->second.size(0) : 0;
}

Source load_fairseq(const io::Value& root, const std::string& path) {
  Source source;
  source.format = "fairseq";
  source.state = torch_util::read_state_dict(root.at("model"), path);
  read_sizes_from_weights(source, path);
  // Architecture settings live in cfg["model"] (fairseq >= 0.10) or in an argparse Namespace.
  io::Value settings = io::Value::dict();
  if (const io::Value* cfg = root.find("cfg"); cfg != nullptr && field(*cfg, "model") != nullptr) {
    settings = *field(*cfg, "model");
  } else if (const io::Value* args = root.find("args");
             args != nullptr && args->kind() == io::Value::Kind::kObject && args->as_object().state &&
             args->as_object().state->is_dict()) {
    settings = *args->as_object().state;
  }
  EncoderArchitecture& arch = source.arch;
  arch.heads = int_field(settings, "encoder_attention_heads", arch.hidden / 64, path);
  if (const io::Value* first = field(settings, "layer_norm_first"); first != nullptr && !first->is_none() &&
                                                                     first->as_bool()) {
    throw Error(ErrorCode::kUnsupported, "content encoder '" + path + "' is a pre-LN (layer_norm_first) HuBERT; rvc "
                                         "runs HuBERT-Base/ContentVec, the post-LN model RVC uses");
  }
  const io::Value* conv_layers = field(settings, "conv_feature_layers");
  if (conv_layers != nullptr && conv_layers->kind() == io::Value::Kind::kString) {
    for (const auto& layer : parse_conv_layers(conv_layers->as_string(), path)) arch.conv_strides.push_back(layer[2]);
  } else {
    arch.conv_strides = {5, 2, 2, 2, 2, 2, 2};  // HuBERT-Base's, when the file does not say
  }
  return source;
}

Source load_huggingface(const std::string& config_path, const std::string& weights_path) {
  if (!io::path_exists(config_path)) {
    throw Error(ErrorCode::kFileNotFound, "content encoder weights '" + weights_path + "' need their config.json "
                                          "beside them ('" + config_path + "' does not exist); " + kWhatToPass);
  }
  const std::shared_ptr<const io::Storage> text = io::map_file(config_path);
  const io::Value config =
      io::parse_json(std::string(reinterpret_cast<const char*>(text->data), text->nbytes), config_path);
  const io::Value* type = field(config, "model_type");
  if (type == nullptr || type->kind() != io::Value::Kind::kString ||
      (type->as_string() != "hubert" && type->as_string() != "wav2vec2")) {
    throw Error(ErrorCode::kWrongModelKind, "'" + config_path + "' is not the config of a HuBERT content encoder "
                                            "(model_type is not \"hubert\"); " + kWhatToPass);
  }
  if (const io::Value* stable = field(config, "do_stable_layer_norm"); stable != nullptr && stable->as_bool()) {
    throw Error(ErrorCode::kUnsupported, "content encoder '" + config_path + "' is a pre-LN (do_stable_layer_norm) "
                                         "HuBERT; rvc runs HuBERT-Base/ContentVec, the post-LN model RVC uses");
  }
  Source source;
  source.format = "huggingface";
  io::Value weights = io::Value::dict();
  if (io::lower_extension(weights_path) == "safetensors") {
    for (auto& [name, tensor] : io::load_safetensors(weights_path).tensors) {
      weights.set(fairseq_name(name), io::Value::tensor(tensor));
    }
  } else {
    const io::Value root = io::load_checkpoint(weights_path);
    if (!root.is_dict()) corrupt(weights_path, "is not a state dict of weights");
    for (const auto& [key, value] : root.as_dict()) {
      if (key.kind() == io::Value::Kind::kString) weights.set(fairseq_name(key.as_string()), value);
    }
  }
  source.state = torch_util::read_state_dict(weights, weights_path);
  read_sizes_from_weights(source, weights_path);
  EncoderArchitecture& arch = source.arch;
  arch.heads = int_field(config, "num_attention_heads", arch.hidden / 64, config_path);
  arch.conv_strides = ints_field(config, "conv_stride", config_path);
  if (const io::Value* eps = field(config, "layer_norm_eps"); eps != nullptr && !eps->is_none()) {
    arch.layer_norm_eps = eps->as_float();
  }
  return source;
}

Source load_source(const std::string& path) {
  const fs::path file = fs::u8path(path);
  std::error_code error;
  if (!fs::exists(file, error)) {
    throw Error(ErrorCode::kFileNotFound, "content encoder '" + path + "' does not exist; " + kWhatToPass);
  }
  auto beside = [&](const char* name) { return (file.parent_path() / name).u8string(); };
  if (fs::is_directory(file, error)) {
    const std::string config = (file / "config.json").u8string();
    const std::string safetensors = (file / "model.safetensors").u8string();
    const std::string bin = (file / "pytorch_model.bin").u8string();
    if (io::path_exists(safetensors)) return load_huggingface(config, safetensors);
    if (io::path_exists(bin)) return load_huggingface(config, bin);
    throw Error(ErrorCode::kFileNotFound, "content encoder folder '" + path + "' has neither model.safetensors nor "
                                          "pytorch_model.bin; " + kWhatToPass);
  }
  if (file.filename() == "config.json") {
    return load_source(file.parent_path().u8string());
  }
  if (io::lower_extension(path) == "safetensors") return load_huggingface(beside("config.json"), path);
  const io::Value root = io::load_checkpoint(path);
  const model::CheckpointKind kind = model::classify_checkpoint(root);
  if (kind == model::CheckpointKind::kFairseqContentEncoder) return load_fairseq(root, path);
  if (kind == model::CheckpointKind::kHuggingFaceContentEncoder) return load_huggingface(beside("config.json"), path);
  throw Error(ErrorCode::kWrongModelKind,
              "'" + path + "' is " + model::describe_checkpoint_kind(kind) + ", not a content encoder; " + kWhatToPass);
}

void check_architecture(const EncoderArchitecture& arch, const std::string& path) {
  const bool sane = arch.conv_strides.size() == arch.conv_channels.size() && arch.heads > 0 &&
                    arch.hidden % arch.heads == 0 && arch.pos_groups > 0 && arch.hidden % arch.pos_groups == 0;
  if (!sane) {
    corrupt(path, "has inconsistent sizes (" + std::to_string(arch.conv_channels.size()) + " conv layers, " +
                      std::to_string(arch.conv_strides.size()) + " strides, hidden " + std::to_string(arch.hidden) +
                      ", " + std::to_string(arch.heads) + " heads); the file or its config is damaged");
  }
}

}  // namespace

std::int64_t content_frames(std::int64_t num_samples) noexcept {
  return num_samples < kContentWindowSamples ? 0 : (num_samples - kContentWindowSamples) / kContentHopSamples + 1;
}

void ContentEncoderConfig::validate() const {
  torch_util::check_device_precision(device, precision, "ContentEncoderConfig");
}

void ExtractOptions::validate() const {
  if (version != "v1" && version != "v2") {
    throw Error(ErrorCode::kInvalidArgument, "ExtractOptions.version must be \"v1\" or \"v2\" (the voice model's "
                                             "version), not \"" + version + "\"");
  }
}

struct ContentEncoder::Impl {
  std::string path;
  ContentEncoderInfo info;
  std::shared_ptr<HubertNet> net;
  torch::Device device{torch::kCPU};
  torch::ScalarType dtype = torch::kFloat32;
};

ContentEncoder::ContentEncoder(const std::string& path, const ContentEncoderConfig& config)
    : impl_(std::make_unique<Impl>()) {
  config.validate();
  impl_->path = path;
  Source source = load_source(path);
  check_architecture(source.arch, path);
  impl_->info.format = source.format;
  impl_->info.hidden_size = static_cast<int>(source.arch.hidden);
  impl_->info.num_layers = static_cast<int>(source.arch.layers);
  impl_->info.num_heads = static_cast<int>(source.arch.heads);
  impl_->info.final_proj_dim = static_cast<int>(source.arch.final_dim);
  impl_->device = torch_util::parse_device(config.device);
  impl_->dtype = torch_util::prepare_networks(config.precision, impl_->device);
  torch::NoGradGuard no_grad;
  impl_->net = std::make_shared<HubertNet>(source.arch);
  torch_util::load_parameters(*impl_->net, source.state, "", path);
  impl_->net->eval();
  impl_->net->to(impl_->device, impl_->dtype);
  impl_->net->prepare();
  torch_util::release_free_memory();
}

ContentEncoder::~ContentEncoder() = default;
ContentEncoder::ContentEncoder(ContentEncoder&&) noexcept = default;
ContentEncoder& ContentEncoder::operator=(ContentEncoder&&) noexcept = default;

const ContentEncoderInfo& ContentEncoder::info() const { return impl_->info; }

int ContentEncoder::feature_dim(const std::string& version) const {
  return version == "v1" ? impl_->info.final_proj_dim : impl_->info.hidden_size;
}

ContentFeatures ContentEncoder::extract(const float* samples, std::int64_t num_samples, int sample_rate_hz,
                                        const ExtractOptions& options) const {
  options.validate();
  const std::string& path = impl_->path;
  const ContentEncoderInfo& info = impl_->info;
  audio::check_input_audio(samples, num_samples, sample_rate_hz, kContentSampleRateHz, kContentWindowSamples,
                           "content encoder '" + path + "'");
  const bool v1 = options.version == "v1";
  if (v1 && (info.final_proj_dim == 0 || info.num_layers < kV1Layer)) {
    throw Error(ErrorCode::kInvalidArgument,
                "content encoder '" + path + "' cannot give v1 features (they need transformer layer 9 and "
                "final_proj; it has " + std::to_string(info.num_layers) + " layers" +
                (info.final_proj_dim == 0 ? " and no final_proj" : "") + "); use v2 or the full hubert_base.pt");
  }

  c10::InferenceMode inference;
  const auto start = std::chrono::steady_clock::now();
  HubertNet& net = *impl_->net;
  const torch::Tensor wave = torch::from_blob(const_cast<float*>(samples), {num_samples}, torch::kFloat32)
                                 .to(impl_->device, impl_->dtype);
  const torch::Tensor conv = net.conv_features(wave);
  torch::Tensor x = net.transformer_input(conv);
  const int64_t layers = v1 ? kV1Layer : info.num_layers;
  std::vector<torch::Tensor> hidden;
  if (options.capture_intermediates) hidden.push_back(x);
  torch_util::AttentionScratch scratch;
  for (int64_t i = 0; i < layers; ++i) {
    x = net.layers[static_cast<std::size_t>(i)]->forward(x, scratch);
    if (options.capture_intermediates) hidden.push_back(x);
  }
  if (v1) x = net.final_proj->forward(x);
  ContentFeatures result;
  result.features = torch_util::to_tensor_data(x);
  result.elapsed_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  if (options.capture_intermediates) {
    result.conv_features = torch_util::to_tensor_data(conv);
    result.hidden_states = torch_util::to_tensor_data(torch::stack(hidden));
  }
  return result;
}

}  // namespace rvc::features
