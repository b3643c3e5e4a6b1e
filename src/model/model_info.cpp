#include "rvc/model/model_info.hpp"

#include "io/json.hpp"
#include "model/checkpoint_kind.hpp"
#include "model/voice_bundle_reader.hpp"
#include "rvc/error.hpp"
#include "rvc/io/checkpoint.hpp"

namespace rvc::model {
namespace {

constexpr std::size_t kConfigLength = 18;

[[noreturn]] void corrupt(const std::string& path, const std::string& what) {
  throw Error(ErrorCode::kCorruptFile, "voice model '" + path + "' " + what +
                                           "; the file is damaged or was not written by RVC");
}

int to_int(const io::Value& value, const std::string& path, const char* field) {
  try {
    return static_cast<int>(value.as_int());
  } catch (const Error&) {
    corrupt(path, std::string("has a non-integer config field ") + field);
  }
}

std::vector<int> to_ints(const io::Value& value, const std::string& path, const char* field) {
  if (!value.is_sequence()) corrupt(path, std::string("has a config field ") + field + " that is not a list");
  std::vector<int> out;
  for (const io::Value& item : value.as_list()) out.push_back(to_int(item, path, field));
  return out;
}

int rate_from_tag(const io::Value& value, const std::string& path) {
  if (value.kind() == io::Value::Kind::kString) {
    const std::string& tag = value.as_string();
    if (tag == "32k") return 32000;
    if (tag == "40k") return 40000;
    if (tag == "48k") return 48000;
    corrupt(path, "names an unknown sample rate '" + tag + "'");
  }
  return to_int(value, path, "sr");
}

io::Value ints_value(const std::vector<int>& values) {
  io::ValueList items;
  for (int v : values) items.push_back(io::Value::integer(v));
  return io::Value::list(std::move(items));
}

// Says what a checkpoint that is not a voice model is, and what to pass instead.
std::string describe_other_checkpoint(const io::Value& root) {
  const CheckpointKind kind = classify_checkpoint(root);
  switch (kind) {
    case CheckpointKind::kDiscriminatorTraining:
      return "is " + describe_checkpoint_kind(kind) + "; it cannot synthesize: pass the small model from weights/";
    case CheckpointKind::kGeneratorTraining:
      return "is " + describe_checkpoint_kind(kind) +
             " without a config, not a voice model; pass the small model from weights/, or extract one "
             "from this file with the experiment's config.json";
    case CheckpointKind::kFairseqContentEncoder:
    case CheckpointKind::kHuggingFaceContentEncoder:
      return "is " + describe_checkpoint_kind(kind) +
             ", not a voice model; pass it as the content encoder and give a weights/<name>.pth voice model";
    case CheckpointKind::kFcpe:
    case CheckpointKind::kRmvpe:
      return "is " + describe_checkpoint_kind(kind) +
             ", not a voice model; pass it as the pitch model and give a weights/<name>.pth voice model";
    default:
      return "is not an RVC voice model (it has no 'weight' and 'config' entries); pass a weights/<name>.pth file";
  }
}

}  // namespace

ModelConfig ModelConfig::standard(const std::string& version, int sample_rate_hz) {
  struct Layout {
    const char* version;
    int rate;
    std::vector<int> upsample_rates, upsample_kernel_sizes;
  };
  static const Layout kLayouts[] = {
      {"v1", 32000, {10, 4, 2, 2, 2}, {16, 16, 4, 4, 4}}, {"v1", 40000, {10, 10, 2, 2}, {16, 16, 4, 4}},
      {"v1", 48000, {10, 6, 2, 2, 2}, {16, 16, 4, 4, 4}}, {"v2", 32000, {10, 8, 2, 2}, {20, 16, 4, 4}},
      {"v2", 40000, {10, 10, 2, 2}, {16, 16, 4, 4}},      {"v2", 48000, {12, 10, 2, 2}, {24, 20, 4, 4}},
  };
  for (const Layout& layout : kLayouts) {
    if (version != layout.version || sample_rate_hz != layout.rate) continue;
    ModelConfig config;  // the defaults are the values all six share
    config.spec_channels = sample_rate_hz == 32000 ? 513 : 1025;
    config.upsample_rates = layout.upsample_rates;
    config.upsample_kernel_sizes = layout.upsample_kernel_sizes;
    config.sample_rate_hz = sample_rate_hz;
    return config;
  }
  throw Error(ErrorCode::kInvalidArgument, "RVC has no " + version + " model at " + std::to_string(sample_rate_hz) +
                                               " Hz; use v1 or v2 at 32000, 40000 or 48000 Hz");
}

ModelConfig ModelConfig::from_list(const io::Value& list, const std::string& path) {
  if (!list.is_sequence()) corrupt(path, "has a 'config' that is not a list");
  const io::ValueList& items = list.as_list();
  if (items.size() != kConfigLength) {
    corrupt(path, "has a 'config' of " + std::to_string(items.size()) + " items instead of 18");
  }
  ModelConfig c;
  c.spec_channels = to_int(items[0], path, "spec_channels");
  c.segment_size = to_int(items[1], path, "segment_size");
  c.inter_channels = to_int(items[2], path, "inter_channels");
  c.hidden_channels = to_int(items[3], path, "hidden_channels");
  c.filter_channels = to_int(items[4], path, "filter_channels");
  c.n_heads = to_int(items[5], path, "n_heads");
  c.n_layers = to_int(items[6], path, "n_layers");
  c.kernel_size = to_int(items[7], path, "kernel_size");
  try {
    c.p_dropout = items[8].as_float();
  } catch (const Error&) {
    corrupt(path, "has a non-numeric p_dropout");
  }
  if (items[9].kind() == io::Value::Kind::kString) c.resblock = items[9].as_string();
  else c.resblock = std::to_string(to_int(items[9], path, "resblock"));
  c.resblock_kernel_sizes = to_ints(items[10], path, "resblock_kernel_sizes");
  c.resblock_dilation_sizes.clear();
  if (!items[11].is_sequence()) corrupt(path, "has resblock_dilation_sizes that are not a list");
  for (const io::Value& row : items[11].as_list()) {
    c.resblock_dilation_sizes.push_back(to_ints(row, path, "resblock_dilation_sizes"));
  }
  c.upsample_rates = to_ints(items[12], path, "upsample_rates");
  c.upsample_initial_channel = to_int(items[13], path, "upsample_initial_channel");
  c.upsample_kernel_sizes = to_ints(items[14], path, "upsample_kernel_sizes");
  c.spk_embed_dim = to_int(items[15], path, "spk_embed_dim");
  c.gin_channels = to_int(items[16], path, "gin_channels");
  c.sample_rate_hz = rate_from_tag(items[17], path);
  c.validate(path);
  return c;
}

io::Value ModelConfig::to_list() const {
  io::ValueList dilations;
  for (const auto& row : resblock_dilation_sizes) dilations.push_back(ints_value(row));
  return io::Value::list({
      io::Value::integer(spec_channels), io::Value::integer(segment_size),
      io::Value::integer(inter_channels), io::Value::integer(hidden_channels),
      io::Value::integer(filter_channels), io::Value::integer(n_heads), io::Value::integer(n_layers),
      io::Value::integer(kernel_size),
      // RVC's configs hold an integer 0 here; keep its type so written files equal RVC's.
      p_dropout == static_cast<double>(static_cast<int>(p_dropout)) ? io::Value::integer(static_cast<int>(p_dropout))
                                                                  : io::Value::floating(p_dropout),
      io::Value::string(resblock),
      ints_value(resblock_kernel_sizes), io::Value::list(std::move(dilations)),
      ints_value(upsample_rates), io::Value::integer(upsample_initial_channel),
      ints_value(upsample_kernel_sizes), io::Value::integer(spk_embed_dim),
      io::Value::integer(gin_channels), io::Value::integer(sample_rate_hz),
  });
}

int ModelConfig::hop_samples() const {
  int hop = 1;
  for (int rate : upsample_rates) hop *= rate;
  return hop;
}

void ModelConfig::validate(const std::string& path) const {
  const bool positive = spec_channels > 0 && inter_channels > 0 && hidden_channels > 0 &&
                        filter_channels > 0 && n_heads > 0 && n_layers > 0 && kernel_size > 0 &&
                        upsample_initial_channel > 0 && spk_embed_dim > 0 && gin_channels > 0 &&
                        sample_rate_hz > 0;
  if (!positive) corrupt(path, "has a config with zero or negative sizes");
  if (hidden_channels % n_heads != 0) corrupt(path, "has hidden_channels not divisible by n_heads");
  if (upsample_rates.empty() || upsample_rates.size() != upsample_kernel_sizes.size()) {
    corrupt(path, "has upsample_rates and upsample_kernel_sizes of different lengths");
  }
  for (int rate : upsample_rates) {
    if (rate <= 0) corrupt(path, "has a non-positive upsample rate");
  }
  if (resblock_kernel_sizes.size() != resblock_dilation_sizes.size()) {
    corrupt(path, "has resblock kernel and dilation lists of different lengths");
  }
  if (resblock != "1" && resblock != "2") corrupt(path, "names resblock type '" + resblock + "'");
  if (hop_samples() * 100 != sample_rate_hz) {
    corrupt(path, "has upsample rates (hop " + std::to_string(hop_samples()) +
                      ") that do not give 100 frames per second at " + std::to_string(sample_rate_hz) + " Hz");
  }
}

std::string ModelConfig::to_json() const {
  static const char* kNames[kConfigLength] = {
      "spec_channels", "segment_size", "inter_channels", "hidden_channels", "filter_channels",
      "n_heads", "n_layers", "kernel_size", "p_dropout", "resblock", "resblock_kernel_sizes",
      "resblock_dilation_sizes", "upsample_rates", "upsample_initial_channel",
      "upsample_kernel_sizes", "spk_embed_dim", "gin_channels", "sr"};
  io::Value dict = io::Value::dict();
  const io::ValueList items = to_list().as_list();
  for (std::size_t i = 0; i < kConfigLength; ++i) dict.set(kNames[i], items[i]);
  return io::to_json(dict);
}

std::string ModelInfo::to_json() const {
  io::ValueList extras;
  for (const std::string& key : extra_keys) extras.push_back(io::Value::string(key));
  io::Value dict = io::Value::dict();
  dict.set("version", io::Value::string(version));
  dict.set("f0", io::Value::integer(has_pitch ? 1 : 0));
  dict.set("sr", io::Value::string(sample_rate_tag));
  dict.set("sample_rate_hz", io::Value::integer(config.sample_rate_hz));
  dict.set("info", io::Value::string(info));
  dict.set("feature_dim", io::Value::integer(feature_dim()));
  dict.set("extra_keys", io::Value::list(std::move(extras)));
  std::string json = io::to_json(dict);
  json.pop_back();
  return json + ",\"config\":" + config.to_json() + "}";
}

namespace {

ModelInfo parse_model_info(const io::Value& root, const std::string& path) {
  if (!root.is_dict()) {
    throw Error(ErrorCode::kWrongModelKind, "'" + path + "' holds a " +
                                                io::Value::kind_name(root.kind()) +
                                                ", not an RVC voice model (a dict with weight and config)");
  }
  const io::Value* weight = root.find("weight");
  const io::Value* config = root.find("config");
  if (weight == nullptr || config == nullptr) {
    throw Error(ErrorCode::kWrongModelKind, "'" + path + "' " + describe_other_checkpoint(root));
  }
  if (!weight->is_dict()) corrupt(path, "has a 'weight' entry that is not a state dict");

  ModelInfo info;
  info.config = ModelConfig::from_list(*config, path);
  const io::Value* embedding = weight->find("emb_g.weight");
  if (embedding == nullptr || embedding->kind() != io::Value::Kind::kTensor ||
      embedding->as_tensor().shape().size() != 2) {
    corrupt(path, "lacks the speaker embedding emb_g.weight");
  }
  info.config.spk_embed_dim = static_cast<int>(embedding->as_tensor().shape()[0]);

  const io::Value* version = root.find("version");
  info.version = version != nullptr && version->kind() == io::Value::Kind::kString ? version->as_string() : "v1";
  if (info.version != "v1" && info.version != "v2") {
    throw Error(ErrorCode::kUnsupported, "'" + path + "' is a voice model of version '" + info.version +
                                             "'; rvc reads v1 and v2 models");
  }
  const io::Value* f0 = root.find("f0");
  info.has_pitch = f0 == nullptr || f0->as_int() != 0;
  const io::Value* sr = root.find("sr");
  if (sr != nullptr && sr->kind() == io::Value::Kind::kString) {
    info.sample_rate_tag = sr->as_string();
  } else {
    info.sample_rate_tag = std::to_string(info.config.sample_rate_hz / 1000) + "k";
  }
  const io::Value* text = root.find("info");
  if (text != nullptr && text->kind() == io::Value::Kind::kString) info.info = text->as_string();

  const io::Value* vocoder = root.find("vocoder");
  if (vocoder != nullptr && vocoder->kind() == io::Value::Kind::kString && vocoder->as_string() != "HiFi-GAN") {
    throw Error(ErrorCode::kUnsupported, "'" + path + "' uses the " + vocoder->as_string() +
                                             " vocoder (an Applio model); rvc runs RVC's HiFi-GAN models only");
  }
  for (const auto& [key, value] : root.as_dict()) {
    if (key.kind() != io::Value::Kind::kString) continue;
    const std::string& name = key.as_string();
    if (name != "weight" && name != "config" && name != "info" && name != "sr" && name != "f0" &&
        name != "version") {
      info.extra_keys.push_back(name);
    }
  }
  return info;
}

}  // namespace

ModelInfo model_info_from_checkpoint(const io::Value& root, const std::string& path) {
  try {
    return parse_model_info(root, path);
  } catch (const Error& e) {
    if (std::string(e.what()).find(path) != std::string::npos) throw;
    corrupt(path, std::string("has an entry of the wrong type (") + e.what() + ")");
  }
}

ModelInfo read_model_info(const std::string& path) {
  return model_info_from_checkpoint(load_voice_model_checkpoint(path), path);
}

}  // namespace rvc::model
