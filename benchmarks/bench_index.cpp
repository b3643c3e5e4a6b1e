// The retrieval index: building RVC's index from a million feature rows (the k-means reduction
// path) and the per-chunk search + blend the converter runs.
#include <benchmark/benchmark.h>

#include <filesystem>
#include <random>

#include "bench_memory.hpp"
#include "rvc/index/feature_index.hpp"
#include "rvc/index/index_builder.hpp"

namespace {

constexpr int kDim = 768;

rvc::index::FeatureMatrix random_features(std::int64_t rows, std::uint64_t seed) {
  rvc::index::FeatureMatrix matrix;
  matrix.rows = rows;
  matrix.dim = kDim;
  matrix.values.resize(static_cast<std::size_t>(rows) * kDim);
  std::mt19937 random(static_cast<std::uint32_t>(seed));
  std::normal_distribution<float> normal;
  for (float& value : matrix.values) value = normal(random);
  return matrix;
}

std::string scratch_folder(const std::string& name) {
  const auto folder = std::filesystem::temp_directory_path() / name;
  std::filesystem::remove_all(folder);
  return folder.string();
}

// Run it alone (--benchmark_filter) for a meaningful peak: RVC's target is a peak under twice the
// feature matrix (1 000 000 × 768 float32 = 3072 MB).
void BM_IndexBuildOneMillionRows(benchmark::State& state) {
  const std::string folder = scratch_folder("rvc bench index build");
  double matrix_mb = 0;
  rvc::index::IndexBuildResult result;
  for (auto _ : state) {
    state.PauseTiming();
    rvc::index::FeatureMatrix features = random_features(1000000, 1);
    matrix_mb = static_cast<double>(features.values.size() * sizeof(float)) / (1024.0 * 1024.0);
    state.ResumeTiming();
    result = rvc::index::build_index(std::move(features), folder);
  }
  state.counters["matrix_MB"] = matrix_mb;
  state.counters["peak_MB"] = rvc::bench::peak_rss_mb();
  state.counters["peak_per_matrix"] = rvc::bench::peak_rss_mb() / matrix_mb;
  state.counters["vectors"] = static_cast<double>(result.indexed_rows);
  state.counters["lists"] = static_cast<double>(result.num_lists);
  std::filesystem::remove_all(folder);
}
BENCHMARK(BM_IndexBuildOneMillionRows)->Unit(benchmark::kSecond)->Iterations(1)->UseRealTime();

// 1 000 frames (20 s of speech at 50 frames per second) against a 10 000-vector index.
void BM_IndexSearchAndBlendThousandFrames(benchmark::State& state) {
  const std::string folder = scratch_folder("rvc bench index search");
  const rvc::index::IndexBuildResult built = rvc::index::build_index(random_features(10000, 2), folder);
  const rvc::index::FeatureIndex index(built.added_path);
  const rvc::index::FeatureMatrix queries = random_features(1000, 3);
  std::vector<float> blended(queries.values.size());
  for (auto _ : state) {
    index.blend(queries.values.data(), queries.rows, kDim, rvc::index::kDefaultIndexRate, blended.data());
    benchmark::DoNotOptimize(blended.data());
  }
  state.counters["lists"] = static_cast<double>(index.info().num_lists);
  std::filesystem::remove_all(folder);
}
BENCHMARK(BM_IndexSearchAndBlendThousandFrames)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
