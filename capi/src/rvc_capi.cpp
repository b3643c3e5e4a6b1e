// The C ABI: thin translations between C types and the C++ core, each behind the barrier.
#include <algorithm>
#include <cstring>
#include <tuple>
#include <utility>
#include <vector>

#include "barrier.hpp"
#include "rvc/audio/audio_file.hpp"
#include "rvc/f0/estimator.hpp"
#include "rvc/features/content_encoder.hpp"
#include "rvc/index/feature_index.hpp"
#include "rvc/index/index_builder.hpp"
#include "rvc/io/checkpoint.hpp"
#include "rvc/model/model_info.hpp"
#include "rvc/model/model_tools.hpp"
#include "rvc/model/voice_bundle.hpp"
#include "io/json.hpp"
#include "rvc/pipeline/engine.hpp"
#include "rvc/synth/synthesizer.hpp"
#include "rvc/rvc.h"
#include "rvc/version.hpp"

struct rvc_audio {
  rvc::audio::AudioBuffer buffer;
};

struct rvc_checkpoint {
  rvc::io::Value root;
};

struct rvc_synthesizer {
  rvc::synth::Synthesizer synthesizer;
};

struct rvc_content_encoder {
  rvc::features::ContentEncoder encoder;
};

struct rvc_f0_estimator {
  std::unique_ptr<rvc::f0::Estimator> estimator;
};

struct rvc_f0_track {
  rvc::f0::F0Track track;
};

struct rvc_features {
  std::vector<float> values;
  int64_t num_frames = 0;
  int32_t dim = 0;
};

struct rvc_index {
  rvc::index::FeatureIndex index;
};

struct rvc_index_build_result {
  rvc::index::IndexBuildResult result;
};

struct rvc_engine {
  // Shared so that streams (which keep their engine alive) can hold it too.
  std::shared_ptr<const rvc::pipeline::Engine> engine;
  std::string description;
};

struct rvc_model_info {
  rvc::model::ModelInfo info;
  std::string json;
};

struct rvc_bundle_files {
  rvc::model::UnpackedBundle files;
  std::string manifest_json;
};

struct rvc_model_list {
  std::vector<rvc::model::ModelListing> listings;
  std::vector<rvc_model_info> infos;
  std::vector<std::string> skipped;
  std::string json;
};

struct rvc_file_report {
  rvc::model::FileReport report;
};

static_assert(RVC_FILE_UNKNOWN == static_cast<int>(rvc::model::FileKind::kUnknown));
static_assert(RVC_FILE_TRAINED_INDEX == static_cast<int>(rvc::model::FileKind::kTrainedIndex));
static_assert(RVC_VALUE_OBJECT == static_cast<int>(rvc::io::Value::Kind::kObject));
static_assert(RVC_VALUE_TENSOR == static_cast<int>(rvc::io::Value::Kind::kTensor));
static_assert(RVC_DTYPE_BOOL == static_cast<int>(rvc::io::DType::kBool));
static_assert(RVC_DTYPE_UINT8 == static_cast<int>(rvc::io::DType::kUInt8));
static_assert(RVC_ERROR_WRONG_MODEL_KIND == static_cast<int>(rvc::ErrorCode::kWrongModelKind));
static_assert(RVC_ERROR_CANCELLED == static_cast<int>(rvc::ErrorCode::kCancelled));
static_assert(RVC_PRECISION_BFLOAT16 == static_cast<int>(rvc::synth::Precision::kBFloat16));
static_assert(RVC_F0_METHOD_FCPE == static_cast<int>(rvc::f0::F0Method::kFcpe));
static_assert(RVC_CHUNKING_LOW_MEMORY == static_cast<int>(rvc::pipeline::ChunkPreset::kLowMemory));
static_assert(RVC_COMPAT_2026 == static_cast<int>(rvc::pipeline::Compat::kRvc2026));
static_assert(RVC_AUDIO_ENCODING_FLOAT32 == static_cast<int>(rvc::audio::AudioEncoding::kFloat32));

