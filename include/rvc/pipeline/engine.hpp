/// @file engine.hpp
/// @brief Voice conversion: the offline pipeline exactly as RVC runs it, behind one engine that
/// loads a voice model and its helpers once and converts any number of inputs.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "rvc/audio/audio_file.hpp"
#include "rvc/f0/estimator.hpp"
#include "rvc/model/model_info.hpp"
#include "rvc/precision.hpp"
#include "rvc/progress.hpp"

namespace rvc::pipeline {

/// RVC's chunking of long inputs (config.py), in seconds of 16 kHz audio: inputs longer than
/// `x_max` are cut near every `x_center` seconds at the quietest point within `x_query` seconds,
/// and every chunk carries `x_pad` seconds of context on each side.
struct ChunkGeometry {
  int x_pad = 1;      ///< Context on each side of a chunk (and reflect padding of the input).
  int x_query = 6;    ///< Half-width of the search window for a quiet split point.
  int x_center = 38;  ///< Distance between split points.
  int x_max = 41;     ///< Longest input converted in one piece.
};

/// RVC's three chunking presets.
enum class ChunkPreset {
  kAuto,       ///< fp16 geometry when the networks run in fp16, fp32 geometry otherwise (RVC's rule).
  kFloat32,    ///< x_pad 1, x_query 6, x_center 38, x_max 41 (CPU and fp32 GPUs).
  kFloat16,    ///< x_pad 3, x_query 10, x_center 60, x_max 65 (fp16 GPUs).
  kLowMemory,  ///< x_pad 1, x_query 5, x_center 30, x_max 32 (GPUs with 4 GB or less).
};

/// The geometry of `preset`; kAuto is resolved by the caller and throws kInvalidArgument here.
ChunkGeometry chunk_geometry(ChunkPreset preset);

/// Which RVC's behaviour a conversion reproduces where releases differ.
enum class Compat {
  /// RVC 2023–2024 (releases up to branch 20240604; the default): unvoiced frames keep f0 0, so
  /// `protect` acts on them; `filter_radius` smooths harvest; the per-frame sine source of 20240604.
  kClassic,
  /// RVC 2026 (main): unvoiced f0 is filled by linear interpolation and the cumulative sine source
  /// is used.
  kRvc2026,
};

/// What an Engine loads. Only the voice model is required; the other assets default to RVC's
/// folder layout under `assets_dir`.
struct EngineConfig {
  /// The voice model: `weights/<name>.pth`, or a voice bundle (`.rvcz`, see voice_bundle.hpp).
  std::string model_path;
  /// Its retrieval index (`added_*.index`, or a bundle holding one); "" uses the index inside a
  /// bundle given as the model (see use_bundled_index), else converts without one.
  std::string index_path;
  /// HuBERT/ContentVec: `hubert_base.pt` or a Hugging Face folder; "" looks for
  /// `<assets>/hubert/hubert_base.pt`.
  std::string hubert_path;
  /// RMVPE weights; "" looks for `<assets>/rmvpe/rmvpe.pt` and, when it is not there, leaves
  /// rmvpe unavailable (conversions that ask for it fail and say where it was looked for).
  std::string rmvpe_path;
  /// FCPE weights (a torchfcpe checkpoint); "" looks for `<assets>/fcpe/fcpe.pt` the same way.
  std::string fcpe_path;
  /// RVC's `assets` folder; "" takes the environment variable RVC_ASSETS, else `assets` in the
  /// current directory.
  std::string assets_dir;
  std::string device = "cpu";              ///< "cpu", "cuda" or "cuda:N"; every network runs there.
  Precision precision = Precision::kAuto;  ///< fp32 on CPU, fp16 on CUDA (RVC's is_half).
  ChunkPreset chunking = ChunkPreset::kAuto;  ///< See ChunkPreset.
  /// CPU threads the networks use; 0: one per logical core. LibTorch has one thread pool per
  /// process, so this applies to the whole process. An OpenBLAS under LibTorch is kept to one
  /// thread of its own (the caller's; the networks split the work), unless OPENBLAS_NUM_THREADS is set.
  int num_threads = 0;
  /// With a bundle as the model and no index_path: convert with the bundle's index (false: none).
  bool use_bundled_index = true;

