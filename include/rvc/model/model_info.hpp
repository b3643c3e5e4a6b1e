/// @file model_info.hpp
/// @brief What an RVC voice model file (`weights/<name>.pth`, the "small model") says about itself.
#pragma once

#include <string>
#include <vector>

#include "rvc/io/value.hpp"

namespace rvc::model {

/// The synthesizer's constructor arguments: the 18-item `config` list of a voice model, in RVC's
/// order, with the speaker count taken from the embedding table as RVC's loader does.
struct SynthesizerConfig {
  int spec_channels = 1025;
  int segment_size = 32;
  int inter_channels = 192;
  int hidden_channels = 192;
  int filter_channels = 768;
  int n_heads = 2;
  int n_layers = 6;
  int kernel_size = 3;
  double p_dropout = 0.0;
  std::string resblock = "1";
  std::vector<int> resblock_kernel_sizes{3, 7, 11};
  std::vector<std::vector<int>> resblock_dilation_sizes{{1, 3, 5}, {1, 3, 5}, {1, 3, 5}};
  std::vector<int> upsample_rates{10, 10, 2, 2};
  int upsample_initial_channel = 512;
  std::vector<int> upsample_kernel_sizes{16, 16, 4, 4};
  int spk_embed_dim = 109;
  int gin_channels = 256;
  int sample_rate_hz = 40000;

  /// Parses RVC's list; throws kCorruptFile naming `path` and the bad item.
  static SynthesizerConfig from_list(const io::Value& list, const std::string& path);
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
  SynthesizerConfig config;
  std::vector<std::string> extra_keys;  ///< Keys third-party trainers add (epoch, author, ...)

  int feature_dim() const { return version == "v1" ? 256 : 768; }
  std::string to_json() const;
};

/// Reads the metadata of a voice model file. Training checkpoints (G_*.pth / D_*.pth), content
/// encoders and other state dicts are rejected with kWrongModelKind and a message that says what
/// the file is and what to pass instead.
ModelInfo read_model_info(const std::string& path);

/// Same, from an already loaded checkpoint tree.
ModelInfo model_info_from_checkpoint(const io::Value& root, const std::string& path);

}  // namespace rvc::model
