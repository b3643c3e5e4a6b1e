/// @file voice_bundle.hpp
/// @brief One-file voice packages (`.rvcz`): a voice model, its retrieval index and a manifest
/// with checksums, so that a model and its index can no longer be separated or confused.
#pragma once

#include <cstdint>
#include <string>

namespace rvc::model {

/// One file stored in a bundle.
struct BundleEntry {
  std::string file;       ///< Name inside the bundle (the original file name); empty when absent.
  std::int64_t bytes = 0; ///< Size in bytes.
  std::string sha256;     ///< SHA-256 of the bytes, 64 lower-case hex digits.
};

/// What a bundle's `manifest.json` records.
struct BundleManifest {
  int format_version = 1;       ///< Version of the bundle layout.
  std::string name;             ///< Voice name (the model's file name without extension by default).
  std::string version;          ///< "v1" or "v2", as the model says.
  std::string sample_rate_tag;  ///< "32k", "40k" or "48k".
  int sample_rate_hz = 0;       ///< Output rate of the model.
  bool has_pitch = true;        ///< f0 = 1: the model follows the input's pitch.
  std::string info;             ///< The model's info text.
  BundleEntry model;            ///< The voice model (`weights/<name>.pth`), byte for byte.
  BundleEntry index;            ///< The retrieval index (`added_*.index`), byte for byte; may be absent.
  int index_dim = 0;            ///< Feature width of the index (0 without one).
  std::int64_t index_vectors = 0;  ///< Vectors in the index.
  std::string created_by;       ///< "rvc <version>"

  bool has_index() const { return !index.file.empty(); }  ///< True when the bundle holds an index.
  /// The manifest as JSON (what the bundle stores).
  std::string to_json() const;
};

/// How a bundle is made.
struct BundleConfig {
  std::string index_path;  ///< added_*.index to include; empty makes a bundle without an index.
  std::string name;        ///< Voice name; empty uses the model's file name without extension.
};

/// File name extension of voice bundles, without the dot.
inline constexpr const char* kBundleExtension = "rvcz";

/// Packs `model_path` (and config.index_path) into one zip file at `output_path`, written
/// atomically. Both files are stored unchanged. Refuses (rvc::Error naming the file) anything that
/// is not a voice model, an index that is not an added_*.index, and an index whose width does not
/// fit the model (a v1 model with a v2 index).
BundleManifest write_voice_bundle(const std::string& model_path, const std::string& output_path,
                                  const BundleConfig& config = {});

/// Reads a bundle's manifest and checks every stored file against its checksum. Throws rvc::Error:
/// kCorruptFile for a damaged or tampered bundle, kWrongModelKind for a file that is not a bundle.
BundleManifest read_voice_bundle(const std::string& bundle_path);

/// Where unpack_voice_bundle put the files.
struct UnpackedBundle {
  BundleManifest manifest;  ///< The bundle's manifest.
  std::string model_path;   ///< The voice model written.
  std::string index_path;   ///< The index written; empty when the bundle has none.
};

/// Writes the bundle's model and index, checked against their checksums, into `output_dir`
/// (created when missing) under their original names. An existing file of the same name is
/// replaced only when `overwrite` is set; otherwise kInvalidArgument names it, and nothing is
/// written.
UnpackedBundle unpack_voice_bundle(const std::string& bundle_path, const std::string& output_dir,
                                   bool overwrite = false);

/// True when `path` is a voice bundle (judged from its content, not its name). Never throws.
bool is_voice_bundle(const std::string& path) noexcept;

}  // namespace rvc::model
