/// @file index_builder.hpp
/// @brief Building RVC's retrieval index from training features, the way RVC's index step does.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "rvc/progress.hpp"

namespace rvc::index {

/// A feature matrix: `rows` × `dim` float32, row-major.
struct FeatureMatrix {
  std::vector<float> values;  ///< rows × dim floats.
  std::int64_t rows = 0;      ///< Feature frames.
  int dim = 0;                ///< Floats per frame.
};

/// Reads training features: one `.npy` file ([frames, dim], float16/32/64), a folder of them
/// (RVC's `logs/<exp>/3_feature768`, concatenated in sorted file-name order as RVC does), or an
/// experiment folder holding exactly one `3_feature256` or `3_feature768` folder. Memory: one
/// float32 matrix; files are streamed into it. Throws rvc::Error naming the path: kFileNotFound;
/// kInvalidArgument for a folder without features ("extract features first") or files of
/// different widths; kCorruptFile for damaged files or non-finite values.
FeatureMatrix load_feature_matrix(const std::string& path);

/// Called during a build with a stage ("shuffling", "reducing", "training", "adding", "writing") and the
/// fraction done of that stage; return false to cancel (kCancelled).
using BuildProgress = ProgressCallback;

/// How build_index works. The defaults are RVC's.
struct IndexBuildConfig {
  /// Experiment name, used in the file names; "" takes the experiment folder's name when building
  /// from a path, "voice" otherwise.
  std::string name;
  /// "v1" or "v2", used in the file names; "" derives it from the width (256 → v1, 768 → v2).
  std::string version;
  bool shuffle = true;         ///< Shuffle the rows first, as RVC does.
  std::uint64_t seed = 0;      ///< Seed of the shuffle: the same features and seed give the same index.
  /// Above this many rows the features are reduced by k-means to `reduced_rows` centres first.
  std::int64_t reduce_above_rows = 200000;
  int reduced_rows = 10000;    ///< Centres kept by the k-means reduction.
  int add_batch_rows = 8192;   ///< Rows added per batch.
  BuildProgress progress;      ///< Optional progress report and cancel.

  /// Throws rvc::Error (kInvalidArgument) naming the bad field.
  void validate() const;
};

/// What build_index wrote.
struct IndexBuildResult {
  std::string trained_path;       ///< `trained_IVF<n>_Flat_nprobe_1_<name>_<version>.index` (no vectors).
  std::string added_path;         ///< `added_…index`: the file the converter uses.
  std::int64_t input_rows = 0;    ///< Feature frames given.
  std::int64_t indexed_rows = 0;  ///< Vectors in the index (the k-means centres when reduced).
  int dim = 0;                    ///< Feature width.
  std::int64_t num_lists = 0;     ///< IVF lists: min(⌊16·√rows⌋, rows // 39), at least 1.
  bool reduced = false;           ///< True when k-means reduced the rows.
  double seconds = 0;             ///< Wall time of the build.
};

/// Inverted lists for `rows` vectors: RVC's min(⌊16·√rows⌋, rows // 39), clamped to at least 1.
std::int64_t ivf_list_count(std::int64_t rows);

/// RVC's file name: `<kind>_IVF<num_lists>_Flat_nprobe_1_<name>_<version>.index`, where kind is
/// "trained" or "added".
std::string index_file_name(const std::string& kind, std::int64_t num_lists, const std::string& name,
                            const std::string& version);

/// Builds RVC's index from `features` (consumed: shuffled and reduced in place, so memory stays at
/// one matrix plus the index) into the folder `output_dir` (created if missing):
/// shuffle; above config.reduce_above_rows rows, k-means reduction to config.reduced_rows centres;
/// faiss `IVF<n>,Flat` (L2) with nprobe 1, trained on all rows, vectors added in batches; then the
/// trained and added files, each written atomically. Throws rvc::Error: kInvalidArgument (no rows,
/// non-finite values, a version that does not fit the width), kIo, kCancelled.
IndexBuildResult build_index(FeatureMatrix features, const std::string& output_dir,
                             const IndexBuildConfig& config = {});

/// Where an index built from `features_path` goes by default, and its name: for RVC's
/// `logs/<exp>/3_feature768` (a file in it, or `logs/<exp>` itself) the folder `logs/<exp>` and
/// "<exp>", as RVC writes them; for any other file or folder, the folder holding the features and
/// that folder's name.
struct ExperimentLayout {
  std::string folder;  ///< Output folder.
  std::string name;    ///< Experiment name.
};

/// The layout of `features_path` (see ExperimentLayout); nothing is read.
ExperimentLayout experiment_layout(const std::string& features_path);

/// load_feature_matrix(features_path), then build_index into `output_dir` ("": the experiment
/// folder) with config.name defaulting to the experiment's name.
IndexBuildResult build_index_from_path(const std::string& features_path, const std::string& output_dir,
                                       const IndexBuildConfig& config = {});

}  // namespace rvc::index