namespace {

thread_local std::string t_last_error;

const rvc::io::Value* as_value(const rvc_value* value) {
  return reinterpret_cast<const rvc::io::Value*>(value);
}
const rvc_value* as_handle(const rvc::io::Value* value) {
  return reinterpret_cast<const rvc_value*>(value);
}

bool is_f0_method(int32_t method) { return method >= RVC_F0_METHOD_PM && method <= RVC_F0_METHOD_FCPE; }

// The device string and rvc_precision of a config struct, checked.
std::pair<std::string, rvc::Precision> device_and_precision(const char* device, int32_t precision,
                                                            const char* function) {
  if (precision < RVC_PRECISION_AUTO || precision > RVC_PRECISION_BFLOAT16) {
    throw rvc::Error(rvc::ErrorCode::kInvalidArgument,
                     std::string(function) + ": precision " + std::to_string(precision) + " is not an rvc_precision");
  }
  return {device != nullptr ? device : "cpu", static_cast<rvc::Precision>(precision)};
}

// The first step of every *_init function: false for a null struct; otherwise all zero, with
// struct_size set to this library's size of it.
template <typename Struct>
bool clear_sized(Struct* value) {
  if (value == nullptr) return false;
  std::memset(value, 0, sizeof(*value));
  value->struct_size = sizeof(*value);
  return true;
}

// Copies the fields a caller's (possibly older, smaller) config struct has over the defaults.
template <typename Config>
Config effective_config(const Config* given, void (*init)(Config*), const char* function) {
  Config effective;
  init(&effective);
  if (given != nullptr) {
    if (given->struct_size < sizeof(uint32_t) * 2) {
      throw rvc::Error(rvc::ErrorCode::kInvalidArgument,
                       std::string(function) + ": struct_size is too small; fill the struct with its _init function");
    }
    std::memcpy(&effective, given, std::min<std::size_t>(given->struct_size, sizeof(effective)));
    effective.struct_size = sizeof(effective);
  }
  return effective;
}

rvc::audio::AudioBuffer read(const char* path, int32_t sample_rate_hz) {
  rvc::audio::AudioReadConfig config;
  config.sample_rate_hz = sample_rate_hz;
  return rvc::audio::read_audio(path, config);
}

rvc::audio::AudioWriteConfig audio_write_config(const rvc_audio_write_config* given, const char* function) {
  const rvc_audio_write_config c = effective_config(given, rvc_audio_write_config_init, function);
  if (c.encoding < RVC_AUDIO_ENCODING_AUTO || c.encoding > RVC_AUDIO_ENCODING_FLOAT32) {
    throw rvc::Error(rvc::ErrorCode::kInvalidArgument, std::string(function) + ": encoding " +
                                                           std::to_string(c.encoding) + " is not an rvc_audio_encoding");
  }
  rvc::audio::AudioWriteConfig config;
  config.encoding = static_cast<rvc::audio::AudioEncoding>(c.encoding);
  return config;
}

// A C progress callback as the C++ core takes it (none stays none).
rvc::ProgressCallback progress_function(rvc_progress_callback callback, void* user_data) {
  if (callback == nullptr) return {};
  return [callback, user_data](const std::string& stage, double fraction) {
    return callback(stage.c_str(), fraction, user_data) == 0;
  };
}

// The C++ build config for a C one: zero fields keep RVC's values.
rvc::index::IndexBuildConfig index_build_config(const rvc_index_build_config* given, const char* function) {
  const rvc_index_build_config c = effective_config(given, rvc_index_build_config_init, function);
  rvc::index::IndexBuildConfig config;
  if (c.name != nullptr) config.name = c.name;
  if (c.version != nullptr) config.version = c.version;
  config.shuffle = c.no_shuffle == 0;
  config.seed = static_cast<std::uint64_t>(c.seed);
  if (c.reduce_above_rows > 0) config.reduce_above_rows = c.reduce_above_rows;
  if (c.reduced_rows > 0) config.reduced_rows = c.reduced_rows;
  if (c.add_batch_rows > 0) config.add_batch_rows = c.add_batch_rows;
  config.progress = progress_function(c.progress, c.progress_user_data);
  return config;
}

std::string optional_string(const char* text) { return text != nullptr ? text : ""; }

rvc::pipeline::ConvertOptions convert_options(const rvc_convert_params* given, const char* function) {
  const rvc_convert_params c = effective_config(given, rvc_convert_params_init, function);
  if (!is_f0_method(c.f0_method)) {
    throw rvc::Error(rvc::ErrorCode::kInvalidArgument,
                     std::string(function) + ": f0_method " + std::to_string(c.f0_method) + " is not an rvc_f0_method");
  }
  if (c.compat != RVC_COMPAT_CLASSIC && c.compat != RVC_COMPAT_2026) {
    throw rvc::Error(rvc::ErrorCode::kInvalidArgument,
                     std::string(function) + ": compat " + std::to_string(c.compat) + " is not an rvc_compat");
  }
  rvc::pipeline::ConvertOptions options;
  options.f0_up_key = c.f0_up_key;
  options.f0_method = static_cast<rvc::f0::F0Method>(c.f0_method);
  options.index_rate = c.index_rate;
  options.filter_radius = c.filter_radius;
  options.rms_mix_rate = c.rms_mix_rate;
  options.protect = c.protect;
  options.resample_sr = c.resample_sr;
  options.speaker_id = c.speaker_id;
  options.f0_file = optional_string(c.f0_file);
  options.noise_scale = c.noise_scale;
  options.seed = c.seed;
  options.zero_noise = c.zero_noise != 0;
  options.compat = static_cast<rvc::pipeline::Compat>(c.compat);
  options.progress = progress_function(c.progress, c.progress_user_data);
  return options;
}

std::string engine_description(const rvc::pipeline::EngineInfo& info) {
  const rvc::pipeline::ChunkGeometry& g = info.geometry;
  auto or_none = [](const std::string& text) { return text.empty() ? std::string("none") : text; };
  return "model:      " + info.model_path + "\n" +
         "version:    " + info.model.version + ", " + std::to_string(info.sample_rate_hz) + " Hz, " +
         (info.model.has_pitch ? "pitch-guided" : "no pitch") + ", " + std::to_string(info.num_speakers) +
         " speaker(s)\n" + "index:      " + or_none(info.index_path) + "\n" + "encoder:    " + info.hubert_path +
         "\n" + "rmvpe:      " + or_none(info.rmvpe_path) + "\n" + "device:     " + info.device + " (" +
         rvc::precision_name(info.precision) + ")\n" + "chunking:   x_pad " + std::to_string(g.x_pad) + ", x_query " +
         std::to_string(g.x_query) + ", x_center " + std::to_string(g.x_center) + ", x_max " +
         std::to_string(g.x_max) + "\n";
}

void fill_stats(const rvc::pipeline::ConversionResult& result, rvc_conversion_stats* stats) {
  if (stats == nullptr) return;
  rvc_conversion_stats filled;
  std::memset(&filled, 0, sizeof(filled));
  filled.struct_size = sizeof(filled);
  filled.num_samples = static_cast<int64_t>(result.audio.size());
  filled.sample_rate_hz = result.sample_rate_hz;
  filled.input_seconds = result.input_seconds;
  filled.total_ms = result.total_ms;
  filled.pitch_ms = result.pitch_ms;
  filled.features_ms = result.features_ms;
  filled.index_ms = result.index_ms;
  filled.synth_ms = result.synth_ms;
  // A caller compiled against an older, smaller struct gets the fields it knows.
  const std::size_t size = std::min<std::size_t>(stats->struct_size, sizeof(filled));
  std::memcpy(reinterpret_cast<char*>(stats) + sizeof(uint32_t), reinterpret_cast<const char*>(&filled) + sizeof(uint32_t),
              size > sizeof(uint32_t) ? size - sizeof(uint32_t) : 0);
}

}  // namespace

namespace rvc::capi {
void set_last_error(const std::string& message) { t_last_error = message; }
}  // namespace rvc::capi

using rvc::capi::guarded;
using rvc::capi::require;

