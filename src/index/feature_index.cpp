#include "rvc/index/feature_index.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <type_traits>
#include <typeinfo>

#include <faiss/IndexFlat.h>
#include <faiss/IndexIVF.h>
#include <faiss/IndexIVFFlat.h>
#include <faiss/impl/FaissException.h>

#include "index/faiss_file.hpp"
#include "rvc/error.hpp"

namespace rvc::index {
namespace {

static_assert(std::is_same_v<faiss::Index::idx_t, std::int64_t>, "faiss ids are written straight into Neighbours");

std::string width_text(int dim) {
  const std::string version = version_for_feature_dim(dim);
  return std::to_string(dim) + "-d" + (version.empty() ? "" : " (" + version + ")");
}

// faiss's factory string for the structures RVC uses ("IVF17,Flat").
std::string describe_structure(const faiss::Index& index) {
  if (const auto* ivf = dynamic_cast<const faiss::IndexIVF*>(&index)) {
    const bool flat = dynamic_cast<const faiss::IndexIVFFlat*>(&index) != nullptr;
    return "IVF" + std::to_string(ivf->nlist) + (flat ? ",Flat" : ",other encoding");
  }
  if (dynamic_cast<const faiss::IndexFlat*>(&index) != nullptr) return "Flat";
  return "another faiss structure";
}

void check_width(const std::string& path, int index_dim, int dim, const char* what) {
  if (dim != index_dim) {
    throw Error(ErrorCode::kInvalidArgument,
                "index '" + path + "' holds " + width_text(index_dim) + " features but the " + what + " are " +
                    width_text(dim) + "; use the index built with the same model version");
  }
}

// Squared L2 distance; vectorised for the CPU at hand (Debian's faiss is built for baseline x86-64,
// where its own distance loop is scalar and dominates the search).
__attribute__((target_clones("avx512f", "avx2", "default")))
float squared_l2(const float* a, const float* b, std::size_t dim) {
  constexpr std::size_t kLanes = 64;  // several independent vector accumulators
  float lanes[kLanes] = {};
  std::size_t i = 0;
  for (; i + kLanes <= dim; i += kLanes) {
    for (std::size_t j = 0; j < kLanes; ++j) {
      const float difference = a[i + j] - b[i + j];
      lanes[j] += difference * difference;
    }
  }
  float sum = 0;
  for (; i < dim; ++i) sum += (a[i] - b[i]) * (a[i] - b[i]);
  for (const float lane : lanes) sum += lane;
  return sum;
}

// faiss's IndexIVFFlat search with the same coarse assignment (faiss's quantizer) and exact
// distances over the probed lists, kept sorted ascending; unfilled slots are (FLT_MAX, -1) as in
// faiss.
void search_ivf_flat(const faiss::IndexIVFFlat& ivf, const float* queries, std::int64_t num_queries, int k,
                     Neighbours& result) {
  const auto nprobe = static_cast<std::int64_t>(std::min(ivf.nprobe, ivf.nlist));
  std::vector<float> coarse_distances(static_cast<std::size_t>(num_queries * nprobe));
  std::vector<faiss::Index::idx_t> lists(coarse_distances.size());
  ivf.quantizer->search(num_queries, queries, nprobe, coarse_distances.data(), lists.data());
  const auto dim = static_cast<std::size_t>(ivf.d);
#pragma omp parallel for schedule(dynamic, 16)
  for (std::int64_t q = 0; q < num_queries; ++q) {
    const float* query = queries + static_cast<std::size_t>(q) * dim;
    float* best_distances = result.distances.data() + q * k;
    std::int64_t* best_ids = result.ids.data() + q * k;
    std::fill(best_distances, best_distances + k, std::numeric_limits<float>::max());
    std::fill(best_ids, best_ids + k, -1);
    for (std::int64_t p = 0; p < nprobe; ++p) {
      const faiss::Index::idx_t list = lists[static_cast<std::size_t>(q * nprobe + p)];
      if (list < 0) continue;
      const std::size_t size = ivf.invlists->list_size(static_cast<std::size_t>(list));
      faiss::InvertedLists::ScopedCodes codes(ivf.invlists, static_cast<std::size_t>(list));
      faiss::InvertedLists::ScopedIds ids(ivf.invlists, static_cast<std::size_t>(list));
      const auto* vectors = reinterpret_cast<const float*>(codes.get());
      for (std::size_t j = 0; j < size; ++j) {
        const float distance = squared_l2(query, vectors + j * dim, dim);
        if (!(distance < best_distances[k - 1])) continue;
        int slot = k - 1;  // insertion into the sorted top k
        while (slot > 0 && best_distances[slot - 1] > distance) {
          best_distances[slot] = best_distances[slot - 1];
          best_ids[slot] = best_ids[slot - 1];
          --slot;
        }
        best_distances[slot] = distance;
        best_ids[slot] = static_cast<std::int64_t>(ids.get()[j]);
      }
    }
  }
}

}  // namespace

std::string version_for_feature_dim(int dim) {
  if (dim == 256) return "v1";
  if (dim == 768) return "v2";
  return "";
}

void FeatureIndexConfig::validate() const {
  if (expected_dim < 0) {
    throw Error(ErrorCode::kInvalidArgument,
                "FeatureIndexConfig.expected_dim must be 0 (any) or the model's feature width, got " +
                    std::to_string(expected_dim));
  }
  if (nprobe < 0) {
    throw Error(ErrorCode::kInvalidArgument,
                "FeatureIndexConfig.nprobe must be 0 (the file's) or positive, got " + std::to_string(nprobe));
  }
}

struct FeatureIndex::Impl {
  std::unique_ptr<faiss::Index> index;
  FeatureIndexInfo info;
  std::vector<float> vectors;
};

FeatureIndex::FeatureIndex(const std::string& path, const FeatureIndexConfig& config)
    : impl_(std::make_unique<Impl>()) {
  config.validate();
  impl_->index = read_faiss_index(path);
  faiss::Index& index = *impl_->index;
  FeatureIndexInfo& info = impl_->info;
  info.path = path;
  info.dim = static_cast<int>(index.d);
  info.num_vectors = static_cast<std::int64_t>(index.ntotal);
  if (auto* ivf = dynamic_cast<faiss::IndexIVF*>(&index)) {
    if (config.nprobe > 0) ivf->nprobe = static_cast<std::size_t>(config.nprobe);
    info.num_lists = static_cast<std::int64_t>(ivf->nlist);
    info.nprobe = static_cast<int>(ivf->nprobe);
  }
  info.description = describe_structure(index);
  if (index.metric_type != faiss::METRIC_L2) {
    throw Error(ErrorCode::kUnsupported, "index '" + path + "' (" + info.description +
                                             ") compares vectors by inner product; RVC's indexes use L2 distance: "
                                             "build one with `rvc index build`");
  }
  if (info.num_vectors == 0) {
    throw Error(ErrorCode::kWrongModelKind,
                "index '" + path + "' holds no vectors: it is the trained_*.index RVC writes before adding "
                "features. Use the added_*.index file from the same folder");
  }
  if (config.expected_dim != 0) check_width(path, info.dim, config.expected_dim, "voice model's features");
  try {
    impl_->vectors.resize(static_cast<std::size_t>(info.num_vectors) * static_cast<std::size_t>(info.dim));
    index.reconstruct_n(0, index.ntotal, impl_->vectors.data());
  } catch (const faiss::FaissException& e) {
    throw Error(ErrorCode::kUnsupported, "index '" + path + "' (" + info.description +
                                             ") cannot give its vectors back (" + e.msg +
                                             "); RVC needs an IVF-Flat index: build one with `rvc index build`");
  }
}

FeatureIndex::~FeatureIndex() = default;
FeatureIndex::FeatureIndex(FeatureIndex&&) noexcept = default;
FeatureIndex& FeatureIndex::operator=(FeatureIndex&&) noexcept = default;

const FeatureIndexInfo& FeatureIndex::info() const { return impl_->info; }
const std::vector<float>& FeatureIndex::vectors() const { return impl_->vectors; }

Neighbours FeatureIndex::search(const float* queries, std::int64_t num_queries, int dim, int k) const {
  check_width(impl_->info.path, impl_->info.dim, dim, "query features");
  if (k <= 0) throw Error(ErrorCode::kInvalidArgument, "search: k must be positive, got " + std::to_string(k));
  if (num_queries < 0 || (num_queries > 0 && queries == nullptr)) {
    throw Error(ErrorCode::kInvalidArgument, "search: no query features given");
  }
  Neighbours result;
  result.num_queries = num_queries;
  result.k = k;
  const auto size = static_cast<std::size_t>(num_queries) * static_cast<std::size_t>(k);
  result.distances.resize(size);
  result.ids.resize(size);
  const faiss::Index& index = *impl_->index;
  if (typeid(index) == typeid(faiss::IndexIVFFlat)) {  // exactly: subclasses store other codes
    search_ivf_flat(static_cast<const faiss::IndexIVFFlat&>(index), queries, num_queries, k, result);
  } else if (num_queries > 0) {
    index.search(num_queries, queries, k, result.distances.data(), result.ids.data());
  }
  return result;
}

void FeatureIndex::blend(const float* features, std::int64_t num_frames, int dim, float index_rate, float* out,
                         int k) const {
  if (!(index_rate >= 0.0f && index_rate <= 1.0f)) {
    throw Error(ErrorCode::kInvalidArgument,
                "index_rate must be in [0, 1] (RVC's default is 0.75), got " + std::to_string(index_rate));
  }
  if (num_frames > 0 && (features == nullptr || out == nullptr)) {
    throw Error(ErrorCode::kInvalidArgument, "blend: features and out must not be null");
  }
  const std::size_t width = static_cast<std::size_t>(dim);
  for (std::size_t i = 0; i < static_cast<std::size_t>(std::max<std::int64_t>(num_frames, 0)) * width; ++i) {
    if (!std::isfinite(features[i])) {
      throw Error(ErrorCode::kInvalidArgument, "blend: feature frame " + std::to_string(i / width) +
                                                   " holds NaN or Inf; check the content encoder's input");
    }
  }
  const Neighbours neighbours = search(features, num_frames, dim, k);
  const float* stored = impl_->vectors.data();
  std::vector<double> weights(static_cast<std::size_t>(k));
  std::vector<double> retrieved(width);
  for (std::int64_t frame = 0; frame < num_frames; ++frame) {
    const float* distances = neighbours.distances.data() + frame * k;
    const std::int64_t* ids = neighbours.ids.data() + frame * k;
    // RVC's weights (1/d)², computed in double so that tiny distances do not overflow; exact
    // matches (weight infinite) share the row between them, which is the formula's limit.
    bool any_exact = false;
    for (int j = 0; j < k; ++j) any_exact = any_exact || (ids[j] >= 0 && distances[j] <= 0.0f);
    double total = 0;
    for (int j = 0; j < k; ++j) {
      double weight = 0;
      if (ids[j] >= 0) {
        weight = any_exact ? (distances[j] <= 0.0f ? 1.0 : 0.0) : std::pow(1.0 / distances[j], 2);
      }
      weights[static_cast<std::size_t>(j)] = weight;
      total += weight;
    }
    const float* query = features + frame * dim;
    float* target = out + frame * dim;
    if (total == 0) {  // no stored vector reached: the frame keeps its own features
      if (target != query) std::copy(query, query + width, target);
      continue;
    }
    std::fill(retrieved.begin(), retrieved.end(), 0.0);
    for (int j = 0; j < k; ++j) {
      const double weight = weights[static_cast<std::size_t>(j)] / total;
      if (weight == 0) continue;
      const float* vector = stored + ids[j] * dim;
      for (std::size_t c = 0; c < width; ++c) retrieved[c] += weight * vector[c];
    }
    for (std::size_t c = 0; c < width; ++c) {
      target[c] = static_cast<float>(static_cast<double>(index_rate) * retrieved[c] +
                                     (1.0 - static_cast<double>(index_rate)) * query[c]);
    }
  }
}

}  // namespace rvc::index
