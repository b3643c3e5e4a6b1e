/// @file rvc.hpp
/// @brief Header-only C++ RAII wrapper over the C ABI (rvc.h): handles that free themselves and
/// failures thrown as rvc::capi::Error. Needs only librvc at link time.
#pragma once

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "rvc/rvc.h"

namespace rvc::capi {

/// A failed C call: its status and rvc_last_error_message().
class Error : public std::runtime_error {
 public:
  /// Wraps `status` with `message`.
  Error(rvc_status status, const std::string& message) : std::runtime_error(message), status_(status) {}
  /// The C status code.
  rvc_status status() const noexcept { return status_; }

 private:
  rvc_status status_;
};

/// Throws Error when `status` is not RVC_OK.
inline void check(rvc_status status) {
  if (status != RVC_OK) throw Error(status, rvc_last_error_message());
}

/// The library version, "MAJOR.MINOR.PATCH".
inline std::string version() { return rvc_version_string(); }

/// Decoded mono audio.
class Audio {
 public:
  /// Reads `path`, resampled to `sample_rate_hz` (0 keeps the file's rate).
  static Audio load(const std::string& path, int32_t sample_rate_hz = 0) {
    rvc_audio* handle = nullptr;
    check(rvc_audio_load(path.c_str(), sample_rate_hz, &handle));
    return Audio(handle);
  }
  /// The samples, valid while this object lives.
  const float* data() const { return rvc_audio_samples(handle_.get()); }
  /// Number of samples.
  int64_t size() const { return rvc_audio_num_samples(handle_.get()); }
  /// Sample rate in Hz.
  int32_t sample_rate_hz() const { return rvc_audio_sample_rate_hz(handle_.get()); }
  /// Releases ownership of the C handle to the caller.
  rvc_audio* release() { return handle_.release(); }
  /// Takes ownership of a handle the C API returned.
  static Audio adopt(rvc_audio* handle) { return Audio(handle); }

 private:
  struct Deleter {
    void operator()(rvc_audio* audio) const { rvc_audio_destroy(audio); }
  };
  explicit Audio(rvc_audio* handle) : handle_(handle) {}
  std::unique_ptr<rvc_audio, Deleter> handle_;
};

/// Writes mono samples (.wav, .flac or .ogg by extension) atomically.
inline void write_audio(const std::string& path, const float* samples, int64_t num_samples,
                        int32_t sample_rate_hz, int32_t encoding = RVC_AUDIO_ENCODING_AUTO) {
  rvc_audio_write_config config;
  rvc_audio_write_config_init(&config);
  config.encoding = encoding;
  check(rvc_audio_write(path.c_str(), samples, num_samples, sample_rate_hz, &config));
}

/// A loaded torch.save file; its values are borrowed `const rvc_value*` pointers.
class Checkpoint {
 public:
  /// Reads `path`.
  static Checkpoint load(const std::string& path) {
    rvc_checkpoint* handle = nullptr;
    check(rvc_checkpoint_load(path.c_str(), &handle));
    return Checkpoint(handle);
  }
  /// The top-level value, valid while this object lives.
  const rvc_value* root() const { return rvc_checkpoint_root(handle_.get()); }

 private:
  struct Deleter {
    void operator()(rvc_checkpoint* checkpoint) const { rvc_checkpoint_destroy(checkpoint); }
  };
  explicit Checkpoint(rvc_checkpoint* handle) : handle_(handle) {}
  std::unique_ptr<rvc_checkpoint, Deleter> handle_;
};

/// Metadata of a voice model file.
class ModelInfo {
 public:
  /// Reads `path` (a weights/*.pth voice model).
  static ModelInfo load(const std::string& path) {
    rvc_model_info* handle = nullptr;
    check(rvc_model_info_load(path.c_str(), &handle));
    return ModelInfo(handle);
  }
  /// "v1" or "v2".
  std::string version() const { return rvc_model_info_version(handle_.get()); }
  /// Output rate in Hz.
  int32_t sample_rate_hz() const { return rvc_model_info_sample_rate_hz(handle_.get()); }
  /// True for pitch-guided models.
  bool has_pitch() const { return rvc_model_info_has_pitch(handle_.get()) != 0; }
  /// The free-text info.
  std::string text() const { return rvc_model_info_text(handle_.get()); }
  /// Everything as a JSON object.
  std::string json() const { return rvc_model_info_json(handle_.get()); }
  /// Takes ownership of a handle a model tool returned.
  static ModelInfo adopt(rvc_model_info* handle) { return ModelInfo(handle); }