extern "C" {

const char* rvc_last_error_message(void) { return t_last_error.c_str(); }

const char* rvc_status_name(rvc_status status) {
  return rvc::error_code_name(static_cast<rvc::ErrorCode>(status));
}

const char* rvc_version_string(void) { return RVC_VERSION_STRING; }

rvc_status rvc_audio_load(const char* path, int32_t sample_rate_hz, rvc_audio** out_audio) {
  return guarded([&] {
    require(path, "rvc_audio_load", "path");
    require(out_audio, "rvc_audio_load", "out_audio");
    auto audio = std::make_unique<rvc_audio>();
    audio->buffer = read(path, sample_rate_hz);
    *out_audio = audio.release();
  });
}

const float* rvc_audio_samples(const rvc_audio* audio) {
  return audio != nullptr ? audio->buffer.samples.data() : nullptr;
}

int64_t rvc_audio_num_samples(const rvc_audio* audio) {
  return audio != nullptr ? static_cast<int64_t>(audio->buffer.samples.size()) : 0;
}

int32_t rvc_audio_sample_rate_hz(const rvc_audio* audio) {
  return audio != nullptr ? audio->buffer.sample_rate_hz : 0;
}

void rvc_audio_destroy(rvc_audio* audio) { delete audio; }

rvc_status rvc_audio_read(const char* path, int32_t sample_rate_hz, float* buffer,
                          int64_t capacity_samples, int64_t* out_num_samples,
                          int32_t* out_sample_rate_hz) {
  return guarded([&] {
    require(path, "rvc_audio_read", "path");
    require(out_num_samples, "rvc_audio_read", "out_num_samples");
    const rvc::audio::AudioBuffer audio = read(path, sample_rate_hz);
    const auto count = static_cast<int64_t>(audio.samples.size());
    if (buffer == nullptr || capacity_samples < count) {
      *out_num_samples = count;
      throw rvc::Error(rvc::ErrorCode::kBufferTooSmall,
                       "rvc_audio_read: '" + std::string(path) + "' decodes to " + std::to_string(count) +
                           " samples but the buffer holds " + std::to_string(buffer ? capacity_samples : 0) +
                           "; pass a buffer of at least that many floats");
    }
    std::copy(audio.samples.begin(), audio.samples.end(), buffer);
    *out_num_samples = count;
    if (out_sample_rate_hz != nullptr) *out_sample_rate_hz = audio.sample_rate_hz;
  });
}

void rvc_audio_write_config_init(rvc_audio_write_config* config) {
  if (!clear_sized(config)) return;
  config->encoding = RVC_AUDIO_ENCODING_AUTO;
}

rvc_status rvc_audio_write(const char* path, const float* samples, int64_t num_samples,
                           int32_t sample_rate_hz, const rvc_audio_write_config* config) {
  return guarded([&] {
    require(path, "rvc_audio_write", "path");
    require(samples, "rvc_audio_write", "samples");
    if (num_samples <= 0) {
      throw rvc::Error(rvc::ErrorCode::kInvalidAudio,
                       "rvc_audio_write: refusing to write '" + std::string(path) + "' with no samples");
    }
    const rvc::audio::AudioWriteConfig write_config = audio_write_config(config, "rvc_audio_write");
    rvc::audio::write_audio(path, samples, static_cast<std::size_t>(num_samples), sample_rate_hz,
                            write_config);
  });
}

rvc_status rvc_checkpoint_load(const char* path, rvc_checkpoint** out_checkpoint) {
  return guarded([&] {
    require(path, "rvc_checkpoint_load", "path");
    require(out_checkpoint, "rvc_checkpoint_load", "out_checkpoint");
    auto checkpoint = std::make_unique<rvc_checkpoint>();
    checkpoint->root = rvc::io::load_checkpoint(path);
    *out_checkpoint = checkpoint.release();
  });
}

void rvc_checkpoint_destroy(rvc_checkpoint* checkpoint) { delete checkpoint; }

const rvc_value* rvc_checkpoint_root(const rvc_checkpoint* checkpoint) {
  return checkpoint != nullptr ? as_handle(&checkpoint->root) : nullptr;
}

int32_t rvc_value_kind(const rvc_value* value) {
  if (value == nullptr) return RVC_VALUE_NONE;
  return static_cast<int32_t>(as_value(value)->kind());
}

int64_t rvc_value_length(const rvc_value* value) {
  if (value == nullptr) return 0;
  const rvc::io::Value& v = *as_value(value);
  switch (v.kind()) {
    case rvc::io::Value::Kind::kList:
    case rvc::io::Value::Kind::kTuple: return static_cast<int64_t>(v.as_list().size());
    case rvc::io::Value::Kind::kDict: return static_cast<int64_t>(v.as_dict().size());
    case rvc::io::Value::Kind::kString:
    case rvc::io::Value::Kind::kBytes: return static_cast<int64_t>(v.as_string().size());
    default: return 0;
  }
}

const rvc_value* rvc_value_item(const rvc_value* value, int64_t index) {
  if (value == nullptr || index < 0) return nullptr;
  const rvc::io::Value& v = *as_value(value);
  const auto i = static_cast<std::size_t>(index);
  if (v.is_sequence()) return i < v.as_list().size() ? as_handle(&v.as_list()[i]) : nullptr;
  if (v.is_dict()) return i < v.as_dict().size() ? as_handle(&v.as_dict()[i].second) : nullptr;
  return nullptr;
}

const rvc_value* rvc_value_key(const rvc_value* value, int64_t index) {
  if (value == nullptr || index < 0 || !as_value(value)->is_dict()) return nullptr;
  const auto& items = as_value(value)->as_dict();
  const auto i = static_cast<std::size_t>(index);
  return i < items.size() ? as_handle(&items[i].first) : nullptr;
}

const rvc_value* rvc_value_find(const rvc_value* value, const char* key) {
  if (value == nullptr || key == nullptr) return nullptr;
  return as_handle(as_value(value)->find(key));
}

int64_t rvc_value_int(const rvc_value* value) {
  if (value == nullptr) return 0;
  const rvc::io::Value& v = *as_value(value);
  if (v.kind() == rvc::io::Value::Kind::kInt || v.kind() == rvc::io::Value::Kind::kBool) return v.as_int();
  return 0;
}

double rvc_value_float(const rvc_value* value) {
  if (value == nullptr) return 0.0;
  const rvc::io::Value& v = *as_value(value);
  if (v.kind() == rvc::io::Value::Kind::kFloat || v.kind() == rvc::io::Value::Kind::kInt) return v.as_float();
  return 0.0;
}

const char* rvc_value_string(const rvc_value* value, int64_t* out_size) {
  if (value == nullptr) return nullptr;
  const rvc::io::Value& v = *as_value(value);
  if (v.kind() != rvc::io::Value::Kind::kString && v.kind() != rvc::io::Value::Kind::kBytes) return nullptr;
  if (out_size != nullptr) *out_size = static_cast<int64_t>(v.as_string().size());
  return v.as_string().c_str();
}

int32_t rvc_value_tensor_dtype(const rvc_value* value) {
  if (value == nullptr || as_value(value)->kind() != rvc::io::Value::Kind::kTensor) return -1;
  return static_cast<int32_t>(as_value(value)->as_tensor().dtype());
}

int32_t rvc_value_tensor_rank(const rvc_value* value) {
  if (value == nullptr || as_value(value)->kind() != rvc::io::Value::Kind::kTensor) return -1;
  return static_cast<int32_t>(as_value(value)->as_tensor().shape().size());
}

int64_t rvc_value_tensor_dim(const rvc_value* value, int32_t dim) {
  if (value == nullptr || as_value(value)->kind() != rvc::io::Value::Kind::kTensor) return -1;
  const auto& shape = as_value(value)->as_tensor().shape();
  if (dim < 0 || static_cast<std::size_t>(dim) >= shape.size()) return -1;
  return shape[static_cast<std::size_t>(dim)];
}

rvc_status rvc_value_tensor_copy(const rvc_value* value, void* buffer, int64_t capacity_bytes) {
  return guarded([&] {
    require(value, "rvc_value_tensor_copy", "value");
    if (as_value(value)->kind() != rvc::io::Value::Kind::kTensor) {
      throw rvc::Error(rvc::ErrorCode::kInvalidArgument, "rvc_value_tensor_copy: the value is not a tensor");
    }
    const rvc::io::TensorData& tensor = as_value(value)->as_tensor();
    const auto needed = static_cast<int64_t>(tensor.nbytes());
    if (needed == 0) return;
    require(buffer, "rvc_value_tensor_copy", "buffer");
    if (capacity_bytes < needed) {
      throw rvc::Error(rvc::ErrorCode::kBufferTooSmall,
                       "rvc_value_tensor_copy: the " + tensor.description() + " tensor needs " +
                           std::to_string(needed) + " bytes, the buffer holds " + std::to_string(capacity_bytes));
    }
    tensor.copy_contiguous_to(buffer);
  });
}

const char* rvc_value_object_class(const rvc_value* value) {
  if (value == nullptr || as_value(value)->kind() != rvc::io::Value::Kind::kObject) return nullptr;
  thread_local std::string name;
  name = as_value(value)->as_object().qualified_name();
  return name.c_str();
}

const rvc_value* rvc_value_object_args(const rvc_value* value) {
  if (value == nullptr || as_value(value)->kind() != rvc::io::Value::Kind::kObject) return nullptr;
  return as_handle(as_value(value)->as_object().args.get());
}

const rvc_value* rvc_value_object_state(const rvc_value* value) {
  if (value == nullptr || as_value(value)->kind() != rvc::io::Value::Kind::kObject) return nullptr;
  return as_handle(as_value(value)->as_object().state.get());
}

rvc_status rvc_model_info_load(const char* path, rvc_model_info** out_info) {
  return guarded([&] {
    require(path, "rvc_model_info_load", "path");
    require(out_info, "rvc_model_info_load", "out_info");
    auto info = std::make_unique<rvc_model_info>();
    info->info = rvc::model::read_model_info(path);
    info->json = info->info.to_json();
    *out_info = info.release();
  });
}

const char* rvc_model_info_version(const rvc_model_info* info) {
  return info != nullptr ? info->info.version.c_str() : "";
}

int32_t rvc_model_info_sample_rate_hz(const rvc_model_info* info) {
  return info != nullptr ? info->info.config.sample_rate_hz : 0;
}

int32_t rvc_model_info_has_pitch(const rvc_model_info* info) {
  return info != nullptr && info->info.has_pitch ? 1 : 0;
}

const char* rvc_model_info_text(const rvc_model_info* info) {
  return info != nullptr ? info->info.info.c_str() : "";
}

const char* rvc_model_info_json(const rvc_model_info* info) {
  return info != nullptr ? info->json.c_str() : "{}";
}

void rvc_model_info_destroy(rvc_model_info* info) { delete info; }

void rvc_synthesizer_config_init(rvc_synthesizer_config* config) {
  if (!clear_sized(config)) return;
  config->device = "cpu";
  config->precision = RVC_PRECISION_AUTO;
}

void rvc_synthesis_options_init(rvc_synthesis_options* options) {
  if (!clear_sized(options)) return;
  const rvc::synth::InferOptions defaults;
  options->speaker_id = defaults.speaker_id;
  options->noise_scale = defaults.noise_scale;
  options->seed = defaults.seed;
  options->zero_noise = defaults.zero_noise ? 1 : 0;
  options->skip_head = defaults.skip_head;
  options->return_length = defaults.return_length;
  options->return_length2 = defaults.return_length2;
}

rvc_status rvc_synthesizer_create(const char* path, const rvc_synthesizer_config* config,
                                  rvc_synthesizer** out_synthesizer) {
  return guarded([&] {
    require(path, "rvc_synthesizer_create", "path");
    require(out_synthesizer, "rvc_synthesizer_create", "out_synthesizer");
    const rvc_synthesizer_config c = effective_config(config, rvc_synthesizer_config_init, "rvc_synthesizer_create");
    rvc::synth::SynthesizerConfig synth_config;
    std::tie(synth_config.device, synth_config.precision) =
        device_and_precision(c.device, c.precision, "rvc_synthesizer_create");
    *out_synthesizer = new rvc_synthesizer{rvc::synth::Synthesizer(path, synth_config)};
  });
}

void rvc_synthesizer_destroy(rvc_synthesizer* synthesizer) { delete synthesizer; }

int32_t rvc_synthesizer_sample_rate_hz(const rvc_synthesizer* s) {
  return s != nullptr ? s->synthesizer.info().config.sample_rate_hz : 0;
}
int32_t rvc_synthesizer_hop_samples(const rvc_synthesizer* s) { return s != nullptr ? s->synthesizer.hop_samples() : 0; }
int32_t rvc_synthesizer_feature_dim(const rvc_synthesizer* s) {
  return s != nullptr ? s->synthesizer.info().feature_dim() : 0;
}
int32_t rvc_synthesizer_has_pitch(const rvc_synthesizer* s) {
  return s != nullptr && s->synthesizer.info().has_pitch ? 1 : 0;
}
int32_t rvc_synthesizer_num_speakers(const rvc_synthesizer* s) {
  return s != nullptr ? s->synthesizer.info().config.spk_embed_dim : 0;
}

rvc_status rvc_synthesizer_infer(const rvc_synthesizer* synthesizer, const float* features, int64_t num_frames,
                                 int64_t feature_dim, const int64_t* pitch, const float* pitch_hz,
                                 const rvc_synthesis_options* options, rvc_audio** out_audio) {
  return guarded([&] {
    require(synthesizer, "rvc_synthesizer_infer", "synthesizer");
    require(features, "rvc_synthesizer_infer", "features");
    require(out_audio, "rvc_synthesizer_infer", "out_audio");
    const rvc_synthesis_options o = effective_config(options, rvc_synthesis_options_init, "rvc_synthesizer_infer");
    rvc::synth::InferOptions infer_options;
    infer_options.speaker_id = o.speaker_id;
    infer_options.noise_scale = o.noise_scale;
    infer_options.seed = o.seed;
    infer_options.zero_noise = o.zero_noise != 0;
    infer_options.skip_head = o.skip_head;
    infer_options.return_length = o.return_length;
    infer_options.return_length2 = o.return_length2;
    auto audio = std::make_unique<rvc_audio>();
    audio->buffer.samples =
        synthesizer->synthesizer.infer(features, num_frames, feature_dim, pitch, pitch_hz, infer_options).audio;
    audio->buffer.sample_rate_hz = synthesizer->synthesizer.info().config.sample_rate_hz;
    *out_audio = audio.release();
  });
}

void rvc_content_encoder_config_init(rvc_content_encoder_config* config) {
  if (!clear_sized(config)) return;
  config->device = "cpu";
  config->precision = RVC_PRECISION_AUTO;
}

rvc_status rvc_content_encoder_create(const char* path, const rvc_content_encoder_config* config,
                                      rvc_content_encoder** out_encoder) {
  return guarded([&] {
    require(path, "rvc_content_encoder_create", "path");
    require(out_encoder, "rvc_content_encoder_create", "out_encoder");
    const rvc_content_encoder_config c =
        effective_config(config, rvc_content_encoder_config_init, "rvc_content_encoder_create");
    rvc::features::ContentEncoderConfig encoder_config;
    std::tie(encoder_config.device, encoder_config.precision) =
        device_and_precision(c.device, c.precision, "rvc_content_encoder_create");
    *out_encoder = new rvc_content_encoder{rvc::features::ContentEncoder(path, encoder_config)};
  });
}

void rvc_content_encoder_destroy(rvc_content_encoder* encoder) { delete encoder; }

int32_t rvc_content_encoder_feature_dim(const rvc_content_encoder* encoder, const char* version) {
  return encoder != nullptr && version != nullptr ? encoder->encoder.feature_dim(version) : 0;
}

rvc_status rvc_content_encoder_extract(const rvc_content_encoder* encoder, const float* samples,
                                       int64_t num_samples, int32_t sample_rate_hz, const char* version,
                                       rvc_features** out_features) {
  return guarded([&] {
    require(encoder, "rvc_content_encoder_extract", "encoder");
    require(samples, "rvc_content_encoder_extract", "samples");
    require(version, "rvc_content_encoder_extract", "version");
    require(out_features, "rvc_content_encoder_extract", "out_features");
    rvc::features::ExtractOptions options;
    options.version = version;
    const rvc::features::ContentFeatures result =
        encoder->encoder.extract(samples, num_samples, sample_rate_hz, options);
    auto features = std::make_unique<rvc_features>();
    features->num_frames = result.features.shape()[0];
    features->dim = static_cast<int32_t>(result.features.shape()[1]);
    features->values = result.features.to_floats();
    *out_features = features.release();
  });
}

const float* rvc_features_data(const rvc_features* features) {
  return features != nullptr ? features->values.data() : nullptr;
}
int64_t rvc_features_num_frames(const rvc_features* features) { return features != nullptr ? features->num_frames : 0; }
int32_t rvc_features_dim(const rvc_features* features) { return features != nullptr ? features->dim : 0; }
void rvc_features_destroy(rvc_features* features) { delete features; }

void rvc_f0_estimator_config_init(rvc_f0_estimator_config* config) {
  if (!clear_sized(config)) return;
  config->device = "cpu";
  config->precision = RVC_PRECISION_AUTO;
  config->voicing_threshold = -1;
}

const char* rvc_f0_method_name(int32_t method) {
  if (!is_f0_method(method)) return "unknown";
  return rvc::f0::f0_method_name(static_cast<rvc::f0::F0Method>(method));
}

rvc_status rvc_f0_method_from_name(const char* name, int32_t* out_method) {
  return guarded([&] {
    require(name, "rvc_f0_method_from_name", "name");
    require(out_method, "rvc_f0_method_from_name", "out_method");
    *out_method = static_cast<int32_t>(rvc::f0::parse_f0_method(name));
  });
}

rvc_status rvc_f0_estimator_create(int32_t method, const rvc_f0_estimator_config* config,
                                   rvc_f0_estimator** out_estimator) {
  return guarded([&] {
    require(out_estimator, "rvc_f0_estimator_create", "out_estimator");
    if (!is_f0_method(method)) {
      throw rvc::Error(rvc::ErrorCode::kInvalidArgument,
                       "rvc_f0_estimator_create: method " + std::to_string(method) + " is not an rvc_f0_method");
    }
    const rvc_f0_estimator_config c =
        effective_config(config, rvc_f0_estimator_config_init, "rvc_f0_estimator_create");
    rvc::f0::EstimatorConfig estimator_config;
    estimator_config.model_path = c.model_path != nullptr ? c.model_path : "";
    std::tie(estimator_config.device, estimator_config.precision) =
        device_and_precision(c.device, c.precision, "rvc_f0_estimator_create");
    estimator_config.voicing_threshold = c.voicing_threshold;
    *out_estimator =
        new rvc_f0_estimator{rvc::f0::make_f0_estimator(static_cast<rvc::f0::F0Method>(method), estimator_config)};
  });
}

void rvc_f0_estimator_destroy(rvc_f0_estimator* estimator) { delete estimator; }

rvc_status rvc_f0_estimator_estimate(const rvc_f0_estimator* estimator, const float* samples, int64_t num_samples,
                                     int32_t sample_rate_hz, rvc_f0_track** out_track) {
  return guarded([&] {
    require(estimator, "rvc_f0_estimator_estimate", "estimator");
    require(out_track, "rvc_f0_estimator_estimate", "out_track");
    *out_track = new rvc_f0_track{estimator->estimator->estimate(samples, num_samples, sample_rate_hz)};
  });
}

int64_t rvc_f0_track_num_frames(const rvc_f0_track* track) {
  return track != nullptr ? static_cast<int64_t>(track->track.hz.size()) : 0;
}
const double* rvc_f0_track_hz(const rvc_f0_track* track) { return track != nullptr ? track->track.hz.data() : nullptr; }
const float* rvc_f0_track_confidence(const rvc_f0_track* track) {
  return track != nullptr && !track->track.confidence.empty() ? track->track.confidence.data() : nullptr;
}
void rvc_f0_track_destroy(rvc_f0_track* track) { delete track; }

void rvc_index_config_init(rvc_index_config* config) {
  if (!clear_sized(config)) return;
}

rvc_status rvc_index_load(const char* path, const rvc_index_config* config, rvc_index** out_index) {
  return guarded([&] {
    require(path, "rvc_index_load", "path");
    require(out_index, "rvc_index_load", "out_index");
    const rvc_index_config c = effective_config(config, rvc_index_config_init, "rvc_index_load");
    rvc::index::FeatureIndexConfig index_config;
    index_config.expected_dim = c.expected_dim;
    index_config.nprobe = c.nprobe;
    *out_index = new rvc_index{rvc::index::FeatureIndex(path, index_config)};
  });
}

void rvc_index_destroy(rvc_index* index) { delete index; }

int32_t rvc_index_dim(const rvc_index* index) { return index != nullptr ? index->index.info().dim : 0; }
int64_t rvc_index_num_vectors(const rvc_index* index) {
  return index != nullptr ? index->index.info().num_vectors : 0;
}
int64_t rvc_index_num_lists(const rvc_index* index) { return index != nullptr ? index->index.info().num_lists : 0; }
int32_t rvc_index_nprobe(const rvc_index* index) { return index != nullptr ? index->index.info().nprobe : 0; }
const char* rvc_index_description(const rvc_index* index) {
  return index != nullptr ? index->index.info().description.c_str() : nullptr;
}
const float* rvc_index_vectors(const rvc_index* index) {
  return index != nullptr ? index->index.vectors().data() : nullptr;
}

rvc_status rvc_index_search(const rvc_index* index, const float* queries, int64_t num_queries, int32_t dim,
                            int32_t k, float* out_distances, int64_t* out_ids) {
  return guarded([&] {
    require(index, "rvc_index_search", "index");
    require(queries, "rvc_index_search", "queries");
    require(out_distances, "rvc_index_search", "out_distances");
    require(out_ids, "rvc_index_search", "out_ids");
    const rvc::index::Neighbours found = index->index.search(queries, num_queries, dim, k);
    std::copy(found.distances.begin(), found.distances.end(), out_distances);
    std::copy(found.ids.begin(), found.ids.end(), out_ids);
  });
}

rvc_status rvc_index_blend(const rvc_index* index, const float* features, int64_t num_frames, int32_t dim,
                           float index_rate, int32_t k, float* out_features) {
  return guarded([&] {
    require(index, "rvc_index_blend", "index");
    require(features, "rvc_index_blend", "features");
    require(out_features, "rvc_index_blend", "out_features");
    index->index.blend(features, num_frames, dim, index_rate, out_features, k);
  });
}

void rvc_index_build_config_init(rvc_index_build_config* config) {
  if (!clear_sized(config)) return;
}

rvc_status rvc_index_build(const char* features_path, const char* output_dir, const rvc_index_build_config* config,
                           rvc_index_build_result** out_result) {
  return guarded([&] {
    require(features_path, "rvc_index_build", "features_path");
    require(out_result, "rvc_index_build", "out_result");
    const rvc::index::IndexBuildConfig build_config = index_build_config(config, "rvc_index_build");
    *out_result = new rvc_index_build_result{
        rvc::index::build_index_from_path(features_path, output_dir != nullptr ? output_dir : "", build_config)};
  });
}

rvc_status rvc_index_build_from_features(const float* features, int64_t num_rows, int32_t dim,
                                         const char* output_dir, const rvc_index_build_config* config,
                                         rvc_index_build_result** out_result) {
  return guarded([&] {
    require(features, "rvc_index_build_from_features", "features");
    require(output_dir, "rvc_index_build_from_features", "output_dir");
    require(out_result, "rvc_index_build_from_features", "out_result");
    if (num_rows <= 0 || dim <= 0) {
      throw rvc::Error(rvc::ErrorCode::kInvalidArgument, "rvc_index_build_from_features: " + std::to_string(num_rows) +
                                                             " rows of " + std::to_string(dim) +
                                                             " floats is no feature matrix; extract features first");
    }
    rvc::index::FeatureMatrix matrix;
    matrix.rows = num_rows;
    matrix.dim = dim;
    matrix.values.assign(features, features + num_rows * dim);
    const rvc::index::IndexBuildConfig build_config = index_build_config(config, "rvc_index_build_from_features");
    *out_result = new rvc_index_build_result{rvc::index::build_index(std::move(matrix), output_dir, build_config)};
  });
}

const char* rvc_index_build_result_added_path(const rvc_index_build_result* result) {
  return result != nullptr ? result->result.added_path.c_str() : nullptr;
}
const char* rvc_index_build_result_trained_path(const rvc_index_build_result* result) {
  return result != nullptr ? result->result.trained_path.c_str() : nullptr;
}
int64_t rvc_index_build_result_input_rows(const rvc_index_build_result* result) {
  return result != nullptr ? result->result.input_rows : 0;
}
int64_t rvc_index_build_result_num_vectors(const rvc_index_build_result* result) {
  return result != nullptr ? result->result.indexed_rows : 0;
}
int64_t rvc_index_build_result_num_lists(const rvc_index_build_result* result) {
  return result != nullptr ? result->result.num_lists : 0;
}
int32_t rvc_index_build_result_reduced(const rvc_index_build_result* result) {
  return result != nullptr && result->result.reduced ? 1 : 0;
}
double rvc_index_build_result_seconds(const rvc_index_build_result* result) {
  return result != nullptr ? result->result.seconds : 0;
}
void rvc_index_build_result_destroy(rvc_index_build_result* result) { delete result; }


void rvc_engine_config_init(rvc_engine_config* config) {
  if (!clear_sized(config)) return;
  config->device = "cpu";
  config->precision = RVC_PRECISION_AUTO;
  config->chunking = RVC_CHUNKING_AUTO;
}

void rvc_convert_params_init(rvc_convert_params* params) {
  if (!clear_sized(params)) return;
  const rvc::pipeline::ConvertOptions defaults;
  params->f0_up_key = defaults.f0_up_key;
  params->f0_method = static_cast<int32_t>(defaults.f0_method);
  params->index_rate = defaults.index_rate;
  params->filter_radius = defaults.filter_radius;
  params->rms_mix_rate = defaults.rms_mix_rate;
  params->protect = defaults.protect;
  params->resample_sr = defaults.resample_sr;
  params->speaker_id = defaults.speaker_id;
  params->noise_scale = defaults.noise_scale;
  params->seed = defaults.seed;
  params->zero_noise = defaults.zero_noise ? 1 : 0;
  params->compat = static_cast<int32_t>(defaults.compat);
}

rvc_status rvc_engine_create(const rvc_engine_config* config, rvc_engine** out_engine) {
  return guarded([&] {
    require(config, "rvc_engine_create", "config");
    require(out_engine, "rvc_engine_create", "out_engine");
    const rvc_engine_config c = effective_config(config, rvc_engine_config_init, "rvc_engine_create");
    if (c.chunking < RVC_CHUNKING_AUTO || c.chunking > RVC_CHUNKING_LOW_MEMORY) {
      throw rvc::Error(rvc::ErrorCode::kInvalidArgument,
                       "rvc_engine_create: chunking " + std::to_string(c.chunking) + " is not an rvc_chunking");
    }
    rvc::pipeline::EngineConfig engine_config;
    engine_config.model_path = optional_string(c.model_path);
    engine_config.index_path = optional_string(c.index_path);
    engine_config.hubert_path = optional_string(c.hubert_path);
    engine_config.rmvpe_path = optional_string(c.rmvpe_path);
    engine_config.fcpe_path = optional_string(c.fcpe_path);
    engine_config.assets_dir = optional_string(c.assets_dir);
    std::tie(engine_config.device, engine_config.precision) =
        device_and_precision(c.device, c.precision, "rvc_engine_create");
    engine_config.chunking = static_cast<rvc::pipeline::ChunkPreset>(c.chunking);
    engine_config.num_threads = c.num_threads;
    engine_config.use_bundled_index = c.no_bundled_index == 0;
    auto engine = std::make_shared<const rvc::pipeline::Engine>(engine_config);
    std::string description = engine_description(engine->info());
    *out_engine = new rvc_engine{std::move(engine), std::move(description)};
  });
}

void rvc_engine_destroy(rvc_engine* engine) { delete engine; }

int32_t rvc_engine_sample_rate_hz(const rvc_engine* engine) {
  return engine != nullptr ? engine->engine->info().sample_rate_hz : 0;
}

int32_t rvc_engine_output_rate_hz(const rvc_engine* engine, const rvc_convert_params* params) {
  if (engine == nullptr) return 0;
  rvc::pipeline::ConvertOptions options;
  if (params != nullptr && params->struct_size >= offsetof(rvc_convert_params, resample_sr) + sizeof(int32_t)) {
    options.resample_sr = params->resample_sr;
  }
  return engine->engine->output_rate_hz(options);
}

int32_t rvc_engine_has_pitch(const rvc_engine* engine) {
  return engine != nullptr && engine->engine->info().model.has_pitch ? 1 : 0;
}

int32_t rvc_engine_num_speakers(const rvc_engine* engine) {
  return engine != nullptr ? engine->engine->info().num_speakers : 0;
}

const char* rvc_engine_description(const rvc_engine* engine) {
  return engine != nullptr ? engine->description.c_str() : "";
}

rvc_status rvc_engine_output_capacity(const rvc_engine* engine, int64_t num_samples, int32_t sample_rate_hz,
                                      const rvc_convert_params* params, int64_t* out_capacity) {
  return guarded([&] {
    require(engine, "rvc_engine_output_capacity", "engine");
    require(out_capacity, "rvc_engine_output_capacity", "out_capacity");
    const rvc::pipeline::ConvertOptions options = convert_options(params, "rvc_engine_output_capacity");
    *out_capacity = engine->engine->output_capacity(num_samples, sample_rate_hz, options);
  });
}

rvc_status rvc_engine_convert(const rvc_engine* engine, const float* samples, int64_t num_samples,
                              int32_t sample_rate_hz, const rvc_convert_params* params, float* out, int64_t capacity,
                              int64_t* out_written) {
  return guarded([&] {
    require(engine, "rvc_engine_convert", "engine");
    require(out_written, "rvc_engine_convert", "out_written");
    if (capacity > 0) require(out, "rvc_engine_convert", "out");
    const rvc::pipeline::ConvertOptions options = convert_options(params, "rvc_engine_convert");
    const rvc::pipeline::ConversionResult result =
        engine->engine->convert(samples, num_samples, sample_rate_hz, options);
    const auto produced = static_cast<int64_t>(result.audio.size());
    if (produced > capacity) {
      *out_written = produced;
      throw rvc::Error(rvc::ErrorCode::kBufferTooSmall,
                       "rvc_engine_convert: the output has " + std::to_string(produced) + " samples but the buffer holds " +
                           std::to_string(capacity) + "; size it with rvc_engine_output_capacity()");
    }
    std::copy(result.audio.begin(), result.audio.end(), out);
    *out_written = produced;
  });
}

rvc_status rvc_engine_convert_file(const rvc_engine* engine, const char* input_path, const char* output_path,
                                   const rvc_convert_params* params, const rvc_audio_write_config* write_config,
                                   rvc_conversion_stats* out_stats) {
  return guarded([&] {
    require(engine, "rvc_engine_convert_file", "engine");
    require(input_path, "rvc_engine_convert_file", "input_path");
    require(output_path, "rvc_engine_convert_file", "output_path");
    const rvc::pipeline::ConvertOptions options = convert_options(params, "rvc_engine_convert_file");
    const rvc::audio::AudioWriteConfig audio_config = audio_write_config(write_config, "rvc_engine_convert_file");
    fill_stats(engine->engine->convert_file(input_path, output_path, options, audio_config), out_stats);
  });
}

}  // extern "C"

