#include "rvc/model/model_tools.hpp"

#include <faiss/IndexIVF.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>

#include "index/faiss_file.hpp"
#include "io/file_util.hpp"
#include "io/json.hpp"
#include "model/checkpoint_kind.hpp"
#include "model/voice_bundle_reader.hpp"
#include "rvc/error.hpp"
#include "rvc/io/checkpoint.hpp"
#include "rvc/model/voice_bundle.hpp"

namespace rvc::model {
namespace {

// ---------------------------------------------------------------------------------------------
// Reading what a generator's weights say about its architecture.

const io::TensorData* tensor_at(const io::Value& state, const std::string& key) {
  const io::Value* value = state.find(key);
  return value != nullptr && value->kind() == io::Value::Kind::kTensor ? &value->as_tensor() : nullptr;
}

// A weight-normed layer stores weight_v (legacy) or parametrizations (torch >= 2.1); plain ones weight.
const io::TensorData* layer_weight(const io::Value& state, const std::string& layer) {
  for (const char* suffix : {".weight", ".weight_v", ".parametrizations.weight.original1"}) {
    if (const io::TensorData* tensor = tensor_at(state, layer + suffix)) return tensor;
  }
  return nullptr;
}

struct GeneratorLayout {
  int feature_dim = 0;       // enc_p.emb_phone input width: 256 (v1) or 768 (v2)
  int hidden_channels = 0;
  bool has_pitch = false;
  int spec_channels = 0;     // from enc_q.enc's input (training checkpoints only); 0 when unknown
  std::vector<int> upsample_kernels;
  std::vector<int> noise_kernels;  // f0 models only
  std::int64_t parameters = 0;
  std::int64_t speakers = 0;