 private:
  struct Deleter {
    void operator()(rvc_model_info* info) const { rvc_model_info_destroy(info); }
  };
  explicit ModelInfo(rvc_model_info* handle) : handle_(handle) {}
  std::unique_ptr<rvc_model_info, Deleter> handle_;
};

/// What a file is and what to do with it (see rvc_file_inspect).
class FileReport {
 public:
  /// Inspects `path`.
  static FileReport inspect(const std::string& path) {
    rvc_file_report* handle = nullptr;
    check(rvc_file_inspect(path.c_str(), &handle));
    return FileReport(handle);
  }
  /// An rvc_file_kind.
  int32_t kind() const { return rvc_file_report_kind(handle_.get()); }
  /// "field: value" lines.
  std::string summary() const { return rvc_file_report_summary(handle_.get()); }
  /// What to do with the file.
  std::string advice() const { return rvc_file_report_advice(handle_.get()); }
  /// The facts as JSON.
  std::string json() const { return rvc_file_report_json(handle_.get()); }

 private:
  struct Deleter {
    void operator()(rvc_file_report* report) const { rvc_file_report_destroy(report); }
  };
  explicit FileReport(rvc_file_report* handle) : handle_(handle) {}
  std::unique_ptr<rvc_file_report, Deleter> handle_;
};

/// Sets a model's or bundle's info text (rvc_model_set_info); `output_path` "" rewrites in place.
inline ModelInfo set_model_info(const std::string& path, const std::string& info, const std::string& output_path = "") {
  rvc_model_info* handle = nullptr;
  check(rvc_model_set_info(path.c_str(), info.c_str(), output_path.c_str(), &handle));
  return ModelInfo::adopt(handle);
}

/// Extracts a voice model from a G_*.pth (rvc_model_extract); `config` may be null.
inline ModelInfo extract_model(const std::string& checkpoint_path, const std::string& output_path,
                               const rvc_model_extract_config* config = nullptr) {
  rvc_model_info* handle = nullptr;
  check(rvc_model_extract(checkpoint_path.c_str(), output_path.c_str(), config, &handle));
  return ModelInfo::adopt(handle);
}

/// Merges two models (rvc_model_merge); `config` may be null.
inline ModelInfo merge_models(const std::string& model_a, const std::string& model_b, const std::string& output_path,
                              const rvc_model_merge_config* config = nullptr) {
  rvc_model_info* handle = nullptr;
  check(rvc_model_merge(model_a.c_str(), model_b.c_str(), output_path.c_str(), config, &handle));
  return ModelInfo::adopt(handle);
}

/// Writes a voice bundle (rvc_bundle_create); returns the new bundle's report.
inline FileReport create_bundle(const std::string& model_path, const std::string& output_path,
                                const rvc_bundle_config* config = nullptr) {
  check(rvc_bundle_create(model_path.c_str(), output_path.c_str(), config, nullptr));
  return FileReport::inspect(output_path);
}

/// The files a bundle was unpacked into (see rvc_bundle_unpack).
class BundleFiles {
 public:
  /// Unpacks `bundle_path` into `output_dir`; existing files are replaced only when `overwrite`.
  static BundleFiles unpack(const std::string& bundle_path, const std::string& output_dir, bool overwrite) {
    rvc_bundle_files* handle = nullptr;
    check(rvc_bundle_unpack(bundle_path.c_str(), output_dir.c_str(), overwrite ? 1 : 0, &handle));
    return BundleFiles(handle);
  }
  /// The voice model written.
  std::string model_path() const { return rvc_bundle_files_model_path(handle_.get()); }
  /// The index written, or "".
  std::string index_path() const { return rvc_bundle_files_index_path(handle_.get()); }
  /// The manifest as JSON.
  std::string manifest_json() const { return rvc_bundle_files_manifest_json(handle_.get()); }