  /// Throws rvc::Error (kInvalidArgument, kUnsupported) naming the bad field.
  void validate() const;
};

/// The parameters of one conversion, with RVC's names and defaults (WebUI single inference).
struct ConvertOptions {
  double f0_up_key = 0;                           ///< Transposition in semitones (may be fractional).
  f0::F0Method f0_method = f0::F0Method::kRmvpe;  ///< Pitch estimator.
  double index_rate = 0.75;   ///< Share of retrieved features, 0..1 (0 or no index: off).
  int filter_radius = 3;      ///< 0..7; 3 or more median-filters harvest's f0 (3 taps), as RVC does.
  double rms_mix_rate = 0.25; ///< 0..1: 0 follows the input's loudness envelope, 1 keeps the output's.
  double protect = 0.33;      ///< 0..0.5: share of retrieved features in unvoiced frames; 0.5 = off.
  int resample_sr = 0;        ///< Output rate; 0 (or below 16000) keeps the model's rate.
  int speaker_id = 0;         ///< Speaker of a multi-speaker model.
  std::string f0_file;        ///< Custom f0 curve (`time_s,f0_hz` per line); "" = none.
  float noise_scale = 0.66666f;  ///< Prior noise scale (RVC's 0.66666).
  std::int64_t seed = -1;        ///< >= 0: reproducible output; -1: fresh noise every call.
  bool zero_noise = false;       ///< No random draws at all (the parity mode of the fixtures).
  Compat compat = Compat::kClassic;  ///< See Compat.
  ProgressCallback progress;  ///< Optional: stages "pitch", "converting" (per chunk), "finishing".
  bool capture_intermediates = false;  ///< Also return the pitch and split points.

  /// Throws rvc::Error (kInvalidArgument) naming the bad field and its range.
  void validate() const;
};

/// What a conversion returns.
struct ConversionResult {
  std::vector<float> audio;  ///< Mono output, peak-limited to 0.99 as RVC's int16 step does.
  int sample_rate_hz = 0;    ///< The model's rate, or resample_sr.
  /// Pitch handed to the synthesizer for the whole padded input (with capture_intermediates).
  std::vector<std::int64_t> pitch;
  std::vector<float> pitchf;  ///< Its f0 in Hz (with capture_intermediates).
  /// Where long inputs were cut, in samples of the padded 16 kHz input (with capture_intermediates).
  std::vector<std::int64_t> split_points;
  double input_seconds = 0;  ///< Length of the input.
  double pitch_ms = 0;       ///< Wall time of f0 estimation.
  double features_ms = 0;    ///< Wall time of the content encoder.
  double index_ms = 0;       ///< Wall time of retrieval.
  double synth_ms = 0;       ///< Wall time of the synthesizer.
  double total_ms = 0;       ///< Wall time of the whole conversion.
};

/// What an Engine loaded.
struct EngineInfo {
  model::ModelInfo model;         ///< The voice model's metadata.
  std::string model_path;         ///< Its file.
  std::string index_path;         ///< The index ("" when none).
  std::string hubert_path;        ///< The content encoder used.
  std::string rmvpe_path;         ///< RMVPE ("" when unavailable).
  std::string fcpe_path;          ///< FCPE ("" when unavailable).
  std::string device;             ///< Where the networks run.
  Precision precision = Precision::kFloat32;  ///< Resolved precision.
  ChunkGeometry geometry;         ///< Resolved chunking.
  int sample_rate_hz = 0;         ///< The model's output rate.
  int num_speakers = 0;           ///< Rows of the speaker table.
};

/// A voice model with its content encoder, pitch estimators and optional index, loaded once.
/// Read-only after loading: any number of threads may convert at the same time.
class Engine {
 public:
  /// Loads everything `config` names. Throws rvc::Error naming the file and the fix:
  /// kFileNotFound (with where a default asset was looked for), kWrongModelKind (e.g. a training
  /// checkpoint as the model), kInvalidArgument for a model/index or model/encoder width mismatch,
  /// kCorruptFile, kUnsupported.
  explicit Engine(const EngineConfig& config);
  ~Engine();
  Engine(Engine&&) noexcept;             ///< Moves.
  Engine& operator=(Engine&&) noexcept;  ///< Moves.

  /// What was loaded.
  const EngineInfo& info() const;

  /// Converts `num_samples` mono samples at `sample_rate_hz` (resampled to 16 kHz first when
  /// needed). Throws kInvalidAudio for empty, too short (< 0.1 s) or non-finite input,
  /// kInvalidArgument for bad options (e.g. rmvpe without rmvpe.pt, a speaker out of range),
  /// kCancelled when the progress callback says stop.
  ConversionResult convert(const float* samples, std::int64_t num_samples, int sample_rate_hz,
                           const ConvertOptions& options = {}) const;

  /// Reads `input` (any format read_audio knows), converts it and writes `output` atomically (the
  /// extension picks the container). 16-bit outputs are quantised as RVC does (×32768, truncated).
  ConversionResult convert_file(const std::string& input, const std::string& output,
                                const ConvertOptions& options = {},
                                const audio::AudioWriteConfig& write_config = {}) const;

  /// The rate convert returns with `options`: resample_sr when it is at least 16000, else the model's.
  int output_rate_hz(const ConvertOptions& options = {}) const;

  /// An upper bound of the output samples for `num_samples` input samples at `sample_rate_hz`:
  /// enough room for convert's result (RVC's output is 10–20 ms a chunk shorter than the input).
  std::int64_t output_capacity(std::int64_t num_samples, int sample_rate_hz,
                               const ConvertOptions& options = {}) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace rvc::pipeline