  std::string version() const { return feature_dim == 256 ? "v1" : "v2"; }
};

GeneratorLayout read_layout(const io::Value& state, const std::string& path) {
  GeneratorLayout layout;
  const io::TensorData* phone = tensor_at(state, "enc_p.emb_phone.weight");
  if (phone == nullptr || phone->shape().size() != 2 || (phone->shape()[1] != 256 && phone->shape()[1] != 768)) {
    throw Error(ErrorCode::kCorruptFile, "'" + path + "' lacks RVC's text encoder (enc_p.emb_phone.weight with "
                                         "256 or 768 inputs); it is not an RVC generator");
  }
  layout.feature_dim = static_cast<int>(phone->shape()[1]);
  layout.hidden_channels = static_cast<int>(phone->shape()[0]);
  layout.has_pitch = tensor_at(state, "enc_p.emb_pitch.weight") != nullptr;
  if (const io::TensorData* pre = tensor_at(state, "enc_q.pre.weight"); pre != nullptr && pre->shape().size() == 3) {
    layout.spec_channels = static_cast<int>(pre->shape()[1]);
  }
  for (int i = 0;; ++i) {
    const io::TensorData* up = layer_weight(state, "dec.ups." + std::to_string(i));
    if (up == nullptr || up->shape().size() != 3) break;
    layout.upsample_kernels.push_back(static_cast<int>(up->shape()[2]));
    const io::TensorData* noise = layer_weight(state, "dec.noise_convs." + std::to_string(i));
    if (noise != nullptr && noise->shape().size() == 3) layout.noise_kernels.push_back(static_cast<int>(noise->shape()[2]));
  }
  if (const io::TensorData* speakers = tensor_at(state, "emb_g.weight"); speakers != nullptr) {
    layout.speakers = speakers->shape().empty() ? 0 : speakers->shape()[0];
  }
  for (const auto& [key, value] : state.as_dict()) {
    if (value.kind() == io::Value::Kind::kTensor) layout.parameters += value.as_tensor().numel();
  }
  return layout;
}

// Why `config` cannot drive these weights, or "" when it can.
std::string layout_mismatch(const ModelConfig& config, const GeneratorLayout& layout) {
  if (config.hidden_channels != layout.hidden_channels) {
    return "the config has " + std::to_string(config.hidden_channels) + " hidden channels, the weights " +
           std::to_string(layout.hidden_channels);
  }
  if (layout.spec_channels != 0 && config.spec_channels != layout.spec_channels) {
    return "the config has " + std::to_string(config.spec_channels) + " spectrogram channels, the weights " +
           std::to_string(layout.spec_channels);
  }
  if (config.upsample_kernel_sizes != layout.upsample_kernels) {
    return "the config's upsampling layers do not match the weights' (" +
           std::to_string(config.upsample_kernel_sizes.size()) + " layers in the config, " +
           std::to_string(layout.upsample_kernels.size()) + " in the weights)";
  }
  if (layout.has_pitch && !layout.noise_kernels.empty()) {
    const std::size_t count = config.upsample_rates.size();
    for (std::size_t i = 0; i < count && i < layout.noise_kernels.size(); ++i) {
      int stride = 1;
      for (std::size_t j = i + 1; j < count; ++j) stride *= config.upsample_rates[j];
      const int expected = i + 1 < count ? 2 * stride : 1;
      if (layout.noise_kernels[i] != expected) return "the config's upsample rates do not match the weights'";
    }
  }
  return "";
}

std::string rate_tag(int rate_hz) { return std::to_string(rate_hz / 1000) + "k"; }

int rate_from_tag(const std::string& tag) {
  if (tag == "32k") return 32000;
  if (tag == "40k") return 40000;
  if (tag == "48k") return 48000;
  throw Error(ErrorCode::kInvalidArgument, "sample rate '" + tag + "' is not one of RVC's: use 32k, 40k or 48k");
}

// The standard rates whose layout fits the weights of this version.
std::vector<int> fitting_standard_rates(const std::string& version, const GeneratorLayout& layout) {
  std::vector<int> rates;
  for (int rate : {32000, 40000, 48000}) {
    if (layout_mismatch(ModelConfig::standard(version, rate), layout).empty()) rates.push_back(rate);
  }
  return rates;
}

// ---------------------------------------------------------------------------------------------
// The experiment folder a training checkpoint lies in.

struct ExperimentSettings {
  std::string sample_rate_tag;
  int has_pitch = -1;
  std::string version;
  bool has_config = false;
  ModelConfig config;  // from config.json, as RVC's savee builds the list
  std::string source;  // files the settings came from, for messages
};

std::string read_text_prefix(const std::string& path, std::size_t limit) {
  std::ifstream in(std::filesystem::u8path(path), std::ios::binary);
  if (!in) return "";
  std::string text(limit, '\0');
  in.read(text.data(), static_cast<std::streamsize>(limit));
  text.resize(static_cast<std::size_t>(in.gcount()));
  return text;
}

// The value of 'key' in the Python repr of RVC's hparams that train.log's first line holds.
std::string hparam(const std::string& text, const std::string& key) {
  const std::regex pattern("'" + key + "': '?([A-Za-z0-9]+)'?");
  std::smatch match;
  return std::regex_search(text, match, pattern) ? match[1].str() : "";
}

int json_int(const io::Value& dict, const char* section, const char* key) {
  return static_cast<int>(dict.at(section).at(key).as_int());
}

std::vector<int> json_ints(const io::Value& value) {
  std::vector<int> out;
  for (const io::Value& item : value.as_list()) out.push_back(static_cast<int>(item.as_int()));
  return out;
}

ModelConfig config_from_json(const io::Value& json) {
  const io::Value& model = json.at("model");
  ModelConfig c;
  c.spec_channels = json_int(json, "data", "filter_length") / 2 + 1;
  c.segment_size = 32;  // RVC's savee writes this constant
  c.inter_channels = json_int(json, "model", "inter_channels");
  c.hidden_channels = json_int(json, "model", "hidden_channels");
  c.filter_channels = json_int(json, "model", "filter_channels");
  c.n_heads = json_int(json, "model", "n_heads");
  c.n_layers = json_int(json, "model", "n_layers");
  c.kernel_size = json_int(json, "model", "kernel_size");
  c.p_dropout = model.at("p_dropout").as_float();
  const io::Value& resblock = model.at("resblock");
  c.resblock = resblock.kind() == io::Value::Kind::kString ? resblock.as_string() : std::to_string(resblock.as_int());
  c.resblock_kernel_sizes = json_ints(model.at("resblock_kernel_sizes"));
  c.resblock_dilation_sizes.clear();
  for (const io::Value& row : model.at("resblock_dilation_sizes").as_list()) {
    c.resblock_dilation_sizes.push_back(json_ints(row));
  }
  c.upsample_rates = json_ints(model.at("upsample_rates"));
  c.upsample_initial_channel = json_int(json, "model", "upsample_initial_channel");
  c.upsample_kernel_sizes = json_ints(model.at("upsample_kernel_sizes"));
  c.spk_embed_dim = json_int(json, "model", "spk_embed_dim");
  c.gin_channels = json_int(json, "model", "gin_channels");
  c.sample_rate_hz = json_int(json, "data", "sampling_rate");
  return c;
}

ExperimentSettings read_experiment(const std::string& checkpoint_path) {
  ExperimentSettings settings;
  const std::string folder = io::parent_folder(checkpoint_path);
  const std::string config_path = folder + "/config.json";
  if (io::path_exists(config_path)) {
    try {
      settings.config = config_from_json(io::parse_json(read_text_prefix(config_path, 1 << 20), config_path));
      settings.config.validate(config_path);
      settings.has_config = true;
      settings.sample_rate_tag = rate_tag(settings.config.sample_rate_hz);
      settings.source = config_path;
    } catch (const Error& e) {
      throw Error(ErrorCode::kCorruptFile, "the experiment's '" + config_path + "' cannot be used (" + e.what() +
                                               "); fix or remove it, or give --sr, --f0 and --version");
    }
  }
  const std::string log_path = folder + "/train.log";
  const std::string log = read_text_prefix(log_path, 1 << 16);
  const std::string first_line = log.substr(0, log.find('\n'));
  if (!first_line.empty()) {
    const std::string sr = hparam(first_line, "sample_rate");
    const std::string f0 = hparam(first_line, "if_f0");
    const std::string version = hparam(first_line, "version");
    if (settings.sample_rate_tag.empty() && (sr == "32k" || sr == "40k" || sr == "48k")) settings.sample_rate_tag = sr;
    if (f0 == "0" || f0 == "1") settings.has_pitch = f0 == "1";
    if (version == "v1" || version == "v2") settings.version = version;
    if (!sr.empty() || !f0.empty() || !version.empty()) {
      settings.source += (settings.source.empty() ? "" : " and ") + log_path;
    }
  }
  return settings;
}

// ---------------------------------------------------------------------------------------------
// Tensors.

// torch's Tensor.half(): round to nearest even.
io::Value to_half(const io::TensorData& tensor) {
  if (tensor.dtype() == io::DType::kFloat16) return io::Value::tensor(tensor);
  const std::vector<float> values = tensor.to_floats();
  std::vector<std::uint8_t> bytes(values.size() * 2);
  for (std::size_t i = 0; i < values.size(); ++i) {
    const std::uint16_t bits = io::float_to_half(values[i]);
    bytes[2 * i] = static_cast<std::uint8_t>(bits);
    bytes[2 * i + 1] = static_cast<std::uint8_t>(bits >> 8);
  }
  return io::Value::tensor(io::TensorData::from_bytes(io::DType::kFloat16, tensor.shape(), std::move(bytes)));
}

std::string shape_text(const io::TensorData& tensor) {
  std::string out = "[";
  for (std::size_t i = 0; i < tensor.shape().size(); ++i) out += (i ? ", " : "") + std::to_string(tensor.shape()[i]);
  return out + "]";
}

std::string describe_model(const ModelInfo& info) {
  return info.version + " " + info.sample_rate_tag + (info.has_pitch ? " with pitch" : " without pitch");
}

// The generator state dict of a training checkpoint minus enc_q, or a voice model's weights.
struct WeightSource {
  io::Value root;
  io::Value weights;              // dict of tensors
  bool is_voice_model = false;
  ModelInfo info;                 // voice models only
};

WeightSource read_weights(const std::string& path, const char* role) {
  WeightSource source;
  source.root = load_voice_model_checkpoint(path);
  const CheckpointKind kind = classify_checkpoint(source.root);
  if (kind == CheckpointKind::kVoiceModel) {
    source.is_voice_model = true;
    source.info = model_info_from_checkpoint(source.root, path);
    source.weights = source.root.at("weight");
    return source;
  }
  if (kind == CheckpointKind::kGeneratorTraining) {
    io::Value weights = io::Value::dict();
    for (const auto& [key, value] : source.root.at("model").as_dict()) {
      if (key.kind() == io::Value::Kind::kString && key.as_string().find("enc_q") == std::string::npos) {
        weights.as_dict_mut().emplace_back(key, value);
      }
    }
    source.weights = weights;
    return source;
  }
  throw Error(ErrorCode::kWrongModelKind, std::string("model ") + role + " '" + path + "' is " +
                                              describe_checkpoint_kind(kind) +
                                              "; pass a voice model (weights/<name>.pth) or a G_*.pth");
}

std::int64_t count_parameters(const io::Value& weights) {
  std::int64_t total = 0;
  for (const auto& [key, value] : weights.as_dict()) {
    if (value.kind() == io::Value::Kind::kTensor) total += value.as_tensor().numel();
  }
  return total;
}

// ---------------------------------------------------------------------------------------------
// Reports.

class ReportBuilder {
 public:
  explicit ReportBuilder(FileReport& report) : report_(report), fields_(io::Value::dict()) {}
  void add(const std::string& label, const std::string& key, io::Value value, const std::string& text) {
    fields_.set(key, std::move(value));
    std::string padded = label + ":";
    padded.resize(std::max<std::size_t>(padded.size() + 1, 13), ' ');
    report_.summary += padded + text + "\n";
  }
  void text(const std::string& label, const std::string& key, const std::string& value) {
    add(label, key, io::Value::string(value), value);
  }
  void number(const std::string& label, const std::string& key, std::int64_t value) {
    add(label, key, io::Value::integer(value), std::to_string(value));
  }
  void finish(FileKind kind, const std::string& advice) {
    report_.kind = kind;
    report_.advice = advice;
    io::Value root = io::Value::dict();
    root.set("path", io::Value::string(report_.path));
    root.set("kind", io::Value::string(file_kind_name(kind)));
    for (const auto& [key, value] : fields_.as_dict()) root.as_dict_mut().emplace_back(key, value);
    root.set("advice", io::Value::string(advice));
    report_.json = io::to_json(root);
    report_.summary = "file:        " + report_.path + "\nkind:        " + file_kind_name(kind) + "\n" + report_.summary;
  }

