#include "rvc/pipeline/engine.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <optional>

#include "audio/input_check.hpp"
#include "backend/process_resources.hpp"
#include "dsp/iir_filter.hpp"
#include "io/file_util.hpp"
#include "model/voice_bundle_reader.hpp"
#include "pipeline/offline_steps.hpp"
#include "rvc/audio/resample.hpp"
#include "rvc/error.hpp"
#include "rvc/features/content_encoder.hpp"
#include "rvc/index/feature_index.hpp"
#include "rvc/synth/synthesizer.hpp"

namespace rvc::pipeline {
namespace {

constexpr int kRate16k = f0::kF0SampleRateHz;
constexpr std::int64_t kHop = f0::kHopSamples16k;
constexpr std::int64_t kMinInputSamples = kRate16k / 10;  // 0.1 s
constexpr double kHighPassHz = 48;
constexpr int kHighPassOrder = 5;
constexpr std::array<f0::F0Method, 5> kAllMethods = {f0::F0Method::kPm, f0::F0Method::kHarvest,
                                                     f0::F0Method::kDio, f0::F0Method::kRmvpe,
                                                     f0::F0Method::kFcpe};

using Clock = std::chrono::steady_clock;

double milliseconds_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

std::string join_path(const std::string& folder, const std::string& name) {
  return (std::filesystem::u8path(folder) / std::filesystem::u8path(name)).u8string();
}

std::string assets_root(const EngineConfig& config) {
  if (!config.assets_dir.empty()) return config.assets_dir;
  const char* from_environment = std::getenv("RVC_ASSETS");
  if (from_environment != nullptr && *from_environment != '\0') return from_environment;
  return "assets";
}

// RVC replaces "trained" by "added" in the index path, so users who picked the trained_ file
// still convert with retrieval; do the same when that file exists.
std::string resolve_index_path(const std::string& path) {
  const std::filesystem::path given = std::filesystem::u8path(path);
  std::string name = given.filename().u8string();
  const std::size_t at = name.find("trained");
  if (at == std::string::npos) return path;
  name.replace(at, 7, "added");
  const std::string added = (given.parent_path() / std::filesystem::u8path(name)).u8string();
  return io::path_exists(added) ? added : path;
}

// The index to load: the one given, else the one inside a bundle given as the model.
std::string chosen_index_path(const EngineConfig& config) {
  if (!config.index_path.empty() || !config.use_bundled_index) return config.index_path;
  if (!model::is_voice_bundle(config.model_path)) return "";
  return model::VoiceBundleReader(config.model_path).manifest().has_index() ? config.model_path : "";
}

Precision resolved_precision(const EngineConfig& config) {
  if (config.precision != Precision::kAuto) return config.precision;
  return config.device.rfind("cuda", 0) == 0 ? Precision::kFloat16 : Precision::kFloat32;
}

void report(const ConvertOptions& options, const char* stage, double fraction) {
  if (options.progress && !options.progress(stage, fraction)) {
    throw Error(ErrorCode::kCancelled, std::string("conversion cancelled by the progress callback during '") +
                                           stage + "'; nothing was written");
  }
}

}  // namespace

void EngineConfig::validate() const {
  if (model_path.empty()) {
    throw Error(ErrorCode::kInvalidArgument, "EngineConfig.model_path is empty: pass the voice model (weights/<name>.pth)");
  }
  synth::SynthesizerConfig{device, precision}.validate();
  if (num_threads < 0) throw Error(ErrorCode::kInvalidArgument, "EngineConfig.num_threads must be >= 0 (0: every core)");
}

void ConvertOptions::validate() const {
  auto check_range = [](double value, double low, double high, const char* name) {
    if (!(value >= low && value <= high)) {
      throw Error(ErrorCode::kInvalidArgument, std::string(name) + " must be in [" + std::to_string(low) + ", " +
                                                   std::to_string(high) + "], got " + std::to_string(value));
    }
  };
  if (!std::isfinite(f0_up_key)) throw Error(ErrorCode::kInvalidArgument, "f0_up_key must be a finite number");
  check_range(index_rate, 0, 1, "index_rate");
  check_range(rms_mix_rate, 0, 1, "rms_mix_rate");
  check_range(protect, 0, 0.5, "protect");
  check_range(filter_radius, 0, 7, "filter_radius");
  if (resample_sr < 0) throw Error(ErrorCode::kInvalidArgument, "resample_sr must be 0 (off) or a rate in Hz");
  if (speaker_id < 0) throw Error(ErrorCode::kInvalidArgument, "speaker_id must be >= 0");
  if (!(noise_scale >= 0) || !std::isfinite(noise_scale)) {
    throw Error(ErrorCode::kInvalidArgument, "noise_scale must be a finite number >= 0");
  }
}

struct Engine::Impl {
  EngineInfo info;
  ChunkSamples geometry;
  std::optional<synth::Synthesizer> synthesizer;
  std::optional<features::ContentEncoder> encoder;
  std::optional<index::FeatureIndex> index;
  std::array<std::unique_ptr<f0::Estimator>, kAllMethods.size()> estimators;
  std::array<std::string, kAllMethods.size()> looked_for;  // where a missing network was searched