namespace {

// Hands a new model's metadata to an optional out-parameter.
void give_model_info(rvc::model::ModelInfo info, rvc_model_info** out_info) {
  if (out_info == nullptr) return;
  auto handle = std::make_unique<rvc_model_info>();
  handle->json = info.to_json();
  handle->info = std::move(info);
  *out_info = handle.release();
}

// Splices pre-rendered JSON values into one object: {"key": json, ...}.
std::string json_object(const std::vector<std::pair<std::string, std::string>>& members) {
  std::string out = "{";
  for (const auto& [key, json] : members) {
    out += (out.size() > 1 ? "," : "") + rvc::io::to_json(rvc::io::Value::string(key)) + ":" + json;
  }
  return out + "}";
}

std::string json_string(const std::string& text) { return rvc::io::to_json(rvc::io::Value::string(text)); }

std::string json_array(const std::vector<std::string>& items) {
  std::string out = "[";
  for (const std::string& item : items) out += (out.size() > 1 ? "," : "") + item;
  return out + "]";
}

}  // namespace

rvc_status rvc_file_inspect(const char* path, rvc_file_report** out_report) {
  return guarded([&] {
    require(path, "rvc_file_inspect", "path");
    require(out_report, "rvc_file_inspect", "out_report");
    *out_report = new rvc_file_report{rvc::model::inspect_file(path)};
  });
}