 private:
  FileReport& report_;
  io::Value fields_;
};

void add_model_fields(ReportBuilder& out, const ModelInfo& info, std::int64_t parameters) {
  out.text("version", "version", info.version);
  out.add("sample rate", "sample_rate_hz", io::Value::integer(info.config.sample_rate_hz),
          std::to_string(info.config.sample_rate_hz) + " Hz (" + info.sample_rate_tag + ")");
  out.add("pitch (f0)", "f0", io::Value::integer(info.has_pitch ? 1 : 0), info.has_pitch ? "yes" : "no");
  out.text("info", "info", info.info);
  out.number("speakers", "speakers", info.config.spk_embed_dim);
  out.number("parameters", "parameters", parameters);
  out.number("features", "feature_dim", info.feature_dim());
}

void report_bundle(const std::string& path, FileReport& report) {
  const BundleManifest manifest = read_voice_bundle(path);
  const VoiceBundleReader bundle(path);
  const io::Value root = io::load_checkpoint_bytes(bundle.model_bytes(), bundle.member_name(manifest.model));
  const ModelInfo info = model_info_from_checkpoint(root, path);
  ReportBuilder out(report);
  out.text("name", "name", manifest.name);
  add_model_fields(out, info, count_parameters(root.at("weight")));
  out.text("model", "model_file", manifest.model.file);
  if (manifest.has_index()) {
    out.text("index", "index_file", manifest.index.file);
    out.number("index width", "index_dim", manifest.index_dim);
    out.number("vectors", "index_vectors", manifest.index_vectors);
  } else {
    out.add("index", "index_file", io::Value::none(), "(none)");
  }
  out.text("checksums", "checksums", "verified");
  out.finish(FileKind::kVoiceBundle, "convert with it directly: rvc convert -m '" + path + "' -i IN -o OUT" +
                                         (manifest.has_index() ? " (its index is used)" : "") +
                                         "; `rvc unbundle` gives back the .pth and .index");
}

void report_checkpoint(const std::string& path, const io::Value& root, FileReport& report) {
  ReportBuilder out(report);
  const CheckpointKind kind = classify_checkpoint(root);
  switch (kind) {
    case CheckpointKind::kVoiceModel: {
      const ModelInfo info = model_info_from_checkpoint(root, path);
      add_model_fields(out, info, count_parameters(root.at("weight")));
      out.finish(FileKind::kVoiceModel, "convert with it: rvc convert -m '" + path +
                                            "' -i IN -o OUT [--index added_*.index]; share it with its index as "
                                            "one file: rvc bundle -m '" + path + "' --index added_*.index -o NAME.rvcz");
      return;
    }
    case CheckpointKind::kGeneratorTraining: {
      const io::Value& state = root.at("model");
      const io::Value* iteration = root.find("iteration");
      if (iteration != nullptr && iteration->kind() == io::Value::Kind::kInt) {
        out.number("epoch", "epoch", iteration->as_int());
      }
      std::string advice;
      try {
        const GeneratorLayout layout = read_layout(state, path);
        out.text("version", "version", layout.version());
        out.add("pitch (f0)", "f0", io::Value::integer(layout.has_pitch ? 1 : 0), layout.has_pitch ? "yes" : "no");
        const ExperimentSettings experiment = read_experiment(path);
        std::string rate = experiment.sample_rate_tag;
        if (rate.empty()) {
          const std::vector<int> rates = fitting_standard_rates(layout.version(), layout);
          if (rates.size() == 1) rate = rate_tag(rates[0]);
        }
        out.text("sample rate", "sr", rate.empty() ? "unknown (give --sr)" : rate);
        out.number("parameters", "parameters", layout.parameters);
        out.add("extractable", "extractable", io::Value::boolean(true), "yes");
        advice = "this is a training checkpoint, not a voice model: make the shareable model with rvc extract '" +
                 path + "' -o NAME.pth" + (rate.empty() ? " --sr 40k" : "") +
                 ", or keep it to resume training";
      } catch (const Error& e) {
        out.add("extractable", "extractable", io::Value::boolean(false), std::string("no (") + e.what() + ")");
        advice = "this training checkpoint lacks parts of RVC's generator; extract from another G_*.pth";
      }
      out.finish(FileKind::kGeneratorCheckpoint, advice);
      return;
    }
    case CheckpointKind::kDiscriminatorTraining: {
      const io::Value* iteration = root.find("iteration");
      if (iteration != nullptr && iteration->kind() == io::Value::Kind::kInt) {
        out.number("epoch", "epoch", iteration->as_int());
      }
      out.number("parameters", "parameters", count_parameters(root.at("model")));
      out.finish(FileKind::kDiscriminatorCheckpoint,
                 "only training uses it (to resume, next to the G_*.pth of the same step); it cannot convert and "
                 "cannot be extracted: extract the matching G_*.pth instead");
      return;
    }
    case CheckpointKind::kFairseqContentEncoder:
    case CheckpointKind::kHuggingFaceContentEncoder:
      out.text("role", "role", describe_checkpoint_kind(kind));
      out.finish(FileKind::kContentEncoder, "pass it as the content encoder (--hubert), or put it at "
                                            "assets/hubert/hubert_base.pt; it is not a voice model");
      return;
    case CheckpointKind::kRmvpe:
    case CheckpointKind::kFcpe:
      out.text("role", "role", describe_checkpoint_kind(kind));
      out.finish(FileKind::kPitchModel, kind == CheckpointKind::kRmvpe
                                            ? "pass it as --rmvpe, or put it at assets/rmvpe/rmvpe.pt"
                                            : "pass it as --fcpe, or put it at assets/fcpe/fcpe.pt");
      return;
    case CheckpointKind::kUnknown: break;
  }
  std::string keys;
  if (root.is_dict()) {
    int shown = 0;
    for (const auto& [key, value] : root.as_dict()) {
      if (key.kind() != io::Value::Kind::kString || shown++ == 8) continue;
      keys += (keys.empty() ? "" : ", ") + key.as_string();
    }
  }
  out.text("top level", "top_level", keys.empty() ? io::Value::kind_name(root.kind()) : keys);
  out.finish(FileKind::kUnknown, "a PyTorch file that is none of RVC's: voice models live in weights/, training "
                                 "checkpoints are logs/<experiment>/G_*.pth");
}

void report_index(const std::string& path, FileReport& report) {
  const std::unique_ptr<faiss::Index> index = index::read_faiss_index(path);
  ReportBuilder out(report);
  out.add("width", "dim", io::Value::integer(index->d),
          std::to_string(index->d) + (index->d == 256 ? " (v1)" : index->d == 768 ? " (v2)" : ""));
  out.number("vectors", "ntotal", index->ntotal);
  const auto* ivf = dynamic_cast<const faiss::IndexIVF*>(index.get());
  out.number("lists", "nlist", ivf != nullptr ? static_cast<std::int64_t>(ivf->nlist) : 0);
  if (index->ntotal == 0) {
    out.finish(FileKind::kTrainedIndex, "this trained_ index has no vectors: convert with the added_ index next "
                                        "to it (same folder, 'added' instead of 'trained')");
  } else {
    out.finish(FileKind::kIndex, "pass it with --index when converting with a voice model of the same version, or "
                                 "pack both into one file with rvc bundle");
  }
}

bool is_huggingface_encoder_folder(const std::string& path) {
  return io::path_exists(path + "/config.json") &&
         (io::path_exists(path + "/pytorch_model.bin") || io::path_exists(path + "/model.safetensors"));
}

}  // namespace

const char* file_kind_name(FileKind kind) noexcept {
  switch (kind) {
    case FileKind::kVoiceModel: return "voice model";
    case FileKind::kVoiceBundle: return "voice bundle";
    case FileKind::kGeneratorCheckpoint: return "generator checkpoint";
    case FileKind::kDiscriminatorCheckpoint: return "discriminator checkpoint";
    case FileKind::kContentEncoder: return "content encoder";
    case FileKind::kPitchModel: return "pitch model";
    case FileKind::kIndex: return "index";
    case FileKind::kTrainedIndex: return "trained index";
    case FileKind::kUnknown: break;
  }
  return "unknown";
}

FileReport inspect_file(const std::string& path) {
  FileReport report;
  report.path = path;
  std::error_code error;
  if (std::filesystem::is_directory(std::filesystem::u8path(path), error)) {
    ReportBuilder out(report);
    if (is_huggingface_encoder_folder(path)) {
      out.text("role", "role", "a Hugging Face content encoder folder (config.json + weights)");
      out.finish(FileKind::kContentEncoder, "pass the folder as the content encoder (--hubert)");
      return report;
    }
    throw Error(ErrorCode::kInvalidArgument, "'" + path + "' is a folder; `rvc list` shows the models inside it");
  }
  const std::shared_ptr<const io::Storage> file = io::map_file(path);
  if (VoiceBundleReader::recognizes(file)) {
    report_bundle(path, report);
  } else if (io::ZipReader::looks_like_zip(*file) || file->nbytes < 4 || io::lower_extension(path) == "pth" ||
             io::lower_extension(path) == "pt") {
    report_checkpoint(path, io::load_checkpoint_bytes(file, path), report);
  } else if (io::lower_extension(path) == "index" || io::lower_extension(path).empty()) {
    report_index(path, report);
  } else {
    try {
      report_index(path, report);
    } catch (const Error&) {
      ReportBuilder out(report);
      out.finish(FileKind::kUnknown, "not a file rvc knows: voice models are .pth, bundles .rvcz, indexes .index");
    }
  }
  return report;
}

ModelInfo set_model_info(const std::string& path, const std::string& info, const std::string& output_path) {
  const std::string target = output_path.empty() ? path : output_path;
  const std::shared_ptr<const io::Storage> file = io::map_file(path);
  if (VoiceBundleReader::recognizes(file)) {
    const VoiceBundleReader bundle(path);
    BundleManifest manifest = bundle.manifest();
    io::Value root = io::load_checkpoint_bytes(bundle.model_bytes(), bundle.member_name(manifest.model));
    model_info_from_checkpoint(root, path);
    root.set("info", io::Value::string(info));
    const std::vector<std::uint8_t> model = io::checkpoint_to_bytes(root);
    const io::Storage model_bytes{nullptr, model.data(), model.size()};
    manifest.info = info;
    manifest.model = describe_stored_file(manifest.model.file, model_bytes);
    std::shared_ptr<const io::Storage> index;
    if (manifest.has_index()) index = bundle.index_bytes();
    write_bundle_file(target, manifest, model_bytes, index.get());
    return model_info_from_checkpoint(root, target);
  }
  io::Value root = io::load_checkpoint_bytes(file, path);
  model_info_from_checkpoint(root, path);  // refuses anything that is not a voice model
  root.set("info", io::Value::string(info));
  io::save_checkpoint(target, root);
  return model_info_from_checkpoint(root, target);
}

ModelInfo extract_voice_model(const std::string& checkpoint_path, const std::string& output_path,
                              const ExtractConfig& config) {
  const io::Value root = io::load_checkpoint(checkpoint_path);
  const CheckpointKind kind = classify_checkpoint(root);
  if (kind == CheckpointKind::kVoiceModel) {
    throw Error(ErrorCode::kWrongModelKind, "'" + checkpoint_path + "' is already a voice model; use it as it is "
                                            "(`rvc info --set` changes its info text)");
  }
  if (kind != CheckpointKind::kGeneratorTraining) {
    throw Error(ErrorCode::kWrongModelKind, "'" + checkpoint_path + "' is " + describe_checkpoint_kind(kind) +
                                                "; extract from the generator checkpoint G_*.pth of the experiment");
  }
  const io::Value& state = root.at("model");
  const GeneratorLayout layout = read_layout(state, checkpoint_path);
  const ExperimentSettings experiment = read_experiment(checkpoint_path);

  const std::string version = !config.version.empty() ? config.version
                              : !experiment.version.empty() ? experiment.version
                                                            : layout.version();
  if (version != "v1" && version != "v2") {
    throw Error(ErrorCode::kInvalidArgument, "version '" + version + "' is not v1 or v2");
  }
  if (version != layout.version()) {
    throw Error(ErrorCode::kInvalidArgument,
                "'" + checkpoint_path + "' is a " + layout.version() + " generator (" +
                    std::to_string(layout.feature_dim) + "-d features), but " + version + " was " +
                    (config.version.empty() ? "read from " + experiment.source : std::string("asked for")) +
                    "; extract with --version " + layout.version());
  }
  const int has_pitch = config.has_pitch >= 0 ? config.has_pitch : experiment.has_pitch >= 0 ? experiment.has_pitch
                                                                                              : layout.has_pitch;
  if ((has_pitch != 0) != layout.has_pitch) {
    throw Error(ErrorCode::kInvalidArgument,
                "'" + checkpoint_path + "' is a generator " + (layout.has_pitch ? "with" : "without") +
                    " pitch input, but f0 " + std::to_string(has_pitch) + " was " +
                    (config.has_pitch >= 0 ? std::string("asked for") : "read from " + experiment.source) +
                    "; extract with --f0 " + (layout.has_pitch ? "1" : "0"));
  }

  std::string rate = !config.sample_rate_tag.empty() ? config.sample_rate_tag : experiment.sample_rate_tag;
  if (rate.empty()) {
    const std::vector<int> rates = fitting_standard_rates(version, layout);
    if (rates.size() != 1) {
      throw Error(ErrorCode::kInvalidArgument,
                  "the sample rate of '" + checkpoint_path + "' cannot be told from its weights" +
                      (rates.empty() ? " (they fit none of RVC's standard layouts)" : "") +
                      " and there is no config.json beside it; give --sr 32k, 40k or 48k");
    }
    rate = rate_tag(rates[0]);
  }
  const int rate_hz = rate_from_tag(rate);
  const bool use_experiment_config = experiment.has_config && experiment.config.sample_rate_hz == rate_hz;
  const ModelConfig model_config = use_experiment_config ? experiment.config : ModelConfig::standard(version, rate_hz);
  const std::string mismatch = layout_mismatch(model_config, layout);
  if (!mismatch.empty()) {
    throw Error(ErrorCode::kInvalidArgument,
                "'" + checkpoint_path + "' does not fit a " + version + " " + rate + " model: " + mismatch +
                    "; give the rate the experiment was trained at (--sr), or extract next to its config.json");
  }

  io::Value weights = io::Value::dict();
  for (const auto& [key, value] : state.as_dict()) {
    if (key.kind() != io::Value::Kind::kString || key.as_string().find("enc_q") != std::string::npos) continue;
    weights.as_dict_mut().emplace_back(key, value.kind() == io::Value::Kind::kTensor ? to_half(value.as_tensor())
                                                                                      : value);
  }
  // The keys in the order RVC's extract_small_model writes them.
  io::Value out = io::Value::dict();
  out.set("weight", weights);
  out.set("config", model_config.to_list());
  out.set("info", io::Value::string(config.info.empty() ? "Extracted model." : config.info));
  out.set("version", io::Value::string(version));
  out.set("sr", io::Value::string(rate));
  out.set("f0", io::Value::integer(has_pitch));
  const ModelInfo info = model_info_from_checkpoint(out, output_path);
  io::save_checkpoint(output_path, out);
  return info;
}

ModelInfo merge_voice_models(const std::string& model_a, const std::string& model_b, const std::string& output_path,
                             const MergeConfig& config) {
  if (!(config.alpha >= 0.0 && config.alpha <= 1.0)) {
    throw Error(ErrorCode::kInvalidArgument, "merge alpha " + std::to_string(config.alpha) + " is outside 0..1");
  }
  const WeightSource a = read_weights(model_a, "A");
  if (!a.is_voice_model) {
    throw Error(ErrorCode::kWrongModelKind, "model A '" + model_a + "' is a training checkpoint; RVC takes the "
                                            "config from A, so A must be a voice model: swap A and B (alpha becomes "
                                            "1 - alpha), or extract A first with rvc extract");
  }
  const WeightSource b = read_weights(model_b, "B");
  const auto difference = [&](const std::string& what) {
    return Error(ErrorCode::kInvalidArgument, "cannot merge '" + model_a + "' (" + describe_model(a.info) + ") with '" +
                                                  model_b + "'" +
                                                  (b.is_voice_model ? " (" + describe_model(b.info) + ")" : "") +
                                                  ": the architectures are not the same (" + what +
                                                  "); merge models of the same version, rate and pitch setting");
  };
  if (b.is_voice_model) {
    if (a.info.version != b.info.version) throw difference("version " + a.info.version + " vs " + b.info.version);
    if (a.info.has_pitch != b.info.has_pitch) throw difference("one model has pitch input, the other not");
    if (a.info.config.upsample_rates != b.info.config.upsample_rates ||
        a.info.config.sample_rate_hz != b.info.config.sample_rate_hz) {
      throw difference("sample rate " + std::to_string(a.info.config.sample_rate_hz) + " vs " +
                       std::to_string(b.info.config.sample_rate_hz) + " Hz");
    }
  }
  std::set<std::string> keys_a, keys_b;
  for (const auto& [key, value] : a.weights.as_dict()) keys_a.insert(key.as_string());
  for (const auto& [key, value] : b.weights.as_dict()) keys_b.insert(key.as_string());
  if (keys_a != keys_b) {
    std::vector<std::string> only;
    std::set_symmetric_difference(keys_a.begin(), keys_a.end(), keys_b.begin(), keys_b.end(),
                                  std::back_inserter(only));
    const std::string pitch_hint = only.front().find("pitch") != std::string::npos ||
                                           only.front().find("m_source") != std::string::npos ||
                                           only.front().find("noise_conv") != std::string::npos
                                       ? ", one model has pitch input and the other not"
                                       : "";
    throw difference("'" + only.front() + "' is in only one of them" + pitch_hint);
  }

  const float weight_a = static_cast<float>(config.alpha);
  const float weight_b = static_cast<float>(1.0 - config.alpha);
  io::Value weights = io::Value::dict();
  for (const auto& [key, value] : a.weights.as_dict()) {
    const io::TensorData& ta = value.as_tensor();
    const io::TensorData& tb = b.weights.at(key.as_string()).as_tensor();
    std::vector<std::int64_t> shape = ta.shape();
    const bool speaker_table = key.as_string() == "emb_g.weight";
    if (ta.shape() != tb.shape()) {
      if (!speaker_table || ta.shape().size() != 2 || tb.shape().size() != 2 || ta.shape()[1] != tb.shape()[1]) {
        throw difference("'" + key.as_string() + "' is " + shape_text(ta) + " in A and " + shape_text(tb) + " in B");
      }
      shape[0] = std::min(ta.shape()[0], tb.shape()[0]);
    }
    const std::vector<float> va = ta.to_floats();
    const std::vector<float> vb = tb.to_floats();
    std::int64_t count = 1;
    for (std::int64_t extent : shape) count *= extent;
    std::vector<float> mixed(static_cast<std::size_t>(count));
    // Two products, then a sum, each rounded to float32: torch's alpha*A.float() + (1-alpha)*B.float().
    for (std::size_t i = 0; i < mixed.size(); ++i) {
      const float from_a = weight_a * va[i];
      const float from_b = weight_b * vb[i];
      mixed[i] = from_a + from_b;
    }
    weights.as_dict_mut().emplace_back(key, to_half(io::TensorData::from_floats(shape, mixed)));
  }
  const std::string sample_rate_tag = config.sample_rate_tag.empty() ? a.info.sample_rate_tag : config.sample_rate_tag;
  rate_from_tag(sample_rate_tag);
  const std::string version = config.version.empty() ? a.info.version : config.version;
  if (version != a.info.version) {
    throw Error(ErrorCode::kInvalidArgument, "version " + version + " was asked for, but the merged weights are " +
                                                 a.info.version + " (" + std::to_string(a.info.feature_dim()) +
                                                 "-d features); leave the version out");
  }
  const int has_pitch = config.has_pitch >= 0 ? config.has_pitch : (a.info.has_pitch ? 1 : 0);
  if ((has_pitch != 0) != a.info.has_pitch) {
    throw Error(ErrorCode::kInvalidArgument, std::string("f0 ") + std::to_string(has_pitch) +
                                                 " was asked for, but the merged weights are a model " +
                                                 (a.info.has_pitch ? "with" : "without") + " pitch input");
  }
  char alpha_text[32];
  std::snprintf(alpha_text, sizeof(alpha_text), "%g", config.alpha);
  char beta_text[32];
  std::snprintf(beta_text, sizeof(beta_text), "%g", 1.0 - config.alpha);
  // The keys in the order RVC's merge writes them.
  io::Value out = io::Value::dict();
  out.set("weight", weights);
  out.set("config", a.root.at("config"));
  out.set("sr", io::Value::string(sample_rate_tag));
  out.set("f0", io::Value::integer(has_pitch));
  out.set("version", io::Value::string(version));
  out.set("info", io::Value::string(!config.info.empty() ? config.info
                                                          : "Merged: " + io::file_stem(model_a) + " x " + alpha_text +
                                                                " + " + io::file_stem(model_b) + " x " + beta_text));
  const ModelInfo info = model_info_from_checkpoint(out, output_path);
  io::save_checkpoint(output_path, out);
  return info;
}

namespace {

struct IndexCandidate {
  std::string path;
  std::string file_name;
};

// How well an index file fits a model: 3 = the same experiment name and version in RVC's index
// name, 2 = in the experiment's own folder, 1 = RVC's rule (the model's name appears in the
// index's path), 0 = no match, -1 = the same experiment but the other version.
int index_match(const std::string& experiment, const std::string& version, const std::string& model_name,
                const IndexCandidate& index) {
  for (const char* v : {"v1", "v2"}) {
    if (index.file_name.size() > experiment.size() + 9 &&
        index.file_name.compare(index.file_name.size() - experiment.size() - 10, std::string::npos,
                                "_" + experiment + "_" + v + ".index") == 0) {
      return version == v ? 3 : -1;
    }
  }
  if (io::file_name(io::parent_folder(index.path)) == experiment) return 2;
  const std::string rvc_key = model_name.substr(0, model_name.find('.'));
  return !rvc_key.empty() && index.path.find(rvc_key) != std::string::npos ? 1 : 0;
}

}  // namespace

std::vector<ModelListing> list_voice_models(const std::string& folder, std::vector<std::string>* skipped) {
  namespace fs = std::filesystem;
  std::error_code error;
  const fs::path top = fs::u8path(folder);
  if (!fs::is_directory(top, error)) {
    throw Error(io::path_exists(folder) ? ErrorCode::kInvalidArgument : ErrorCode::kFileNotFound,
                "'" + folder + "' is not a folder; give the folder to search (e.g. RVC's assets/weights or logs)");
  }
  std::vector<std::string> files;
  for (fs::recursive_directory_iterator it(top, fs::directory_options::skip_permission_denied, error), end;
       !error && it != end; it.increment(error)) {
    if (it->is_regular_file(error)) files.push_back(it->path().u8string());
  }
  std::sort(files.begin(), files.end());

  std::vector<IndexCandidate> indexes;
  for (const std::string& path : files) {
    const std::string name = io::file_name(path);
    if (io::lower_extension(path) == "index" && name.find("trained") == std::string::npos) {
      indexes.push_back({path, name});
    }
  }
  static const std::regex kIntermediateSuffix("_e[0-9]+_s[0-9]+$");
  std::vector<ModelListing> listings;
  for (const std::string& path : files) {
    const std::string extension = io::lower_extension(path);
    if (extension != "pth" && extension != "pt" && extension != kBundleExtension) continue;
    ModelListing listing;
    listing.path = path;
    listing.name = io::file_stem(path);
    try {
      if (is_voice_bundle(path)) {
        const VoiceBundleReader bundle(path);
        listing.is_bundle = true;
        listing.info = model_info_from_checkpoint(
            io::load_checkpoint_bytes(bundle.model_bytes(), bundle.member_name(bundle.manifest().model)), path);
        if (bundle.manifest().has_index()) listing.index_path = path;
      } else {
        const io::Value root = io::load_checkpoint(path);
        const CheckpointKind kind = classify_checkpoint(root);
        if (kind != CheckpointKind::kVoiceModel) {
          if (skipped != nullptr) skipped->push_back(path + ": " + describe_checkpoint_kind(kind));
          continue;
        }
        listing.info = model_info_from_checkpoint(root, path);
        const std::string experiment = std::regex_replace(listing.name, kIntermediateSuffix, "");
        int best = 0;
        for (const IndexCandidate& index : indexes) {
          const int score = index_match(experiment, listing.info.version, io::file_name(path), index);
          if (score > best) {
            best = score;
            listing.index_path = index.path;
          }
        }
      }
    } catch (const Error& e) {
      if (skipped != nullptr) skipped->push_back(path + ": " + e.what());
      continue;
    }
    listings.push_back(std::move(listing));
  }
  return listings;
}

}  // namespace rvc::model