 private:
  struct Deleter {
    void operator()(rvc_bundle_files* files) const { rvc_bundle_files_destroy(files); }
  };
  explicit BundleFiles(rvc_bundle_files* handle) : handle_(handle) {}
  std::unique_ptr<rvc_bundle_files, Deleter> handle_;
};

/// The voice models under a folder (see rvc_model_list_find).
class ModelList {
 public:
  /// Searches `folder` recursively.
  static ModelList find(const std::string& folder) {
    rvc_model_list* handle = nullptr;
    check(rvc_model_list_find(folder.c_str(), &handle));
    return ModelList(handle);
  }
  /// Models found.
  int64_t size() const { return rvc_model_list_size(handle_.get()); }
  /// Path of model `i`.
  std::string path(int64_t i) const { return rvc_model_list_path(handle_.get(), i); }
  /// Its index, or "".
  std::string index_path(int64_t i) const { return rvc_model_list_index_path(handle_.get(), i); }
  /// True for a bundle.
  bool is_bundle(int64_t i) const { return rvc_model_list_is_bundle(handle_.get(), i) != 0; }
  /// "v1" or "v2".
  std::string version(int64_t i) const { return rvc_model_info_version(rvc_model_list_info(handle_.get(), i)); }
  /// Output rate in Hz.
  int32_t sample_rate_hz(int64_t i) const {
    return rvc_model_info_sample_rate_hz(rvc_model_list_info(handle_.get(), i));
  }
  /// True for pitch-guided models.
  bool has_pitch(int64_t i) const { return rvc_model_info_has_pitch(rvc_model_list_info(handle_.get(), i)) != 0; }
  /// The model's info text.
  std::string text(int64_t i) const { return rvc_model_info_text(rvc_model_list_info(handle_.get(), i)); }
  /// Files skipped (not voice models), "`<path>:` what it is".
  std::vector<std::string> skipped() const {
    std::vector<std::string> lines;
    for (int64_t i = 0; i < rvc_model_list_skipped_size(handle_.get()); ++i) {
      lines.emplace_back(rvc_model_list_skipped(handle_.get(), i));
    }
    return lines;
  }
  /// Everything as JSON.
  std::string json() const { return rvc_model_list_json(handle_.get()); }

 private:
  struct Deleter {
    void operator()(rvc_model_list* list) const { rvc_model_list_destroy(list); }
  };
  explicit ModelList(rvc_model_list* handle) : handle_(handle) {}
  std::unique_ptr<rvc_model_list, Deleter> handle_;
};

/// A loaded voice model (see rvc_synthesizer_create).
class Synthesizer {
 public:
  /// Loads `path` on `device` ("cpu", "cuda:N") at `precision` (an rvc_precision).
  explicit Synthesizer(const std::string& path, const std::string& device = "cpu",
                       int32_t precision = RVC_PRECISION_AUTO) {
    rvc_synthesizer_config config;
    rvc_synthesizer_config_init(&config);
    config.device = device.c_str();
    config.precision = precision;
    rvc_synthesizer* handle = nullptr;
    check(rvc_synthesizer_create(path.c_str(), &config, &handle));
    handle_.reset(handle);
  }
  /// Output rate in Hz.
  int32_t sample_rate_hz() const { return rvc_synthesizer_sample_rate_hz(handle_.get()); }
  /// Output samples per frame.
  int32_t hop_samples() const { return rvc_synthesizer_hop_samples(handle_.get()); }
  /// 256 (v1) or 768 (v2).
  int32_t feature_dim() const { return rvc_synthesizer_feature_dim(handle_.get()); }
  /// True for pitch models.
  bool has_pitch() const { return rvc_synthesizer_has_pitch(handle_.get()) != 0; }
  /// Number of speakers.
  int32_t num_speakers() const { return rvc_synthesizer_num_speakers(handle_.get()); }
  /// Synthesizes; see rvc_synthesizer_infer. `options` may be null for defaults.
  Audio infer(const float* features, int64_t frames, int64_t feature_dim, const int64_t* pitch,
              const float* pitch_hz, const rvc_synthesis_options* options = nullptr) const {
    rvc_audio* audio = nullptr;
    check(rvc_synthesizer_infer(handle_.get(), features, frames, feature_dim, pitch, pitch_hz, options, &audio));
    return Audio::adopt(audio);
  }

