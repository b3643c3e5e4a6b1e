/// @file model_tools.hpp
/// @brief RVC's model tools as plain functions over files: what a file is, changing a model's
/// info, extracting a voice model from a training checkpoint, merging two models, and finding the
/// models in a folder tree. Every file written is written atomically.
#pragma once

#include <string>
#include <vector>

#include "rvc/model/model_info.hpp"

namespace rvc::model {

/// The kinds of file RVC users handle.
enum class FileKind {
  kVoiceModel,               ///< `weights/<name>.pth`
  kVoiceBundle,              ///< `<name>.rvcz` (model + index)
  kGeneratorCheckpoint,      ///< `logs/<exp>/G_*.pth`
  kDiscriminatorCheckpoint,  ///< `logs/<exp>/D_*.pth`
  kContentEncoder,           ///< hubert_base.pt or a Hugging Face content-encoder folder
  kPitchModel,               ///< rmvpe.pt or an FCPE checkpoint
  kIndex,                    ///< added_*.index (searchable)
  kTrainedIndex,             ///< trained_*.index (structure only, no vectors)
  kUnknown,                  ///< anything else
};

/// Lower-case name of a kind: "voice model", "voice bundle", "generator checkpoint", ...
const char* file_kind_name(FileKind kind) noexcept;

/// What a file is and what to do with it.
struct FileReport {
  std::string path;     ///< The file inspected.
  FileKind kind = FileKind::kUnknown;  ///< What it is.
  /// "field: value" lines for people (version, rate, pitch flag, info, speakers, parameters, epoch,
  /// width, vectors, lists, ... as fit the kind).
  std::string summary;
  std::string advice;   ///< What to do with it, one sentence.
  std::string json;     ///< The same facts as one JSON object (kind, path, advice and the fields).
};

/// Inspects any file (or a Hugging Face encoder folder). Never fails on a readable file of an
/// unknown kind (the report says so); throws rvc::Error for a missing or unreadable path.
FileReport inspect_file(const std::string& path);

/// Sets a voice model's (or bundle's) info text. Everything else in the file stays as it was,
/// tensors byte for byte. `output_path` "" rewrites `path` in place (atomically). Returns the new
/// metadata. A bundle gets a new manifest and checksums.
ModelInfo set_model_info(const std::string& path, const std::string& info, const std::string& output_path = "");

/// How extract_voice_model makes a voice model from a training checkpoint. Fields left empty are
/// read from the experiment folder the checkpoint lies in (`config.json`, the hparams line of
/// `train.log`), else deduced from the weights; a value that contradicts the weights is refused.
struct ExtractConfig {
  std::string sample_rate_tag;  ///< "32k", "40k" or "48k"
  int has_pitch = -1;           ///< 1 (pitch-guided), 0, or -1 to find out
  std::string version;          ///< "v1" or "v2"
  std::string info;             ///< "" writes RVC's "Extracted model."
};

/// Makes a voice model from `checkpoint_path` (a G_*.pth) as RVC's "extract small model" does:
/// enc_q dropped, every tensor fp16, RVC's config list (from the experiment's config.json when
/// there is one, else RVC's table), info, version, sr and f0. Writes `output_path` atomically.
ModelInfo extract_voice_model(const std::string& checkpoint_path, const std::string& output_path,
                              const ExtractConfig& config = {});

/// How merge_voice_models blends two models.
struct MergeConfig {
  double alpha = 0.5;           ///< Weight of model A; B gets 1 - alpha.
  std::string info;             ///< "" writes "Merged: <A> x alpha + <B> x (1 - alpha)".
  std::string sample_rate_tag;  ///< "" keeps A's.
  int has_pitch = -1;           ///< -1 keeps A's.
  std::string version;          ///< "" keeps A's.
};

/// RVC's model merge: every weight = alpha·A + (1 − alpha)·B computed in float32 and stored fp16;
/// a speaker table of different size is cut to the smaller. A must be a voice model (or bundle); B
/// may also be a G_*.pth. Models of different architecture (keys, shapes, version, rate, pitch) are
/// refused, naming the difference. Writes `output_path` atomically.
ModelInfo merge_voice_models(const std::string& model_a, const std::string& model_b, const std::string& output_path,
                             const MergeConfig& config = {});

/// A voice model found by list_voice_models.
struct ModelListing {
  std::string path;        ///< The model or bundle.
  std::string name;        ///< File name without extension.
  bool is_bundle = false;  ///< A .rvcz bundle (its index is inside).
  ModelInfo info;          ///< Its metadata.
  /// The index that goes with it: inside the bundle (the bundle's path), or the best match among
  /// the added_*.index files of the tree; "" when none was found.
  std::string index_path;
};

/// Finds every voice model and bundle under `folder` (recursively) and the index that belongs to
/// each (same experiment name, same version; RVC's rule of the model name appearing in the index
/// path otherwise). Files that are not voice models (training checkpoints, encoders) are skipped;
/// `skipped`, when given, receives one line per such .pth/.pt file saying what it is.
std::vector<ModelListing> list_voice_models(const std::string& folder, std::vector<std::string>* skipped = nullptr);

}  // namespace rvc::model
