#include "index/kmeans_reduction.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <utility>
#include <vector>

#include <faiss/Clustering.h>
#include <faiss/IndexFlat.h>

#include "rvc/error.hpp"

namespace rvc::index {
namespace {

constexpr int kIterations = 20;
constexpr std::int64_t kAssignBlockRows = 65536;

faiss::ClusteringParameters clustering_parameters(std::uint64_t seed) {
  faiss::ClusteringParameters parameters;
  parameters.niter = kIterations;
  parameters.seed = static_cast<int>(seed & 0x7fffffff);
  // Cells may hold fewer than faiss's 39 rows per centre; that is expected here, not worth a warning.
  parameters.min_points_per_centroid = 1;
  return parameters;
}

// Centres of `rows` rows at `x`; faiss samples at most 256 rows per centre.
std::vector<float> kmeans(const float* x, std::int64_t rows, int dim, int centres, std::uint64_t seed) {
  faiss::Clustering clustering(dim, static_cast<std::size_t>(centres), clustering_parameters(seed));
  faiss::IndexFlatL2 assigner(dim);
  clustering.train(rows, x, assigner);
  return clustering.centroids;
}

// Splits `total` centres between cells in proportion to their rows (largest remainders).
std::vector<int> share_centres(const std::vector<std::int64_t>& cell_rows, std::int64_t rows, int total) {
  std::vector<int> shares(cell_rows.size());
  std::vector<std::pair<double, std::size_t>> remainders;
  int given = 0;
  for (std::size_t c = 0; c < cell_rows.size(); ++c) {
    const double exact = static_cast<double>(total) * static_cast<double>(cell_rows[c]) / static_cast<double>(rows);
    shares[c] = static_cast<int>(std::floor(exact));
    given += shares[c];
    remainders.emplace_back(exact - shares[c], c);
  }
  std::sort(remainders.begin(), remainders.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first > b.first : a.second < b.second;
  });
  for (std::size_t i = 0; given < total && i < remainders.size(); ++i, ++given) ++shares[remainders[i].second];
  return shares;
}

// Reorders the rows (and their labels) so that each cell's rows are contiguous, in place.
std::vector<std::int64_t> group_rows_by_cell(FeatureMatrix& features, std::vector<std::int64_t>& labels,
                                             std::size_t num_cells) {
  std::vector<std::int64_t> start(num_cells + 1, 0);
  for (const std::int64_t label : labels) ++start[static_cast<std::size_t>(label) + 1];
  std::partial_sum(start.begin(), start.end(), start.begin());
  std::vector<std::int64_t> next(start.begin(), start.end() - 1);
  const auto dim = static_cast<std::size_t>(features.dim);
  float* x = features.values.data();
  for (std::size_t cell = 0; cell < num_cells; ++cell) {
    while (next[cell] < start[cell + 1]) {
      const std::int64_t row = next[cell];
      const auto home = static_cast<std::size_t>(labels[static_cast<std::size_t>(row)]);
      if (home == cell) {
        ++next[cell];
        continue;
      }
      const std::int64_t slot = next[home]++;
      std::swap_ranges(x + row * dim, x + (row + 1) * dim, x + slot * dim);
      std::swap(labels[static_cast<std::size_t>(row)], labels[static_cast<std::size_t>(slot)]);
    }
  }
  return start;
}

}  // namespace

void reduce_by_kmeans(FeatureMatrix& features, int num_centres, std::uint64_t seed,
                      const std::function<bool(double fraction)>& report) {
  const std::int64_t rows = features.rows;
  const int dim = features.dim;
  if (num_centres <= 0 || num_centres >= rows) {
    throw Error(ErrorCode::kInternal, "reduce_by_kmeans: " + std::to_string(num_centres) + " centres for " +
                                          std::to_string(rows) + " rows");
  }
  auto stop_if_asked = [&](double fraction) {
    if (report && !report(fraction)) {
      throw Error(ErrorCode::kCancelled, "index build cancelled during the k-means reduction; nothing was written");
    }
  };
  const int num_cells = std::max(1, static_cast<int>(std::lround(std::sqrt(static_cast<double>(num_centres)))));
  const std::vector<float> cell_centres = kmeans(features.values.data(), rows, dim, num_cells, seed);
  stop_if_asked(0.05);

  faiss::IndexFlatL2 cells(dim);
  cells.add(num_cells, cell_centres.data());
  std::vector<std::int64_t> labels(static_cast<std::size_t>(rows));
  std::vector<float> distances(kAssignBlockRows);
  for (std::int64_t first = 0; first < rows; first += kAssignBlockRows) {
    const std::int64_t count = std::min(kAssignBlockRows, rows - first);
    cells.search(count, features.values.data() + first * dim, 1, distances.data(), labels.data() + first);
    stop_if_asked(0.05 + 0.05 * static_cast<double>(first + count) / static_cast<double>(rows));
  }

  const std::vector<std::int64_t> start = group_rows_by_cell(features, labels, static_cast<std::size_t>(num_cells));
  std::vector<std::int64_t> cell_rows(static_cast<std::size_t>(num_cells));
  for (std::size_t c = 0; c < cell_rows.size(); ++c) cell_rows[c] = start[c + 1] - start[c];
  const std::vector<int> shares = share_centres(cell_rows, rows, num_centres);

  std::vector<float> centres;
  centres.reserve(static_cast<std::size_t>(num_centres) * static_cast<std::size_t>(dim));
  std::int64_t done_rows = 0;
  for (std::size_t c = 0; c < cell_rows.size(); ++c) {
    if (shares[c] > 0) {
      const std::vector<float> found =
          kmeans(features.values.data() + start[c] * dim, cell_rows[c], dim, shares[c], seed + 1 + c);
      centres.insert(centres.end(), found.begin(), found.end());
    }
    done_rows += cell_rows[c];
    stop_if_asked(0.1 + 0.9 * static_cast<double>(done_rows) / static_cast<double>(rows));
  }
  features.values = std::move(centres);
  features.values.shrink_to_fit();
  features.rows = num_centres;
}

}  // namespace rvc::index
