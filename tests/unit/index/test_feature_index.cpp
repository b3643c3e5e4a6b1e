// The retrieval index against the index built and searched by RVC itself (fixtures/index), and
// the blend's edge cases.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include <faiss/IndexFlat.h>
#include <faiss/index_io.h>

#include "rvc/index/feature_index.hpp"
#include "rvc/index/index_builder.hpp"
#include "rvc/io/npy.hpp"
#include "test_util.hpp"

namespace rvc::index {
namespace {

using test::data_path;
using test::thrown_error;

const std::string kAdded = "index/added_IVF17_Flat_nprobe_1_fixture_v2.index";
const std::string kTrained = "index/trained_IVF17_Flat_nprobe_1_fixture_v2.index";

std::vector<float> npy_floats(const std::string& relative) { return io::load_npy(data_path(relative)).to_floats(); }

// The training features in the order RVC added them: features[permutation].
FeatureMatrix fixture_big_npy() {
  const io::TensorData features = io::load_npy(data_path("index/features.npy"));
  const std::vector<float> values = features.to_floats();
  const std::vector<std::int64_t> permutation = io::load_npy(data_path("index/permutation.npy")).to_int64s();
  FeatureMatrix matrix;
  matrix.rows = features.shape()[0];
  matrix.dim = static_cast<int>(features.shape()[1]);
  for (const std::int64_t row : permutation) {
    matrix.values.insert(matrix.values.end(), values.begin() + row * matrix.dim,
                         values.begin() + (row + 1) * matrix.dim);
  }
  return matrix;
}

TEST(FeatureIndex, ReadsTheIndexRvcBuiltAndReconstructsItsVectors) {
  const FeatureIndex index(data_path(kAdded));
  EXPECT_EQ(index.info().dim, 768);
  EXPECT_EQ(index.info().num_vectors, 681);
  EXPECT_EQ(index.info().num_lists, 17);
  EXPECT_EQ(index.info().nprobe, 1);
  EXPECT_EQ(index.info().description, "IVF17,Flat");
  EXPECT_EQ(index.vectors(), fixture_big_npy().values);  // big_npy = reconstruct_n(0, ntotal), exactly
}

TEST(FeatureIndex, SearchMatchesFaissInRvc) {
  const FeatureIndex index(data_path(kAdded));
  const io::TensorData queries = io::load_npy(data_path("index/queries.npy"));
  const std::vector<float> query_values = queries.to_floats();
  const Neighbours found = index.search(query_values.data(), queries.shape()[0], 768, 8);
  EXPECT_EQ(found.ids, io::load_npy(data_path("index/search_ids.npy")).to_int64s());
  const std::vector<float> expected = npy_floats("index/search_distances.npy");
  ASSERT_EQ(found.distances.size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_NEAR(found.distances[i], expected[i], 1e-4 * std::abs(expected[i])) << "at " << i;
  }
}

TEST(FeatureIndex, BlendMatchesRvcAndWorksInPlace) {
  const FeatureIndex index(data_path(kAdded));
  const io::TensorData queries = io::load_npy(data_path("index/queries.npy"));
  std::vector<float> features = queries.to_floats();
  std::vector<float> blended(features.size());
  index.blend(features.data(), queries.shape()[0], 768, 0.75f, blended.data());
  const std::vector<float> expected = npy_floats("index/blended_0.75.npy");
  const double worst = test::max_abs_diff(blended, expected);
  EXPECT_LE(worst, 1e-4);
  EXPECT_GT(test::max_abs_diff(features, expected), 100 * worst) << "the blend must change the features";
  index.blend(features.data(), queries.shape()[0], 768, 0.75f, features.data());
  EXPECT_EQ(features, blended);
}

TEST(FeatureIndex, BlendRateZeroKeepsFeaturesAndOneTakesRetrieval) {
  const FeatureIndex index(data_path(kAdded));
  std::vector<float> features = npy_floats("index/queries.npy");
  std::vector<float> out(features.size());
  index.blend(features.data(), 135, 768, 0.0f, out.data());
  EXPECT_EQ(out, features);
  index.blend(features.data(), 135, 768, 1.0f, out.data());
  EXPECT_GT(test::max_abs_diff(out, features), 0.1);
}

TEST(FeatureIndex, ExactMatchGivesTheStoredVectorInsteadOfNaN) {
  const FeatureIndex index(data_path(kAdded));
  const std::vector<float> stored(index.vectors().begin() + 5 * 768, index.vectors().begin() + 6 * 768);
  std::vector<float> out(768);
  index.blend(stored.data(), 1, 768, 0.75f, out.data());
  EXPECT_LE(test::max_abs_diff(out, stored), 1e-6);
}

TEST(FeatureIndex, RefusesWrongFilesWithClearErrors) {
  Error error = thrown_error([] { FeatureIndex(data_path(kTrained)); });
  EXPECT_EQ(error.code(), ErrorCode::kWrongModelKind);
  EXPECT_NE(std::string(error.what()).find("added_"), std::string::npos) << error.what();

  FeatureIndexConfig v1_model;
  v1_model.expected_dim = 256;
  error = thrown_error([&] { FeatureIndex(data_path(kAdded), v1_model); });
  EXPECT_EQ(error.code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(std::string(error.what()).find("768-d (v2)"), std::string::npos) << error.what();
  EXPECT_NE(std::string(error.what()).find("256-d (v1)"), std::string::npos) << error.what();

  error = thrown_error([] { FeatureIndex(data_path("models/v2_f0_40k.pth")); });
  EXPECT_EQ(error.code(), ErrorCode::kWrongModelKind);
  EXPECT_NE(std::string(error.what()).find("voice model"), std::string::npos) << error.what();

  error = thrown_error([] { FeatureIndex(data_path("index/features.npy")); });
  EXPECT_EQ(error.code(), ErrorCode::kCorruptFile);
  EXPECT_NE(std::string(error.what()).find("features.npy"), std::string::npos) << error.what();

  error = thrown_error([] { FeatureIndex(data_path("index/missing.index")); });
  EXPECT_EQ(error.code(), ErrorCode::kFileNotFound);
}

TEST(FeatureIndex, TruncatedOrEmptyFileIsCorrupt) {
  test::ScratchDir scratch;
  std::ifstream source(data_path(kAdded), std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(source)), std::istreambuf_iterator<char>());
  for (const std::size_t keep : {std::size_t{0}, std::size_t{3}, std::size_t{200}, bytes.size() / 2, bytes.size() - 1}) {
    const std::string path = scratch.file("cut (" + std::to_string(keep) + ").index");
    std::ofstream(path, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(keep));
    const Error error = thrown_error([&] { FeatureIndex{path}; });
    EXPECT_EQ(error.code(), ErrorCode::kCorruptFile) << keep << " bytes: " << error.what();
    EXPECT_NE(std::string(error.what()).find(path), std::string::npos) << error.what();
  }
}

TEST(FeatureIndex, BadQueriesAreRefused) {
  const FeatureIndex index(data_path(kAdded));
  std::vector<float> features(2 * 768, 0.5f);
  std::vector<float> out(features.size());
  EXPECT_EQ(thrown_error([&] { index.search(features.data(), 3, 512, 8); }).code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(thrown_error([&] { index.search(features.data(), 2, 768, 0); }).code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(thrown_error([&] { index.blend(features.data(), 2, 768, 1.5f, out.data()); }).code(),
            ErrorCode::kInvalidArgument);
  features[800] = std::nanf("");
  const Error error = thrown_error([&] { index.blend(features.data(), 2, 768, 0.75f, out.data()); });
  EXPECT_EQ(error.code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(std::string(error.what()).find("frame 1"), std::string::npos) << error.what();
}

TEST(FeatureIndex, OtherL2IndexesWorkThroughFaissItself) {
  test::ScratchDir scratch;
  const FeatureMatrix rows = fixture_big_npy();
  faiss::IndexFlatL2 flat(rows.dim);
  flat.add(rows.rows, rows.values.data());
  const std::string path = scratch.file("flat (平).index");
  faiss::write_index(&flat, path.c_str());
  const FeatureIndex index(path);
  EXPECT_EQ(index.info().description, "Flat");
  EXPECT_EQ(index.info().num_lists, 0);
  EXPECT_EQ(index.vectors(), rows.values);
  const std::vector<float> queries = npy_floats("index/queries.npy");
  const Neighbours found = index.search(queries.data(), 135, 768, 8);
  std::vector<float> distances(135 * 8);
  std::vector<faiss::Index::idx_t> ids(135 * 8);
  flat.search(135, queries.data(), 8, distances.data(), ids.data());
  EXPECT_EQ(found.distances, distances);
  EXPECT_EQ(found.ids, std::vector<std::int64_t>(ids.begin(), ids.end()));
}

TEST(IndexBuilder, ListCountAndNamesFollowRvc) {
  EXPECT_EQ(ivf_list_count(681), 17);
  EXPECT_EQ(ivf_list_count(10000), 256);
  EXPECT_EQ(ivf_list_count(200000), 5128);
  EXPECT_EQ(ivf_list_count(1000000), 16000);
  EXPECT_EQ(ivf_list_count(20), 1);  // RVC 2024 would ask faiss for IVF0 and fail
  EXPECT_EQ(index_file_name("added", 17, "fixture", "v2"), "added_IVF17_Flat_nprobe_1_fixture_v2.index");
}

TEST(IndexBuilder, SameRowsGiveRvcsIndexByteForByte) {
  test::ScratchDir scratch;
  IndexBuildConfig config;
  config.name = "fixture";
  config.shuffle = false;  // the rows are already in RVC's shuffled order
  const IndexBuildResult result = build_index(fixture_big_npy(), scratch.file("logs/fixture"), config);
  EXPECT_EQ(result.num_lists, 17);
  EXPECT_EQ(result.indexed_rows, 681);
  EXPECT_FALSE(result.reduced);
  EXPECT_EQ(std::filesystem::path(result.added_path).filename(), "added_IVF17_Flat_nprobe_1_fixture_v2.index");
  auto bytes = [](const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  };
  EXPECT_TRUE(bytes(result.trained_path) == bytes(data_path(kTrained)));
  EXPECT_TRUE(bytes(result.added_path) == bytes(data_path(kAdded)));
}

}  // namespace
}  // namespace rvc::index