 private:
  struct Deleter {
    void operator()(rvc_synthesizer* synthesizer) const { rvc_synthesizer_destroy(synthesizer); }
  };
  std::unique_ptr<rvc_synthesizer, Deleter> handle_;
};

/// Content features (RAII over rvc_features).
class Features {
 public:
  /// frames × dim floats, row-major, valid while this object lives.
  const float* data() const { return rvc_features_data(handle_.get()); }
  /// Number of frames.
  int64_t num_frames() const { return rvc_features_num_frames(handle_.get()); }
  /// Floats per frame.
  int32_t dim() const { return rvc_features_dim(handle_.get()); }
  /// Releases ownership of the C handle to the caller.
  rvc_features* release() { return handle_.release(); }
  /// Takes ownership of a handle the C API returned.
  static Features adopt(rvc_features* handle) { return Features(handle); }

 private:
  struct Deleter {
    void operator()(rvc_features* features) const { rvc_features_destroy(features); }
  };
  explicit Features(rvc_features* handle) : handle_(handle) {}
  std::unique_ptr<rvc_features, Deleter> handle_;
};

/// A content encoder (RAII over rvc_content_encoder).
class ContentEncoder {
 public:
  /// Loads `path` on `device` ("cpu", "cuda:N") at `precision` (an rvc_precision).
  explicit ContentEncoder(const std::string& path, const std::string& device = "cpu",
                          int32_t precision = RVC_PRECISION_AUTO) {
    rvc_content_encoder_config config;
    rvc_content_encoder_config_init(&config);
    config.device = device.c_str();
    config.precision = precision;
    rvc_content_encoder* handle = nullptr;
    check(rvc_content_encoder_create(path.c_str(), &config, &handle));
    handle_.reset(handle);
  }
  /// Feature width for "v1" or "v2".
  int32_t feature_dim(const std::string& version) const {
    return rvc_content_encoder_feature_dim(handle_.get(), version.c_str());
  }
  /// Extracts features; see rvc_content_encoder_extract.
  Features extract(const float* samples, int64_t num_samples, int32_t sample_rate_hz,
                   const std::string& version) const {
    rvc_features* features = nullptr;
    check(rvc_content_encoder_extract(handle_.get(), samples, num_samples, sample_rate_hz, version.c_str(), &features));
    return Features::adopt(features);
  }

 private:
  struct Deleter {
    void operator()(rvc_content_encoder* encoder) const { rvc_content_encoder_destroy(encoder); }
  };
  std::unique_ptr<rvc_content_encoder, Deleter> handle_;
};

/// A pitch track (RAII over rvc_f0_track).
class F0Track {
 public:
  /// Number of frames (100 per second).
  int64_t num_frames() const { return rvc_f0_track_num_frames(handle_.get()); }
  /// f0 per frame in Hz, 0 = unvoiced; valid while this object lives.
  const double* hz() const { return rvc_f0_track_hz(handle_.get()); }
  /// Confidence per frame, or nullptr when the method has none.
  const float* confidence() const { return rvc_f0_track_confidence(handle_.get()); }
  /// Takes ownership of a handle the C API returned.
  static F0Track adopt(rvc_f0_track* handle) { return F0Track(handle); }

 private:
  struct Deleter {
    void operator()(rvc_f0_track* track) const { rvc_f0_track_destroy(track); }
  };
  explicit F0Track(rvc_f0_track* handle) : handle_(handle) {}
  std::unique_ptr<rvc_f0_track, Deleter> handle_;
};

/// An f0 estimator (RAII over rvc_f0_estimator).
class F0Estimator {
 public:
  /// Creates the estimator for `method` (RVC's name: "rmvpe", "fcpe", "pm", ...). `model_path` is
  /// the network's file for rmvpe and fcpe; a negative `voicing_threshold` keeps RVC's.
  F0Estimator(const std::string& method, const std::string& model_path = "", const std::string& device = "cpu",
              int32_t precision = RVC_PRECISION_AUTO, double voicing_threshold = -1) {
    int32_t method_id = 0;
    check(rvc_f0_method_from_name(method.c_str(), &method_id));
    rvc_f0_estimator_config config;
    rvc_f0_estimator_config_init(&config);
    config.model_path = model_path.empty() ? nullptr : model_path.c_str();
    config.device = device.c_str();
    config.precision = precision;
    config.voicing_threshold = voicing_threshold;
    rvc_f0_estimator* handle = nullptr;
    check(rvc_f0_estimator_create(method_id, &config, &handle));
    handle_.reset(handle);
  }
  /// Estimates f0; see rvc_f0_estimator_estimate.
  F0Track estimate(const float* samples, int64_t num_samples, int32_t sample_rate_hz) const {
    rvc_f0_track* track = nullptr;
    check(rvc_f0_estimator_estimate(handle_.get(), samples, num_samples, sample_rate_hz, &track));
    return F0Track::adopt(track);
  }

