/// @file model_info.hpp
/// @brief What an RVC voice model file (`weights/<name>.pth`, the "small model") says about itself.
#pragma once

#include <string>
#include <vector>

#include "rvc/io/value.hpp"

namespace rvc::model {

/// The synthesizer's constructor arguments as a voice model stores them: the 18-item `config`
/// list, in RVC's order, with the speaker count taken from the embedding table as RVC's loader does.
struct ModelConfig {
  int spec_channels = 1025;    ///< [0] linear-spectrogram bins (n_fft/2+1), training only
  int segment_size = 32;       ///< [1] training slice length, unused at inference
  int inter_channels = 192;    ///< [2] latent channels
  int hidden_channels = 192;   ///< [3] text-encoder and flow width
  int filter_channels = 768;   ///< [4] attention FFN width
  int n_heads = 2;             ///< [5] attention heads
  int n_layers = 6;            ///< [6] attention layers
  int kernel_size = 3;         ///< [7] FFN kernel
  double p_dropout = 0.0;      ///< [8] dropout (0 at inference)
  std::string resblock = "1";  ///< [9] HiFi-GAN resblock type, "1" or "2"
  std::vector<int> resblock_kernel_sizes{3, 7, 11};  ///< [10]
  std::vector<std::vector<int>> resblock_dilation_sizes{{1, 3, 5}, {1, 3, 5}, {1, 3, 5}};  ///< [11]
  std::vector<int> upsample_rates{10, 10, 2, 2};  ///< [12] product = hop at the output rate
  int upsample_initial_channel = 512;             ///< [13]
  std::vector<int> upsample_kernel_sizes{16, 16, 4, 4};  ///< [14]
  int spk_embed_dim = 109;     ///< [15] speakers (rows of emb_g.weight)
  int gin_channels = 256;      ///< [16] speaker-embedding width
  int sample_rate_hz = 40000;  ///< [17] output rate

  /// RVC's full-size configuration for a version ("v1", "v2") and rate (32000, 40000, 48000), as
  /// its configs/*.json give it (v2 40k uses configs/v1/40k.json). Throws kInvalidArgument.
  static ModelConfig standard(const std::string& version, int sample_rate_hz);
  /// Parses RVC's list; throws kCorruptFile naming `path` and the bad item.
  static ModelConfig from_list(const io::Value& list, const std::string& path);
  /// The list as RVC writes it.
  io::Value to_list() const;
  /// Samples per 10 ms frame at the output rate (product of upsample_rates).
  int hop_samples() const;
  /// Throws kCorruptFile when the values cannot describe a synthesizer.
  void validate(const std::string& path) const;
  /// JSON object with RVC's field names.
  std::string to_json() const;
};

/// The metadata of a voice model.
struct ModelInfo {
  std::string version;          ///< "v1" (256-d features) or "v2" (768-d)
  bool has_pitch = true;        ///< f0 = 1: pitch-guided NSF model
  std::string sample_rate_tag;  ///< "32k", "40k", "48k" as stored
  std::string info;             ///< Free text (e.g. "200epoch")
  ModelConfig config;     ///< The synthesizer's constructor arguments
  std::vector<std::string> extra_keys;  ///< Keys third-party trainers add (epoch, author, ...)

  /// Content-feature width the model expects: 256 (v1) or 768 (v2).
  int feature_dim() const { return version == "v1" ? 256 : 768; }
  /// Everything as one JSON object.
  std::string to_json() const;
};

/// Reads the metadata of a voice model file. Training checkpoints (G_*.pth / D_*.pth), content
/// encoders and other state dicts are rejected with kWrongModelKind and a message that says what
/// the file is and what to pass instead.
ModelInfo read_model_info(const std::string& path);

/// Same, from an already loaded checkpoint tree.
ModelInfo model_info_from_checkpoint(const io::Value& root, const std::string& path);

}  // namespace rvc::model
