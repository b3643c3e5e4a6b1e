/// @file content_encoder.hpp
/// @brief HuBERT/ContentVec content features: 16 kHz audio in, 50 feature frames per second out.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "rvc/io/tensor_data.hpp"
#include "rvc/precision.hpp"

namespace rvc::features {

/// Sample rate the content encoder takes.
constexpr int kContentSampleRateHz = 16000;
/// Samples per feature frame (20 ms).
constexpr int kContentHopSamples = 320;
/// Samples the first frame needs (25 ms).
constexpr int kContentWindowSamples = 400;

/// Feature frames for `num_samples` samples at 16 kHz: ⌊(n − 400) / 320⌋ + 1, 0 below 400.
std::int64_t content_frames(std::int64_t num_samples) noexcept;

/// How a ContentEncoder is loaded.
struct ContentEncoderConfig {
  std::string device = "cpu";              ///< "cpu", "cuda" or "cuda:N".
  Precision precision = Precision::kAuto;  ///< fp32 on CPU, fp16 on CUDA by default.

  /// Throws rvc::Error (kInvalidArgument, kUnsupported) naming the bad field.
  void validate() const;
};

/// Per-call options of ContentEncoder::extract.
struct ExtractOptions {
  /// "v1": output of transformer layer 9 through final_proj (256-d); "v2": output of the last
  /// layer (768-d for the real encoder). Pass the voice model's version.
  std::string version = "v2";
  /// Also return the conv features and every hidden state (for parity checks and debugging).
  bool capture_intermediates = false;

  /// Throws rvc::Error (kInvalidArgument) naming the bad field.
  void validate() const;
};

/// What extract returns.
struct ContentFeatures {
  io::TensorData features;       ///< [frames, dim] float32, 50 frames per second.
  io::TensorData conv_features;  ///< [frames, conv channels] (with capture_intermediates).
  /// [layers run + 1, frames, hidden]: index 0 is the transformer input, k the output of layer k
  /// (with capture_intermediates).
  io::TensorData hidden_states;
  double elapsed_ms = 0;  ///< Wall time of the network.
};

/// The architecture read from the file (sizes only; the structure is HuBERT-Base's).
struct ContentEncoderInfo {
  std::string format;      ///< "fairseq" (hubert_base.pt) or "huggingface" (a model folder).
  int hidden_size = 0;     ///< Transformer width (768 for the real encoder).
  int num_layers = 0;      ///< Transformer layers (12).
  int num_heads = 0;       ///< Attention heads (12).
  int final_proj_dim = 0;  ///< Width of the v1 projection (256); 0 when the file has none.
};

/// HuBERT/ContentVec as RVC uses it, loaded from either file form users have:
/// the fairseq checkpoint `hubert_base.pt`, or the Hugging Face folder (`config.json` with
/// `pytorch_model.bin` or `model.safetensors`, plus `final_proj`). Read-only after loading: any
/// number of threads may call extract at the same time.
class ContentEncoder {
 public:
  /// Loads `path`: a fairseq `.pt` file, a Hugging Face folder, or a weights file inside one.
  /// Throws rvc::Error naming the file: kFileNotFound, kWrongModelKind for other RVC files (voice
  /// models, pitch models, training checkpoints), kCorruptFile for missing or mis-shaped weights,
  /// kUnsupported for other HuBERT variants (pre-LN, layer-norm feature extractor) or devices.
  explicit ContentEncoder(const std::string& path, const ContentEncoderConfig& config = {});
  ~ContentEncoder();
  ContentEncoder(ContentEncoder&&) noexcept;             ///< Moves.
  ContentEncoder& operator=(ContentEncoder&&) noexcept;  ///< Moves.

  /// Sizes read from the file.
  const ContentEncoderInfo& info() const;
  /// Feature width extract returns for `version` ("v1" or "v2").
  int feature_dim(const std::string& version) const;

  /// Features of `num_samples` mono samples at `sample_rate_hz` (must be 16000; not normalised,
  /// as RVC feeds them). Throws kInvalidAudio for fewer than 400 samples or non-finite samples,
  /// kInvalidArgument for another rate or a version the encoder cannot give.
  ContentFeatures extract(const float* samples, std::int64_t num_samples, int sample_rate_hz,
                          const ExtractOptions& options = {}) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace rvc::features