int32_t rvc_file_report_kind(const rvc_file_report* report) {
  return static_cast<int32_t>(report != nullptr ? report->report.kind : rvc::model::FileKind::kUnknown);
}

const char* rvc_file_report_summary(const rvc_file_report* report) {
  return report != nullptr ? report->report.summary.c_str() : "";
}

const char* rvc_file_report_advice(const rvc_file_report* report) {
  return report != nullptr ? report->report.advice.c_str() : "";
}

const char* rvc_file_report_json(const rvc_file_report* report) {
  return report != nullptr ? report->report.json.c_str() : "{}";
}

void rvc_file_report_destroy(rvc_file_report* report) { delete report; }

rvc_status rvc_model_set_info(const char* path, const char* info, const char* output_path, rvc_model_info** out_info) {
  return guarded([&] {
    require(path, "rvc_model_set_info", "path");
    require(info, "rvc_model_set_info", "info");
    give_model_info(rvc::model::set_model_info(path, info, optional_string(output_path)), out_info);
  });
}

void rvc_model_extract_config_init(rvc_model_extract_config* config) {
  if (!clear_sized(config)) return;
  config->has_pitch = -1;
}

rvc_status rvc_model_extract(const char* checkpoint_path, const char* output_path,
                             const rvc_model_extract_config* config, rvc_model_info** out_info) {
  return guarded([&] {
    require(checkpoint_path, "rvc_model_extract", "checkpoint_path");
    require(output_path, "rvc_model_extract", "output_path");
    const rvc_model_extract_config c = effective_config(config, rvc_model_extract_config_init, "rvc_model_extract");
    rvc::model::ExtractConfig extract;
    extract.sample_rate_tag = optional_string(c.sample_rate);
    extract.has_pitch = c.has_pitch;
    extract.version = optional_string(c.version);
    extract.info = optional_string(c.info);
    give_model_info(rvc::model::extract_voice_model(checkpoint_path, output_path, extract), out_info);
  });
}

