// Building indexes: feature folders as RVC lays them out, the k-means reduction, cancelling, and
// the inputs RVC users get wrong.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <random>

#include <faiss/Clustering.h>
#include <faiss/IndexFlat.h>

#include "index/kmeans_reduction.hpp"
#include "io/file_util.hpp"
#include "rvc/index/feature_index.hpp"
#include "rvc/index/index_builder.hpp"
#include "rvc/io/npy.hpp"
#include "test_util.hpp"

namespace rvc::index {
namespace {

using test::thrown_error;

// `clusters` Gaussian blobs of `rows` rows in `dim` dimensions.
FeatureMatrix blobs(std::int64_t rows, int dim, int clusters, std::uint64_t seed) {
  std::mt19937_64 generator(seed);
  std::normal_distribution<float> normal;
  std::vector<float> centres(static_cast<std::size_t>(clusters) * dim);
  for (float& value : centres) value = 4.0f * normal(generator);
  FeatureMatrix matrix;
  matrix.rows = rows;
  matrix.dim = dim;
  matrix.values.resize(static_cast<std::size_t>(rows) * dim);
  for (std::int64_t row = 0; row < rows; ++row) {
    const std::size_t centre = static_cast<std::size_t>(generator() % static_cast<std::uint64_t>(clusters));
    for (int c = 0; c < dim; ++c) {
      matrix.values[row * dim + c] = centres[centre * dim + c] + normal(generator);
    }
  }
  return matrix;
}

void save_rows(const std::string& path, const FeatureMatrix& matrix, std::int64_t first, std::int64_t count) {
  const std::vector<float> rows(matrix.values.begin() + first * matrix.dim,
                                matrix.values.begin() + (first + count) * matrix.dim);
  io::save_npy(path, io::TensorData::from_floats({count, matrix.dim}, rows));
}

// Mean squared distance of each row to its nearest centre.
double quantization_error(const FeatureMatrix& data, const std::vector<float>& centres) {
  faiss::IndexFlatL2 index(data.dim);
  index.add(static_cast<faiss::Index::idx_t>(centres.size() / data.dim), centres.data());
  std::vector<float> distances(static_cast<std::size_t>(data.rows));
  std::vector<faiss::Index::idx_t> ids(static_cast<std::size_t>(data.rows));
  index.search(data.rows, data.values.data(), 1, distances.data(), ids.data());
  double total = 0;
  for (const float d : distances) total += d;
  return total / static_cast<double>(data.rows);
}

TEST(FeatureMatrix, ReadsAnExperimentFolderInSortedFileOrder) {
  test::ScratchDir scratch;
  const FeatureMatrix all = blobs(300, 768, 4, 1);
  const std::string folder = scratch.file("logs/my voice (声)/3_feature768");
  std::filesystem::create_directories(std::filesystem::u8path(folder));
  save_rows(folder + "/1_b.npy", all, 100, 150);  // "0_a" sorts first
  save_rows(folder + "/0_a.npy", all, 0, 100);
  save_rows(folder + "/2_c.npy", all, 250, 50);
  for (const std::string& path : {folder, scratch.file("logs/my voice (声)")}) {
    const FeatureMatrix loaded = load_feature_matrix(path);
    EXPECT_EQ(loaded.rows, 300);
    EXPECT_EQ(loaded.dim, 768);
    EXPECT_EQ(loaded.values, all.values) << path;
  }
}

TEST(FeatureMatrix, ReadsFloat16AndFloat64Files) {
  test::ScratchDir scratch;
  const std::vector<float> values = {0.5f, -1.25f, 3.0f, 8.0f, -0.125f, 2.0f};
  std::vector<std::uint8_t> half_bytes;
  for (const float v : values) {
    const std::uint16_t bits = io::float_to_half(v);
    half_bytes.push_back(static_cast<std::uint8_t>(bits & 0xff));
    half_bytes.push_back(static_cast<std::uint8_t>(bits >> 8));
  }
  io::save_npy(scratch.file("half.npy"), io::TensorData::from_bytes(io::DType::kFloat16, {2, 3}, half_bytes));
  EXPECT_EQ(load_feature_matrix(scratch.file("half.npy")).values, values);
  std::vector<std::uint8_t> double_bytes(values.size() * 8);
  for (std::size_t i = 0; i < values.size(); ++i) {
    const double v = values[i];
    std::memcpy(double_bytes.data() + 8 * i, &v, 8);
  }
  io::save_npy(scratch.file("double.npy"), io::TensorData::from_bytes(io::DType::kFloat64, {1, 2, 3}, double_bytes));
  const FeatureMatrix loaded = load_feature_matrix(scratch.file("double.npy"));
  EXPECT_EQ(loaded.rows, 2);
  EXPECT_EQ(loaded.values, values);
}

TEST(FeatureMatrix, ExplainsWhatIsWrongWithTheFeatures) {
  test::ScratchDir scratch;
  std::filesystem::create_directories(scratch.path() / "empty");
  Error error = thrown_error([&] { load_feature_matrix(scratch.file("empty")); });
  EXPECT_EQ(error.code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(std::string(error.what()).find("extract features first"), std::string::npos) << error.what();

  EXPECT_EQ(thrown_error([&] { load_feature_matrix(scratch.file("missing")); }).code(), ErrorCode::kFileNotFound);

  const FeatureMatrix wide = blobs(10, 768, 1, 2);
  const FeatureMatrix narrow = blobs(10, 256, 1, 3);
  std::filesystem::create_directories(scratch.path() / "mixed");
  save_rows(scratch.file("mixed/a.npy"), wide, 0, 10);
  save_rows(scratch.file("mixed/b.npy"), narrow, 0, 10);
  error = thrown_error([&] { load_feature_matrix(scratch.file("mixed")); });
  EXPECT_EQ(error.code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(std::string(error.what()).find("b.npy"), std::string::npos) << error.what();

  FeatureMatrix broken = blobs(10, 768, 1, 4);
  broken.values[5 * 768 + 7] = std::nanf("");
  save_rows(scratch.file("nan.npy"), broken, 0, 10);
  error = thrown_error([&] { load_feature_matrix(scratch.file("nan.npy")); });
  EXPECT_EQ(error.code(), ErrorCode::kCorruptFile);
  EXPECT_NE(std::string(error.what()).find("frame 5"), std::string::npos) << error.what();
}

TEST(IndexBuilder, WritesIntoTheExperimentFolderUnderItsName) {
  test::ScratchDir scratch;
  const std::string experiment = scratch.file("logs/my voice (声)");
  std::filesystem::create_directories(std::filesystem::u8path(experiment + "/3_feature256"));
  save_rows(experiment + "/3_feature256/0_0.npy", blobs(120, 256, 2, 20), 0, 120);
  for (const std::string& path : {experiment, experiment + "/", experiment + "/3_feature256",
                                  experiment + "/3_feature256/0_0.npy"}) {
    const ExperimentLayout layout = experiment_layout(path);
    EXPECT_EQ(layout.folder, experiment) << path;
    EXPECT_EQ(layout.name, "my voice (声)") << path;
  }
  const IndexBuildResult result = build_index_from_path(experiment + "/3_feature256", "", {});
  EXPECT_EQ(result.added_path, experiment + "/added_IVF3_Flat_nprobe_1_my voice (声)_v1.index");
  EXPECT_EQ(FeatureIndex(result.added_path).info().num_vectors, 120);
  EXPECT_EQ(experiment_layout(experiment + "/3_feature256/0_0.npy").name, "my voice (声)");
  EXPECT_EQ(experiment_layout(scratch.file("loose.npy")).folder, scratch.path().u8string());
}

TEST(IndexBuilder, BuildsFromAFolderAndTheResultLoads) {
  test::ScratchDir scratch;
  const FeatureMatrix all = blobs(2000, 256, 12, 5);
  IndexBuildConfig config;
  config.name = "voice (测试)";
  config.seed = 7;
  const IndexBuildResult first = build_index(all, scratch.file("out"), config);
  EXPECT_EQ(first.num_lists, 51);  // min(⌊16·√2000⌋ = 715, 2000 // 39 = 51)
  EXPECT_EQ(std::filesystem::u8path(first.added_path).filename().u8string(),
            "added_IVF51_Flat_nprobe_1_voice (测试)_v1.index");
  const FeatureIndex index(first.added_path);
  EXPECT_EQ(index.info().num_vectors, 2000);
  EXPECT_EQ(index.info().dim, 256);
  EXPECT_EQ(index.info().nprobe, 1);
  // Every row is stored once, in the shuffled order.
  std::vector<float> sorted_in = all.values;
  std::vector<float> sorted_out = index.vectors();
  std::sort(sorted_in.begin(), sorted_in.end());
  std::sort(sorted_out.begin(), sorted_out.end());
  EXPECT_EQ(sorted_in, sorted_out);
  EXPECT_NE(index.vectors(), all.values);
  EXPECT_EQ(thrown_error([&] { FeatureIndex{first.trained_path}; }).code(), ErrorCode::kWrongModelKind);

  // The same rows and seed give the same file; another seed another shuffle.
  const IndexBuildResult again = build_index(all, scratch.file("again"), config);
  EXPECT_EQ(FeatureIndex(again.added_path).vectors(), index.vectors());
  config.seed = 8;
  EXPECT_NE(FeatureIndex(build_index(all, scratch.file("other"), config).added_path).vectors(), index.vectors());
}

TEST(IndexBuilder, TinySetsGetOneListAndBlendSkipsMissingNeighbours) {
  test::ScratchDir scratch;
  const FeatureMatrix few = blobs(5, 768, 2, 6);
  const IndexBuildResult result = build_index(few, scratch.file("tiny"), {});
  EXPECT_EQ(result.num_lists, 1);
  const FeatureIndex index(result.added_path);
  const FeatureMatrix query = blobs(1, 768, 1, 7);
  const Neighbours found = index.search(query.values.data(), 1, 768, 8);
  EXPECT_EQ(std::count(found.ids.begin(), found.ids.end(), -1), 3);
  std::vector<float> out(768);
  index.blend(query.values.data(), 1, 768, 1.0f, out.data());
  // Expected: (1/d)² weights over the five real neighbours only.
  std::vector<double> expected(768, 0.0);
  double total = 0;
  for (int j = 0; j < 5; ++j) total += 1.0 / (static_cast<double>(found.distances[j]) * found.distances[j]);
  for (int j = 0; j < 5; ++j) {
    const double weight = 1.0 / (static_cast<double>(found.distances[j]) * found.distances[j]) / total;
    for (int c = 0; c < 768; ++c) expected[c] += weight * index.vectors()[found.ids[j] * 768 + c];
  }
  for (int c = 0; c < 768; ++c) ASSERT_NEAR(out[c], expected[c], 1e-5) << c;
}

TEST(IndexBuilder, LargeSetsAreReducedByKMeansToTheConfiguredCentres) {
  test::ScratchDir scratch;
  const FeatureMatrix all = blobs(12000, 64, 40, 9);
  IndexBuildConfig config;
  config.version = "v2";  // a width of 64 needs the version said
  config.reduce_above_rows = 5000;
  config.reduced_rows = 400;
  std::vector<std::string> stages;
  config.progress = [&](const std::string& stage, double) {
    if (stages.empty() || stages.back() != stage) stages.push_back(stage);
    return true;
  };
  const IndexBuildResult result = build_index(all, scratch.file("big"), config);
  EXPECT_TRUE(result.reduced);
  EXPECT_EQ(result.input_rows, 12000);
  EXPECT_EQ(result.indexed_rows, 400);
  EXPECT_EQ(result.num_lists, 10);  // 400 // 39
  EXPECT_EQ(stages, (std::vector<std::string>{"shuffling", "reducing", "training", "adding", "writing"}));
  const FeatureIndex index(result.added_path);
  ASSERT_EQ(index.info().num_vectors, 400);

  // The two-level centres represent the data about as well as one flat k-means with as many.
  faiss::ClusteringParameters parameters;
  parameters.niter = 20;
  parameters.min_points_per_centroid = 1;
  faiss::Clustering flat(64, 400, parameters);
  faiss::IndexFlatL2 assigner(64);
  flat.train(all.rows, all.values.data(), assigner);
  const double two_level = quantization_error(all, index.vectors());
  const double reference = quantization_error(all, flat.centroids);
  EXPECT_LT(two_level, 1.15 * reference) << "two-level " << two_level << " vs flat " << reference;
  FeatureMatrix first_rows = all;
  first_rows.rows = 400;
  first_rows.values.resize(400 * 64);
  EXPECT_LT(two_level, 0.9 * quantization_error(all, first_rows.values)) << "no better than a sample of rows";
}

TEST(IndexBuilder, CancellingLeavesNoAddedIndex) {
  test::ScratchDir scratch;
  IndexBuildConfig config;
  config.add_batch_rows = 100;
  config.progress = [](const std::string& stage, double fraction) { return !(stage == "adding" && fraction > 0.4); };
  const Error error = thrown_error([&] { build_index(blobs(1000, 256, 3, 10), scratch.file("cancel"), config); });
  EXPECT_EQ(error.code(), ErrorCode::kCancelled);
  for (const auto& entry : std::filesystem::directory_iterator(scratch.path() / "cancel")) {
    EXPECT_EQ(entry.path().filename().string().rfind("trained_", 0), 0u) << entry.path();
  }
}

TEST(IndexBuilder, RefusesInputsThatCannotMakeAnIndex) {
  test::ScratchDir scratch;
  IndexBuildConfig v1;
  v1.version = "v1";
  Error error = thrown_error([&] { build_index(blobs(100, 768, 2, 11), scratch.file("a"), v1); });
  EXPECT_EQ(error.code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(std::string(error.what()).find("v2"), std::string::npos) << error.what();
  EXPECT_EQ(thrown_error([&] { build_index(blobs(100, 100, 2, 12), scratch.file("b"), {}); }).code(),
            ErrorCode::kInvalidArgument);  // 100 wide: say the version
  EXPECT_EQ(thrown_error([&] { build_index(FeatureMatrix{}, scratch.file("c"), {}); }).code(),
            ErrorCode::kInvalidArgument);
  FeatureMatrix broken = blobs(50, 256, 2, 13);
  broken.values[3] = INFINITY;
  EXPECT_EQ(thrown_error([&] { build_index(broken, scratch.file("d"), {}); }).code(), ErrorCode::kInvalidArgument);
  IndexBuildConfig bad_name;
  bad_name.name = "a/b";
  EXPECT_EQ(thrown_error([&] { bad_name.validate(); }).code(), ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace rvc::index