 private:
  struct Deleter {
    void operator()(rvc_f0_estimator* estimator) const { rvc_f0_estimator_destroy(estimator); }
  };
  std::unique_ptr<rvc_f0_estimator, Deleter> handle_;
};

/// What an index build wrote (RAII over rvc_index_build_result).
class IndexBuildResult {
 public:
  /// The `added_…index` file to convert with.
  std::string added_path() const { return rvc_index_build_result_added_path(handle_.get()); }
  /// The `trained_…index` file (no vectors).
  std::string trained_path() const { return rvc_index_build_result_trained_path(handle_.get()); }
  /// Feature rows given.
  int64_t input_rows() const { return rvc_index_build_result_input_rows(handle_.get()); }
  /// Vectors in the index.
  int64_t num_vectors() const { return rvc_index_build_result_num_vectors(handle_.get()); }
  /// Inverted lists.
  int64_t num_lists() const { return rvc_index_build_result_num_lists(handle_.get()); }
  /// True when k-means reduced the rows.
  bool reduced() const { return rvc_index_build_result_reduced(handle_.get()) != 0; }
  /// Wall time in seconds.
  double seconds() const { return rvc_index_build_result_seconds(handle_.get()); }
  /// Takes ownership of a handle the C API returned.
  static IndexBuildResult adopt(rvc_index_build_result* handle) { return IndexBuildResult(handle); }

 private:
  struct Deleter {
    void operator()(rvc_index_build_result* result) const { rvc_index_build_result_destroy(result); }
  };
  explicit IndexBuildResult(rvc_index_build_result* handle) : handle_(handle) {}
  std::unique_ptr<rvc_index_build_result, Deleter> handle_;
};

/// A retrieval index (RAII over rvc_index).
class Index {
 public:
  /// Loads `path`; `expected_dim` (256 or 768) refuses an index of another width, 0 takes any;
  /// `nprobe` 0 keeps the file's.
  explicit Index(const std::string& path, int32_t expected_dim = 0, int32_t nprobe = 0) {
    rvc_index_config config;
    rvc_index_config_init(&config);
    config.expected_dim = expected_dim;
    config.nprobe = nprobe;
    rvc_index* handle = nullptr;
    check(rvc_index_load(path.c_str(), &config, &handle));
    handle_.reset(handle);
  }
  /// Feature width.
  int32_t dim() const { return rvc_index_dim(handle_.get()); }
  /// Vectors stored.
  int64_t num_vectors() const { return rvc_index_num_vectors(handle_.get()); }
  /// Inverted lists.
  int64_t num_lists() const { return rvc_index_num_lists(handle_.get()); }
  /// Lists scanned per query.
  int32_t nprobe() const { return rvc_index_nprobe(handle_.get()); }
  /// The structure ("IVF256,Flat").
  std::string description() const { return rvc_index_description(handle_.get()); }
  /// The stored vectors, num_vectors × dim, valid while this object lives.
  const float* vectors() const { return rvc_index_vectors(handle_.get()); }
  /// Nearest neighbours into caller buffers of num_queries × k; see rvc_index_search.
  void search(const float* queries, int64_t num_queries, int32_t dim, int32_t k, float* distances,
              int64_t* ids) const {
    check(rvc_index_search(handle_.get(), queries, num_queries, dim, k, distances, ids));
  }
  /// RVC's blend into `out` (may be `features`); see rvc_index_blend.
  void blend(const float* features, int64_t num_frames, int32_t dim, float index_rate, float* out,
             int32_t k = 8) const {
    check(rvc_index_blend(handle_.get(), features, num_frames, dim, index_rate, k, out));
  }