void rvc_model_merge_config_init(rvc_model_merge_config* config) {
  if (!clear_sized(config)) return;
  config->alpha = rvc::model::MergeConfig{}.alpha;
  config->has_pitch = -1;
}

rvc_status rvc_model_merge(const char* model_a, const char* model_b, const char* output_path,
                           const rvc_model_merge_config* config, rvc_model_info** out_info) {
  return guarded([&] {
    require(model_a, "rvc_model_merge", "model_a");
    require(model_b, "rvc_model_merge", "model_b");
    require(output_path, "rvc_model_merge", "output_path");
    const rvc_model_merge_config c = effective_config(config, rvc_model_merge_config_init, "rvc_model_merge");
    rvc::model::MergeConfig merge;
    merge.alpha = c.alpha;
    merge.info = optional_string(c.info);
    merge.sample_rate_tag = optional_string(c.sample_rate);
    merge.has_pitch = c.has_pitch;
    merge.version = optional_string(c.version);
    give_model_info(rvc::model::merge_voice_models(model_a, model_b, output_path, merge), out_info);
  });
}

void rvc_bundle_config_init(rvc_bundle_config* config) {
  if (!clear_sized(config)) return;
}

rvc_status rvc_bundle_create(const char* model_path, const char* output_path, const rvc_bundle_config* config,
                             rvc_file_report** out_report) {
  return guarded([&] {
    require(model_path, "rvc_bundle_create", "model_path");
    require(output_path, "rvc_bundle_create", "output_path");
    const rvc_bundle_config c = effective_config(config, rvc_bundle_config_init, "rvc_bundle_create");
    rvc::model::BundleConfig bundle;
    bundle.index_path = optional_string(c.index_path);
    bundle.name = optional_string(c.name);
    rvc::model::write_voice_bundle(model_path, output_path, bundle);
    if (out_report != nullptr) *out_report = new rvc_file_report{rvc::model::inspect_file(output_path)};
  });
}

