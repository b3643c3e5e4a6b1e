/// @file feature_index.hpp
/// @brief RVC's retrieval index: `added_*.index` files (faiss), nearest-neighbour search and the
/// feature blend the converter applies before synthesis.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace rvc::index {

/// Neighbours RVC retrieves per feature frame.
constexpr int kDefaultNeighbours = 8;
/// RVC's default share of retrieved features in the blend.
constexpr float kDefaultIndexRate = 0.75f;

/// How a FeatureIndex is opened.
struct FeatureIndexConfig {
  /// Feature width the voice model takes (256 for v1, 768 for v2); an index of another width is
  /// refused when it is opened. 0 accepts any width.
  int expected_dim = 0;
  /// Inverted lists scanned per query; 0 keeps the value stored in the file (RVC's 1).
  int nprobe = 0;

  /// Throws rvc::Error (kInvalidArgument) naming the bad field.
  void validate() const;
};

/// What an index file holds.
struct FeatureIndexInfo {
  std::string path;             ///< The file it was read from.
  std::string description;      ///< faiss factory string of the structure, e.g. "IVF17,Flat".
  int dim = 0;                  ///< Feature width: 256 (v1) or 768 (v2) for RVC indexes.
  std::int64_t num_vectors = 0; ///< Vectors stored (faiss ntotal).
  std::int64_t num_lists = 0;   ///< Inverted lists (faiss nlist); 0 for a flat index.
  int nprobe = 0;               ///< Lists scanned per query.
};

/// The k nearest stored vectors of each query, nearest first.
struct Neighbours {
  std::int64_t num_queries = 0;   ///< Rows searched.
  int k = 0;                      ///< Neighbours per row.
  std::vector<float> distances;   ///< [num_queries, k] squared L2 distances, ascending.
  std::vector<std::int64_t> ids;  ///< [num_queries, k] vector ids; -1 where a list held fewer than k.
};

/// An RVC retrieval index, read once and then shared: search and blend are const and may run on
/// any number of threads at once.
///
/// Reads `added_IVF<n>_Flat_nprobe_1_<name>_<v1|v2>.index` (and any other L2 faiss index whose
/// vectors can be reconstructed). The file's bytes are read by rvc and handed to faiss from
/// memory, so every UTF-8 path works. The stored vectors are reconstructed once, as RVC does with
/// `reconstruct_n(0, ntotal)`.
class FeatureIndex {
 public:
  /// Opens `path`. Throws rvc::Error naming the file: kFileNotFound; kWrongModelKind for a
  /// `trained_*.index` (no vectors) or a PyTorch file; kCorruptFile for a file that is not a faiss
  /// index or is truncated; kUnsupported for another metric or a structure that cannot give its
  /// vectors back; kInvalidArgument when its width is not config.expected_dim.
  explicit FeatureIndex(const std::string& path, const FeatureIndexConfig& config = {});
  ~FeatureIndex();
  FeatureIndex(FeatureIndex&&) noexcept;             ///< Moves.
  FeatureIndex& operator=(FeatureIndex&&) noexcept;  ///< Moves.

  /// What the file holds.
  const FeatureIndexInfo& info() const;
  /// The stored vectors, [info().num_vectors, info().dim] row-major, in id order.
  const std::vector<float>& vectors() const;

  /// The `k` nearest stored vectors of each of `num_queries` rows of `dim` floats. Throws
  /// kInvalidArgument when `dim` is not the index's width or `k` is not positive.
  Neighbours search(const float* queries, std::int64_t num_queries, int dim, int k = kDefaultNeighbours) const;

  /// RVC's retrieval blend of `num_frames` rows of `dim` features (50 frames per second), written
  /// to `out` (which may be `features` itself):
  /// `out = index_rate · Σ w_j · v_j + (1 − index_rate) · features`, over the k nearest stored
  /// vectors v_j, with weights w_j = (1/d_j)² normalised to sum 1 per row.
  ///
  /// Where RVC would produce NaN or read a wrong row, this does what the formula tends to: a row
  /// with neighbours at distance 0 takes their mean; ids of -1 (lists holding fewer than k
  /// vectors) are left out; a row with no neighbour at all keeps its features. Throws
  /// kInvalidArgument for a wrong `dim`, an `index_rate` outside [0, 1], non-finite features or
  /// a non-positive `k`.
  void blend(const float* features, std::int64_t num_frames, int dim, float index_rate, float* out,
             int k = kDefaultNeighbours) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// "v1" for 256-wide features, "v2" for 768-wide ones, "" for any other width.
std::string version_for_feature_dim(int dim);

}  // namespace rvc::index