  /// Builds an index from features on disk; see rvc_index_build. `output_dir` "" writes into the
  /// experiment folder.
  static IndexBuildResult build(const std::string& features_path, const std::string& output_dir = "",
                                const rvc_index_build_config* config = nullptr) {
    rvc_index_build_result* result = nullptr;
    check(rvc_index_build(features_path.c_str(), output_dir.empty() ? nullptr : output_dir.c_str(), config, &result));
    return IndexBuildResult::adopt(result);
  }
  /// Builds an index from a matrix in memory; see rvc_index_build_from_features.
  static IndexBuildResult build(const float* features, int64_t num_rows, int32_t dim, const std::string& output_dir,
                                const rvc_index_build_config* config = nullptr) {
    rvc_index_build_result* result = nullptr;
    check(rvc_index_build_from_features(features, num_rows, dim, output_dir.c_str(), config, &result));
    return IndexBuildResult::adopt(result);
  }

 private:
  struct Deleter {
    void operator()(rvc_index* index) const { rvc_index_destroy(index); }
  };
  std::unique_ptr<rvc_index, Deleter> handle_;
};

/// Parameters of one conversion: rvc_convert_params with RVC's defaults filled in.
struct ConvertParams : rvc_convert_params {
  ConvertParams() : rvc_convert_params() { rvc_convert_params_init(this); }
};

/// Timings and sizes of one conversion.
struct ConversionStats : rvc_conversion_stats {
  ConversionStats() : rvc_conversion_stats() { struct_size = sizeof(rvc_conversion_stats); }
};

/// A voice-conversion engine (RAII over rvc_engine). Read-only after creation: share it between threads.
class Engine {
 public:
  /// Loads what `config` names; see rvc_engine_create.
  explicit Engine(const rvc_engine_config& config) {
    rvc_engine* handle = nullptr;
    check(rvc_engine_create(&config, &handle));
    handle_.reset(handle);
  }
  /// The voice model's rate.
  int32_t sample_rate_hz() const { return rvc_engine_sample_rate_hz(handle_.get()); }
  /// The rate a conversion with `params` returns.
  int32_t output_rate_hz(const rvc_convert_params& params) const {
    return rvc_engine_output_rate_hz(handle_.get(), &params);
  }
  /// 1 when the model is pitch-guided.
  bool has_pitch() const { return rvc_engine_has_pitch(handle_.get()) != 0; }
  /// Speakers of the model.
  int32_t num_speakers() const { return rvc_engine_num_speakers(handle_.get()); }
  /// What was loaded, one `name: value` line each.
  std::string description() const { return rvc_engine_description(handle_.get()); }

  /// Converts a buffer; returns the output at output_rate_hz(params).
  std::vector<float> convert(const float* samples, int64_t num_samples, int32_t sample_rate_hz,
                             const rvc_convert_params& params) const {
    int64_t capacity = 0;
    check(rvc_engine_output_capacity(handle_.get(), num_samples, sample_rate_hz, &params, &capacity));
    std::vector<float> out(static_cast<std::size_t>(capacity));
    int64_t written = 0;
    check(rvc_engine_convert(handle_.get(), samples, num_samples, sample_rate_hz, &params, out.data(), capacity,
                             &written));
    out.resize(static_cast<std::size_t>(written));
    return out;
  }
  /// Converts a file into another; see rvc_engine_convert_file.
  ConversionStats convert_file(const std::string& input, const std::string& output, const rvc_convert_params& params,
                               int32_t encoding = RVC_AUDIO_ENCODING_AUTO) const {
    rvc_audio_write_config write_config;
    rvc_audio_write_config_init(&write_config);
    write_config.encoding = encoding;
    ConversionStats stats;
    check(rvc_engine_convert_file(handle_.get(), input.c_str(), output.c_str(), &params, &write_config, &stats));
    return stats;
  }

 private:
  struct Deleter {
    void operator()(rvc_engine* engine) const { rvc_engine_destroy(engine); }
  };
  std::unique_ptr<rvc_engine, Deleter> handle_;
};

}  // namespace rvc::capi