rvc_status rvc_bundle_unpack(const char* bundle_path, const char* output_dir, int32_t overwrite,
                             rvc_bundle_files** out_files) {
  return guarded([&] {
    require(bundle_path, "rvc_bundle_unpack", "bundle_path");
    rvc::model::UnpackedBundle unpacked =
        rvc::model::unpack_voice_bundle(bundle_path, optional_string(output_dir), overwrite != 0);
    if (out_files != nullptr) {
      std::string manifest = unpacked.manifest.to_json();
      *out_files = new rvc_bundle_files{std::move(unpacked), std::move(manifest)};
    }
  });
}

const char* rvc_bundle_files_model_path(const rvc_bundle_files* files) {
  return files != nullptr ? files->files.model_path.c_str() : "";
}

const char* rvc_bundle_files_index_path(const rvc_bundle_files* files) {
  return files != nullptr ? files->files.index_path.c_str() : "";
}

const char* rvc_bundle_files_manifest_json(const rvc_bundle_files* files) {
  return files != nullptr ? files->manifest_json.c_str() : "{}";
}

void rvc_bundle_files_destroy(rvc_bundle_files* files) { delete files; }

rvc_status rvc_model_list_find(const char* folder, rvc_model_list** out_list) {
  return guarded([&] {
    require(folder, "rvc_model_list_find", "folder");
    require(out_list, "rvc_model_list_find", "out_list");
    auto list = std::make_unique<rvc_model_list>();
    list->listings = rvc::model::list_voice_models(folder, &list->skipped);
    std::vector<std::string> models;
    for (const rvc::model::ModelListing& listing : list->listings) {
      list->infos.push_back(rvc_model_info{listing.info, listing.info.to_json()});
      models.push_back(json_object({{"path", json_string(listing.path)},
                                    {"name", json_string(listing.name)},
                                    {"bundle", listing.is_bundle ? "true" : "false"},
                                    {"index", json_string(listing.index_path)},
                                    {"model", list->infos.back().json}}));
    }
    std::vector<std::string> skipped;
    for (const std::string& line : list->skipped) skipped.push_back(json_string(line));
    list->json = json_object({{"models", json_array(models)}, {"skipped", json_array(skipped)}});
    *out_list = list.release();
  });
}