  const f0::Estimator& estimator(f0::F0Method method) const {
    const auto slot = static_cast<std::size_t>(method);
    if (estimators[slot] == nullptr) {
      throw Error(ErrorCode::kInvalidArgument,
                  std::string("f0 method '") + f0::f0_method_name(method) + "' needs its network, which was not found at '" +
                      looked_for[slot] + "': pass its path (--" + f0::f0_method_name(method) +
                      " PATH, EngineConfig." + f0::f0_method_name(method) +
                      "_path) or choose another method (pm, harvest, dio need no file)");
    }
    return *estimators[slot];
  }

  void load_network_estimator(f0::F0Method method, const std::string& explicit_path, const std::string& default_path,
                              const f0::EstimatorConfig& base) {
    const auto slot = static_cast<std::size_t>(method);
    const std::string& path = explicit_path.empty() ? default_path : explicit_path;
    looked_for[slot] = path;
    if (explicit_path.empty() && !io::path_exists(path)) return;  // optional default asset
    f0::EstimatorConfig config = base;
    config.model_path = path;
    estimators[slot] = f0::make_f0_estimator(method, config);
  }

  std::vector<float> convert_chunk(const std::vector<float>& padded, const ChunkSpan& chunk, const f0::Pitch& pitch,
                                   const ConvertOptions& options, ConversionResult& timings) const;
};

Engine::Engine(const EngineConfig& config) : impl_(std::make_unique<Impl>()) {
  config.validate();
  torch_util::set_cpu_threads(config.num_threads);
  torch_util::bound_heap_fragmentation();
  EngineInfo& info = impl_->info;
  info.device = config.device;
  info.precision = resolved_precision(config);
  const ChunkPreset preset = config.chunking != ChunkPreset::kAuto
                                 ? config.chunking
                                 : (info.precision == Precision::kFloat16 ? ChunkPreset::kFloat16 : ChunkPreset::kFloat32);
  info.geometry = chunk_geometry(preset);
  impl_->geometry = chunk_samples(info.geometry);

  // Cheap checks first, so that a wrong file fails before seconds of loading; then the networks
  // with the largest loading overhead while little else is resident.
  info.model = model::read_model_info(config.model_path);
  info.model_path = config.model_path;
  info.sample_rate_hz = info.model.config.sample_rate_hz;
  info.num_speakers = info.model.config.spk_embed_dim;
  const int model_dim = info.model.feature_dim();

  const std::string assets = assets_root(config);
  info.hubert_path = config.hubert_path.empty() ? join_path(assets, "hubert/hubert_base.pt") : config.hubert_path;
  if (!io::path_exists(info.hubert_path)) {
    throw Error(ErrorCode::kFileNotFound,
                "content encoder not found: looked for '" + info.hubert_path +
                    "'. Pass the HuBERT/ContentVec file RVC uses (hubert_base.pt, or a Hugging Face folder) "
                    "with --hubert, or point RVC_ASSETS at RVC's assets folder");
  }

  const std::string index_path = chosen_index_path(config);
  if (!index_path.empty()) {
    info.index_path = resolve_index_path(index_path);
    index::FeatureIndexConfig index_config;
    index_config.expected_dim = model_dim;
    try {
      impl_->index.emplace(info.index_path, index_config);
    } catch (const Error& e) {
      if (e.code() != ErrorCode::kInvalidArgument) throw;
      throw Error(e.code(), std::string(e.what()) + " (voice model '" + config.model_path + "' is " +
                                info.model.version + ", " + std::to_string(model_dim) + "-d)");
    }
  }

  f0::EstimatorConfig estimator_config;
  estimator_config.device = config.device;
  estimator_config.precision = config.precision;
  for (const f0::F0Method method : {f0::F0Method::kPm, f0::F0Method::kHarvest, f0::F0Method::kDio}) {
    impl_->estimators[static_cast<std::size_t>(method)] = f0::make_f0_estimator(method, estimator_config);
  }
  if (info.model.has_pitch) {
    impl_->load_network_estimator(f0::F0Method::kRmvpe, config.rmvpe_path, join_path(assets, "rmvpe/rmvpe.pt"),
                                  estimator_config);
    impl_->load_network_estimator(f0::F0Method::kFcpe, config.fcpe_path, join_path(assets, "fcpe/fcpe.pt"),
                                  estimator_config);
    if (impl_->estimators[static_cast<std::size_t>(f0::F0Method::kRmvpe)] != nullptr) {
      info.rmvpe_path = impl_->looked_for[static_cast<std::size_t>(f0::F0Method::kRmvpe)];
    }
    if (impl_->estimators[static_cast<std::size_t>(f0::F0Method::kFcpe)] != nullptr) {
      info.fcpe_path = impl_->looked_for[static_cast<std::size_t>(f0::F0Method::kFcpe)];
    }
  }

  impl_->encoder.emplace(info.hubert_path, features::ContentEncoderConfig{config.device, config.precision});
  const int encoder_dim = impl_->encoder->feature_dim(info.model.version);
  if (encoder_dim != model_dim) {
    throw Error(ErrorCode::kInvalidArgument,
                "content encoder '" + info.hubert_path + "' gives " + std::to_string(encoder_dim) + "-d " +
                    info.model.version + " features, but voice model '" + config.model_path + "' takes " +
                    std::to_string(model_dim) + "-d ones; use RVC's hubert_base.pt (it gives both widths)");
  }

  impl_->synthesizer.emplace(config.model_path, synth::SynthesizerConfig{config.device, config.precision});
}

Engine::~Engine() = default;
Engine::Engine(Engine&&) noexcept = default;
Engine& Engine::operator=(Engine&&) noexcept = default;

const EngineInfo& Engine::info() const { return impl_->info; }

std::vector<float> Engine::Impl::convert_chunk(const std::vector<float>& padded, const ChunkSpan& chunk,
                                               const f0::Pitch& pitch, const ConvertOptions& options,
                                               ConversionResult& timings) const {
  const std::int64_t length = chunk.end - chunk.begin;
  features::ExtractOptions extract;
  extract.version = info.model.version;
  auto start = Clock::now();
  io::TensorData extracted = encoder->extract(padded.data() + chunk.begin, length, kRate16k, extract).features;
  timings.features_ms += milliseconds_since(start);
  const std::int64_t frames50 = extracted.shape()[0];
  const int dim = static_cast<int>(extracted.shape()[1]);
  std::vector<float> blended = extracted.to_floats();
  extracted = {};
  const bool has_pitch = info.model.has_pitch;
  std::vector<float> raw;
  if (has_pitch && options.protect < 0.5) raw = blended;
  if (index.has_value() && options.index_rate != 0) {
    start = Clock::now();
    index->blend(blended.data(), frames50, dim, static_cast<float>(options.index_rate), blended.data());
    timings.index_ms += milliseconds_since(start);
  }
  const std::int64_t frames = std::min(length / kHop, 2 * frames50);
  const float* pitchf = has_pitch ? pitch.hz.data() + chunk.first_frame : nullptr;
  const std::vector<float> phone = upsample_and_protect(blended, raw, dim, frames, pitchf, options.protect);
  blended = {};
  raw = {};

  synth::InferOptions infer;
  infer.speaker_id = options.speaker_id;
  infer.noise_scale = options.noise_scale;
  infer.seed = options.seed;
  infer.zero_noise = options.zero_noise;
  infer.sine_algorithm =
      options.compat == Compat::kClassic ? synth::SineAlgorithm::kPerFrame : synth::SineAlgorithm::kCumulative;
  // Only what lies between the chunk's context pads is kept (RVC's [t_pad_tgt : -t_pad_tgt]), so
  // the vocoder does not compute the pads.
  infer.trim_head_frames = infer.trim_tail_frames =
      static_cast<std::int64_t>(info.geometry.x_pad) * f0::kFramesPerSecond;
  start = Clock::now();
  std::vector<float> audio =
      synthesizer->infer(phone.data(), frames, dim, has_pitch ? pitch.coarse.data() + chunk.first_frame : nullptr,
                         pitchf, infer)
          .audio;
  timings.synth_ms += milliseconds_since(start);
  return audio;
}

ConversionResult Engine::convert(const float* samples, std::int64_t num_samples, int sample_rate_hz,
                                 const ConvertOptions& options) const {
  const auto started = Clock::now();
  options.validate();
  const EngineInfo& info = impl_->info;
  if (sample_rate_hz <= 0) {
    throw Error(ErrorCode::kInvalidArgument, "input sample rate must be positive, got " + std::to_string(sample_rate_hz));
  }
  if (samples == nullptr || num_samples <= 0) {
    throw Error(ErrorCode::kInvalidAudio, "the input audio is empty: there is nothing to convert");
  }
  if (options.speaker_id >= info.num_speakers) {
    throw Error(ErrorCode::kInvalidArgument, "speaker_id " + std::to_string(options.speaker_id) + " does not exist: " +
                                                 "voice model '" + info.model_path + "' has " +
                                                 std::to_string(info.num_speakers) + " speaker(s), 0 to " +
                                                 std::to_string(info.num_speakers - 1));
  }
  const f0::Estimator* estimator = info.model.has_pitch ? &impl_->estimator(options.f0_method) : nullptr;
  std::vector<f0::F0CurvePoint> curve;
  if (!options.f0_file.empty()) curve = f0::read_f0_curve(options.f0_file);

  std::vector<float> audio = sample_rate_hz == kRate16k
                                 ? std::vector<float>(samples, samples + num_samples)
                                 : audio::resample(samples, static_cast<std::size_t>(num_samples), sample_rate_hz, kRate16k);
  audio::check_input_audio(audio.data(), static_cast<std::int64_t>(audio.size()), kRate16k, kRate16k,
                           kMinInputSamples, "conversion input (at least 0.1 s of audio is needed)");
  ConversionResult result;
  result.input_seconds = static_cast<double>(num_samples) / sample_rate_hz;

  limit_input_peak(audio);
  const ChunkSamples& geometry = impl_->geometry;
  std::vector<std::int64_t> splits;
  std::vector<double> input_envelope;
  std::vector<float> padded;
  {
    // The filtered input gives the split points, the padded copy and the loudness envelope, and is
    // dropped here: a long input's float64 copy is not held through pitch and synthesis.
    std::vector<double> filtered = dsp::filtfilt(dsp::butterworth_highpass(kHighPassOrder, kHighPassHz, kRate16k),
                                                 std::vector<double>(audio.begin(), audio.end()));
    audio = {};
    splits = find_split_points(filtered, geometry);
    if (options.rms_mix_rate != 1) input_envelope = input_rms_envelope(filtered);
    filtered = reflect_pad(filtered, geometry.pad);
    padded.assign(filtered.begin(), filtered.end());
  }
  const auto padded_length = static_cast<std::int64_t>(padded.size());
  const std::int64_t pitch_frames = padded_length / kHop;

  f0::Pitch pitch;
  if (estimator != nullptr) {
    report(options, "pitch", 0);
    const auto start = Clock::now();
    f0::F0Track track = estimator->estimate(padded.data(), padded_length, kRate16k);
    if (options.f0_method == f0::F0Method::kHarvest && options.filter_radius > 2) f0::median_filter(track, 3);
    f0::PitchOptions pitch_options;
    pitch_options.key_semitones = options.f0_up_key;
    pitch_options.unvoiced =
        options.compat == Compat::kRvc2026 ? f0::UnvoicedPolicy::kInterpolate : f0::UnvoicedPolicy::kKeepZeros;
    pitch_options.curve = std::move(curve);
    pitch_options.curve_first_frame = static_cast<std::int64_t>(info.geometry.x_pad) * f0::kFramesPerSecond;
    pitch = f0::postprocess(std::move(track), pitch_options);
    pitch.coarse.resize(static_cast<std::size_t>(pitch_frames), 1);
    pitch.hz.resize(static_cast<std::size_t>(pitch_frames), 0.0f);
    result.pitch_ms = milliseconds_since(start);
    torch_util::release_free_memory();  // the pitch network's activations, before the chunks need theirs
    report(options, "pitch", 1);
  }

  const std::vector<ChunkSpan> chunks = plan_chunks(padded_length, splits, geometry.pad);
  // The output is at most the unpadded input's frames long; growing it by doubling would need twice that.
  result.audio.reserve(static_cast<std::size_t>((padded_length - 2 * geometry.pad) / kHop + 1) *
                       static_cast<std::size_t>(impl_->synthesizer->hop_samples()));
  for (std::size_t k = 0; k < chunks.size(); ++k) {
    report(options, "converting", static_cast<double>(k) / static_cast<double>(chunks.size()));
    const std::vector<float> part = impl_->convert_chunk(padded, chunks[k], pitch, options, result);
    result.audio.insert(result.audio.end(), part.begin(), part.end());
    // glibc serves large blocks from the heap once its mmap threshold has grown, and the holes
    // they leave stay resident: without this, memory rises chunk after chunk on long inputs.
    torch_util::release_free_memory();
  }
  report(options, "converting", 1);
  padded = {};

  report(options, "finishing", 0);
  if (options.rms_mix_rate != 1) {
    mix_rms_envelope(input_envelope, result.audio, info.sample_rate_hz, options.rms_mix_rate);
  }
  result.sample_rate_hz = output_rate_hz(options);
  if (result.sample_rate_hz != info.sample_rate_hz && !result.audio.empty()) {
    result.audio = audio::resample(result.audio.data(), result.audio.size(), info.sample_rate_hz, result.sample_rate_hz);
  }
  limit_output_peak(result.audio);
  if (options.capture_intermediates) {
    result.pitch = std::move(pitch.coarse);
    result.pitchf = std::move(pitch.hz);
    result.split_points.reserve(splits.size());
    for (const std::int64_t split : splits) result.split_points.push_back(split / kHop * kHop);
  }
  result.total_ms = milliseconds_since(started);
  report(options, "finishing", 1);
  return result;
}

ConversionResult Engine::convert_file(const std::string& input, const std::string& output,
                                      const ConvertOptions& options, const audio::AudioWriteConfig& write_config) const {
  write_config.validate();
  audio::AudioReadConfig read_config;
  read_config.sample_rate_hz = kRate16k;  // RVC decodes straight to 16 kHz mono
  const audio::AudioBuffer source = audio::read_audio(input, read_config);
  ConversionResult result;
  try {
    result = convert(source.samples.data(), static_cast<std::int64_t>(source.samples.size()), source.sample_rate_hz,
                     options);
  } catch (const Error& e) {
    if (e.code() != ErrorCode::kInvalidAudio) throw;
    throw Error(e.code(), "'" + input + "': " + e.what());
  }
  const std::string extension = io::lower_extension(output);
  const bool sixteen_bit = write_config.encoding == audio::AudioEncoding::kPcm16 ||
                           (write_config.encoding == audio::AudioEncoding::kAuto &&
                            (extension == "wav" || extension == "flac"));
  if (result.audio.empty()) {
    throw Error(ErrorCode::kInvalidAudio, "'" + input + "' gave no output samples; nothing was written to '" + output + "'");
  }
  if (sixteen_bit) {
    std::vector<float> quantized = result.audio;
    quantize_like_rvc_int16(quantized);
    audio::write_audio(output, quantized.data(), quantized.size(), result.sample_rate_hz, write_config);
  } else {
    audio::write_audio(output, result.audio.data(), result.audio.size(), result.sample_rate_hz, write_config);
  }
  return result;
}

std::int64_t Engine::output_capacity(std::int64_t num_samples, int sample_rate_hz, const ConvertOptions& options) const {
  if (num_samples <= 0 || sample_rate_hz <= 0) return 0;
  const std::int64_t samples_16k =
      static_cast<std::int64_t>(std::ceil(static_cast<double>(num_samples) * kRate16k / sample_rate_hz)) + 1;
  const std::int64_t hop = impl_->synthesizer->hop_samples();
  std::int64_t capacity = (samples_16k / kHop + 1) * hop;
  const int rate = impl_->info.sample_rate_hz;
  const int output_rate = output_rate_hz(options);
  if (output_rate != rate) {
    capacity = static_cast<std::int64_t>(std::ceil(static_cast<double>(capacity) * output_rate / rate)) + 1;
  }
  return capacity;
}

int Engine::output_rate_hz(const ConvertOptions& options) const {
  return options.resample_sr >= kRate16k ? options.resample_sr : impl_->info.sample_rate_hz;
}

}  // namespace rvc::pipeline
