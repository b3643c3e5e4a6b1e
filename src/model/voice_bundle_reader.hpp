// Reading voice bundles (.rvcz) in place: the model and index inside are served from the mapped
// bundle, each checked against the manifest's SHA-256 before use. Private to rvc.
#pragma once

#include <memory>
#include <string>

#include "io/zip_archive.hpp"
#include "rvc/io/tensor_data.hpp"
#include "rvc/io/value.hpp"
#include "rvc/model/voice_bundle.hpp"

namespace rvc::model {

class VoiceBundleReader {
 public:
  // Throws kWrongModelKind when `path` is not a bundle, kCorruptFile when its manifest is damaged.
  explicit VoiceBundleReader(const std::string& path);

  const BundleManifest& manifest() const { return manifest_; }
  // The model's bytes, checksum-verified.
  std::shared_ptr<const io::Storage> model_bytes() const;
  // The index's bytes, checksum-verified; kInvalidArgument when the bundle has none.
  std::shared_ptr<const io::Storage> index_bytes() const;
  // "<bundle> (<file inside>)", for messages about a stored file.
  std::string member_name(const BundleEntry& entry) const;

  // True when the mapped bytes are a zip archive whose manifest names the bundle format.
  static bool recognizes(const std::shared_ptr<const io::Storage>& file) noexcept;

 private:
  std::shared_ptr<const io::Storage> verified(const BundleEntry& entry) const;

  std::string path_;
  std::unique_ptr<io::ZipReader> zip_;
  BundleManifest manifest_;
};

// The manifest entry of a file stored under `name`.
BundleEntry describe_stored_file(const std::string& name, const io::Storage& bytes);

// Writes a bundle of `model` (and `index`, may be null) described by `manifest`, atomically.
void write_bundle_file(const std::string& output_path, const BundleManifest& manifest, const io::Storage& model,
                       const io::Storage* index);

// The checkpoint tree of the voice model at `path`: a weights/<name>.pth file, or the model
// stored in a bundle. `path` appears in every error.
io::Value load_voice_model_checkpoint(const std::string& path);

}  // namespace rvc::model