namespace {

bool in_list(const rvc_model_list* list, int64_t i) {
  return list != nullptr && i >= 0 && i < static_cast<int64_t>(list->listings.size());
}

}  // namespace

int64_t rvc_model_list_size(const rvc_model_list* list) {
  return list != nullptr ? static_cast<int64_t>(list->listings.size()) : 0;
}

const char* rvc_model_list_path(const rvc_model_list* list, int64_t i) {
  return in_list(list, i) ? list->listings[static_cast<std::size_t>(i)].path.c_str() : "";
}

const char* rvc_model_list_index_path(const rvc_model_list* list, int64_t i) {
  return in_list(list, i) ? list->listings[static_cast<std::size_t>(i)].index_path.c_str() : "";
}

int32_t rvc_model_list_is_bundle(const rvc_model_list* list, int64_t i) {
  return in_list(list, i) && list->listings[static_cast<std::size_t>(i)].is_bundle ? 1 : 0;
}

const rvc_model_info* rvc_model_list_info(const rvc_model_list* list, int64_t i) {
  return in_list(list, i) ? &list->infos[static_cast<std::size_t>(i)] : nullptr;
}

int64_t rvc_model_list_skipped_size(const rvc_model_list* list) {
  return list != nullptr ? static_cast<int64_t>(list->skipped.size()) : 0;
}

const char* rvc_model_list_skipped(const rvc_model_list* list, int64_t i) {
  if (list == nullptr || i < 0 || i >= static_cast<int64_t>(list->skipped.size())) return "";
  return list->skipped[static_cast<std::size_t>(i)].c_str();
}

const char* rvc_model_list_json(const rvc_model_list* list) { return list != nullptr ? list->json.c_str() : "{}"; }

void rvc_model_list_destroy(rvc_model_list* list) { delete list; }
