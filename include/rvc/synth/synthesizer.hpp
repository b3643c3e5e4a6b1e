/// @file synthesizer.hpp
/// @brief The voice synthesizer: content features and pitch in, audio at the model's rate out.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "rvc/io/tensor_data.hpp"
#include "rvc/model/model_info.hpp"
#include "rvc/precision.hpp"

namespace rvc::synth {

using rvc::Precision;

/// How a Synthesizer is loaded.
struct SynthesizerConfig {
  std::string device = "cpu";  ///< "cpu", "cuda" or "cuda:N".
  Precision precision = Precision::kAuto;  ///< See Precision.

  /// Throws rvc::Error (kInvalidArgument, kUnsupported) naming the bad field.
  void validate() const;
  /// "device=cpu precision=auto"
  std::string to_string() const;
};

/// Which sine-phase computation the harmonic source uses (spec/rvc-inference.md 2.6).
enum class SineAlgorithm {
  kCumulative,  ///< RVC up to 2.2.231006 and main-2026 (the default).
  kPerFrame,    ///< The November-2024 rewrite in branch 20240604.
};

/// Per-call options of Synthesizer::infer.
struct InferOptions {
  int speaker_id = 0;                ///< Row of the speaker table (0 for single-speaker models).
  float noise_scale = 0.66666f;      ///< Prior noise scale; RVC uses 0.66666.
  std::int64_t seed = -1;            ///< >= 0: reproducible noise; -1: fresh noise every call.
  /// Parity mode: no prior noise, no sine-source noise, zero initial phase (as the fixtures).
  bool zero_noise = false;
  /// Real-time entry point: frames to skip before the kept part (RVC's skip_head).
  std::int64_t skip_head = 0;
  /// Frames to return after skip_head; -1 returns all remaining frames (RVC's return_length).
  std::int64_t return_length = -1;
  /// Resample the kept frames to this many before the vocoder (formant shift); -1 = off.
  std::int64_t return_length2 = -1;
  SineAlgorithm sine_algorithm = SineAlgorithm::kCumulative;  ///< See SineAlgorithm.
  /// Frames at the start and at the end of what the vocoder is given (after skip_head, return_length
  /// and return_length2) whose audio is not wanted: the vocoder skips them, and the audio returned
  /// is the rest, as the whole synthesis gives it there (the offline pipeline's context pads).
  std::int64_t trim_head_frames = 0;
  std::int64_t trim_tail_frames = 0;  ///< See trim_head_frames.
  /// Frames the vocoder computes at a time (0 = default: 128 on the CPU, fewer when that leaves a
  /// thread idle; 2000 on a GPU). The result does not depend on it beyond float rounding; larger
  /// tiles cost more memory, smaller ones more overlap. CPU threads work on separate tiles.
  std::int64_t vocoder_tile_frames = 0;
  /// Also return m_p, logs_p, z and the harmonic source (for parity checks and debugging).
  bool capture_intermediates = false;

  /// Throws rvc::Error (kInvalidArgument) naming the bad field.
  void validate() const;
};

/// What infer returns.
struct SynthesisResult {
  std::vector<float> audio;  ///< Mono samples at the model's rate (frames × hop).
  io::TensorData m_p;        ///< Prior mean [1, inter, T'] (with capture_intermediates).
  io::TensorData logs_p;     ///< Prior log-scale [1, inter, T'] (with capture_intermediates).
  io::TensorData z;          ///< Reverse-flow output [1, inter, frames] (with capture_intermediates).
  io::TensorData har_source; ///< NSF excitation [1, samples, 1] (pitch models, with capture_intermediates).
  double encoder_ms = 0;     ///< Wall time of the text encoder (enc_p).
  double flow_ms = 0;        ///< Wall time of the reverse flow.
  double decoder_ms = 0;     ///< Wall time of the vocoder, harmonic source included.
};

/// One RVC voice model (SynthesizerTrnMs256/768NSFsid and their no-pitch variants), loaded once.
/// Read-only after loading: any number of threads may call infer at the same time.
class Synthesizer {
 public:
  /// Loads a `weights/<name>.pth` voice model. Throws rvc::Error naming the file: kWrongModelKind
  /// for training checkpoints and other models, kCorruptFile for missing or mis-shaped weights,
  /// kUnsupported for other vocoders or an unavailable device.
  explicit Synthesizer(const std::string& path, const SynthesizerConfig& config = {});
  ~Synthesizer();
  Synthesizer(Synthesizer&&) noexcept;             ///< Moves.
  Synthesizer& operator=(Synthesizer&&) noexcept;  ///< Moves.

  /// The model's metadata.
  const model::ModelInfo& info() const;
  /// Output samples per frame.
  int hop_samples() const;

  /// Synthesizes `frames` frames. `phone` holds frames × feature_dim floats (row-major), with
  /// feature_dim 256 (v1) or 768 (v2); `pitch` (coarse 1..255) and `pitchf` (Hz, 0 = unvoiced)
  /// hold `frames` values each and are required for pitch models, ignored otherwise.
  SynthesisResult infer(const float* phone, std::int64_t frames, std::int64_t feature_dim,
                        const std::int64_t* pitch, const float* pitchf,
                        const InferOptions& options = {}) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace rvc::synth
