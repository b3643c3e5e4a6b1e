#include "rvc/index/index_builder.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <random>
#include <system_error>

#include <faiss/IndexFlat.h>
#include <faiss/IndexIVFFlat.h>

#include "index/faiss_file.hpp"
#include "index/kmeans_reduction.hpp"
#include "io/file_util.hpp"
#include "rvc/error.hpp"
#include "rvc/index/feature_index.hpp"
#include "rvc/io/npy.hpp"

namespace rvc::index {
namespace {

namespace fs = std::filesystem;

constexpr std::int64_t kCopyBlockRows = 4096;

fs::path fs_path(const std::string& utf8) { return fs::u8path(utf8); }
std::string utf8(const fs::path& path) { return path.u8string(); }

bool is_directory(const std::string& path) {
  std::error_code error;
  return fs::is_directory(fs_path(path), error);
}

// The .npy files directly inside `folder`, sorted by name as RVC sorts them.
std::vector<std::string> npy_files_in(const std::string& folder) {
  std::vector<std::string> files;
  std::error_code error;
  for (const fs::directory_entry& entry : fs::directory_iterator(fs_path(folder), error)) {
    if (entry.is_regular_file(error) && io::lower_extension(utf8(entry.path())) == "npy") {
      files.push_back(utf8(entry.path()));
    }
  }
  if (error) {
    throw Error(ErrorCode::kIo, "cannot list '" + folder + "': " + error.message());
  }
  std::sort(files.begin(), files.end());
  return files;
}

// The feature files `path` names: a .npy file, a folder of them, or an experiment folder.
std::vector<std::string> feature_files(const std::string& path) {
  if (!is_directory(path)) {
    if (!io::path_exists(path)) {
      throw Error(ErrorCode::kFileNotFound, "'" + path + "' does not exist; pass a .npy file, a 3_feature768 "
                                                "(or 3_feature256) folder or the experiment folder logs/<name>");
    }
    return {path};
  }
  std::vector<std::string> files = npy_files_in(path);
  if (!files.empty()) return files;
  std::vector<std::string> feature_folders;
  for (const char* name : {"3_feature256", "3_feature768"}) {
    const std::string folder = utf8(fs_path(path) / name);
    if (is_directory(folder) && !npy_files_in(folder).empty()) feature_folders.push_back(folder);
  }
  if (feature_folders.size() > 1) {
    throw Error(ErrorCode::kInvalidArgument, "'" + path + "' holds both 3_feature256 (v1) and 3_feature768 (v2) "
                                                 "features; pass the folder of the version you train");
  }
  if (feature_folders.empty()) {
    throw Error(ErrorCode::kInvalidArgument,
                "'" + path + "' holds no .npy features (nor a 3_feature256/3_feature768 folder with some); "
                "extract features first: the feature step writes logs/<experiment>/3_feature768/*.npy");
  }
  return npy_files_in(feature_folders.front());
}

struct FeatureFile {
  io::TensorData array;
  std::int64_t rows = 0;
  int dim = 0;
};

FeatureFile open_feature_file(const std::string& path) {
  FeatureFile file{io::load_npy(path)};
  std::vector<std::int64_t> shape = file.array.shape();
  while (shape.size() > 2 && shape.front() == 1) shape.erase(shape.begin());
  const io::DType dtype = file.array.dtype();
  if (shape.size() != 2 || !file.array.is_contiguous() ||
      (dtype != io::DType::kFloat16 && dtype != io::DType::kFloat32 && dtype != io::DType::kFloat64)) {
    throw Error(ErrorCode::kInvalidArgument, "'" + path + "' holds " + file.array.description() +
                                                 "; features are a C-order float array [frames, width]");
  }
  file.rows = shape[0];
  file.dim = static_cast<int>(shape[1]);
  return file;
}

// Copies a feature file's rows into `out`, block by block, letting go of the mapped pages behind
// it so a large file does not sit in memory twice.
void copy_rows(const FeatureFile& file, const std::string& path, float* out) {
  const io::TensorData& array = file.array;
  const std::size_t element = io::dtype_size(array.dtype());
  const auto dim = static_cast<std::size_t>(file.dim);
  for (std::int64_t first = 0; first < file.rows; first += kCopyBlockRows) {
    const std::int64_t rows = std::min(kCopyBlockRows, file.rows - first);
    const std::int64_t offset = array.storage_offset() + first * file.dim;
    const io::TensorData block(array.dtype(), {rows, file.dim}, io::contiguous_strides({rows, file.dim}), offset,
                               array.storage());
    float* target = out + static_cast<std::size_t>(first) * dim;
    block.copy_floats_to(target);
    const std::size_t count = static_cast<std::size_t>(rows) * dim;
    for (std::size_t i = 0; i < count; ++i) {
      if (!std::isfinite(target[i])) {
        throw Error(ErrorCode::kCorruptFile,
                    "'" + path + "' holds NaN or Inf in frame " + std::to_string(first + i / dim) +
                        "; extract its features again (or delete the file) before building the index");
      }
    }
    io::release_mapped_pages(array.storage()->data + offset * element, count * element);
  }
}

void report_or_cancel(const IndexBuildConfig& config, const char* stage, double fraction, const char* written) {
  if (config.progress && !config.progress(stage, fraction)) {
    throw Error(ErrorCode::kCancelled, std::string("index build cancelled while ") + stage + "; " + written);
  }
}

// Fisher-Yates over rows, in place.
void shuffle_rows(FeatureMatrix& features, std::uint64_t seed) {
  std::mt19937_64 generator(seed);
  const auto dim = static_cast<std::size_t>(features.dim);
  float* x = features.values.data();
  for (std::int64_t row = features.rows - 1; row > 0; --row) {
    const auto other = static_cast<std::int64_t>(generator() % static_cast<std::uint64_t>(row + 1));
    if (other != row) std::swap_ranges(x + row * dim, x + (row + 1) * dim, x + other * dim);
  }
}

std::string checked_version(const IndexBuildConfig& config, int dim) {
  const std::string natural = version_for_feature_dim(dim);
  if (config.version.empty()) {
    if (natural.empty()) {
      throw Error(ErrorCode::kInvalidArgument, "features are " + std::to_string(dim) +
                                                   " wide, which is neither v1 (256) nor v2 (768); say which version "
                                                   "the index is for");
    }
    return natural;
  }
  if (!natural.empty() && natural != config.version) {
    throw Error(ErrorCode::kInvalidArgument, "features are " + std::to_string(dim) + " wide, which is " + natural +
                                                 ", but the index was asked for " + config.version +
                                                 "; use the features of the model version you train");
  }
  return config.version;
}

}  // namespace

FeatureMatrix load_feature_matrix(const std::string& path) {
  const std::vector<std::string> files = feature_files(path);
  FeatureMatrix matrix;
  std::string first_file;
  for (const std::string& file_path : files) {
    const FeatureFile file = open_feature_file(file_path);
    if (matrix.dim == 0) {
      matrix.dim = file.dim;
      first_file = file_path;
    } else if (file.dim != matrix.dim) {
      throw Error(ErrorCode::kInvalidArgument, "'" + file_path + "' holds " + std::to_string(file.dim) +
                                                   "-wide features but '" + first_file + "' holds " +
                                                   std::to_string(matrix.dim) +
                                                   "-wide ones; one index takes one model version");
    }
    matrix.rows += file.rows;
  }
  if (matrix.rows == 0 || matrix.dim == 0) {
    throw Error(ErrorCode::kInvalidArgument, "'" + path + "' holds no feature frames; extract features first");
  }
  matrix.values.resize(static_cast<std::size_t>(matrix.rows) * static_cast<std::size_t>(matrix.dim));
  std::size_t offset = 0;
  for (const std::string& file_path : files) {
    const FeatureFile file = open_feature_file(file_path);
    copy_rows(file, file_path, matrix.values.data() + offset);
    offset += static_cast<std::size_t>(file.rows) * static_cast<std::size_t>(file.dim);
  }
  return matrix;
}

void IndexBuildConfig::validate() const {
  auto invalid = [](const std::string& message) { throw Error(ErrorCode::kInvalidArgument, message); };
  if (name.find_first_of("/\\") != std::string::npos) {
    invalid("IndexBuildConfig.name must be an experiment name without slashes, got '" + name + "'");
  }
  if (!version.empty() && version != "v1" && version != "v2") {
    invalid("IndexBuildConfig.version must be \"v1\", \"v2\" or empty, got '" + version + "'");
  }
  if (reduced_rows <= 0) invalid("IndexBuildConfig.reduced_rows must be positive");
  if (reduce_above_rows < reduced_rows) invalid("IndexBuildConfig.reduce_above_rows must be at least reduced_rows");
  if (add_batch_rows <= 0) invalid("IndexBuildConfig.add_batch_rows must be positive");
}

std::int64_t ivf_list_count(std::int64_t rows) {
  const auto by_root = static_cast<std::int64_t>(16.0 * std::sqrt(static_cast<double>(rows)));
  return std::max<std::int64_t>(1, std::min(by_root, rows / 39));
}

std::string index_file_name(const std::string& kind, std::int64_t num_lists, const std::string& name,
                            const std::string& version) {
  return kind + "_IVF" + std::to_string(num_lists) + "_Flat_nprobe_1_" + name + "_" + version + ".index";
}

namespace {

// The build itself, on features whose shape and values have been checked; config.name is set.
IndexBuildResult build_from_checked(FeatureMatrix features, const std::string& output_dir,
                                    const IndexBuildConfig& config) {
  const auto started = std::chrono::steady_clock::now();
  IndexBuildResult result;
  result.input_rows = features.rows;
  result.dim = features.dim;
  const std::string version = checked_version(config, features.dim);
  std::error_code error;
  fs::create_directories(fs_path(output_dir), error);
  if (!is_directory(output_dir)) {
    throw Error(ErrorCode::kIo, "cannot create the folder '" + output_dir + "'" +
                                    (error ? ": " + error.message() : std::string()));
  }

  const char* nothing_written = "nothing was written";
  if (config.shuffle) {
    report_or_cancel(config, "shuffling", 0, nothing_written);
    shuffle_rows(features, config.seed);
  }
  if (features.rows > config.reduce_above_rows && features.rows > config.reduced_rows) {
    report_or_cancel(config, "reducing", 0, nothing_written);
    reduce_by_kmeans(features, config.reduced_rows, config.seed, [&](double fraction) {
      return !config.progress || config.progress("reducing", fraction);
    });
    result.reduced = true;
  }
  result.indexed_rows = features.rows;
  result.num_lists = ivf_list_count(features.rows);

  const int dim = features.dim;
  faiss::IndexFlatL2 quantizer(dim);
  faiss::IndexIVFFlat index(&quantizer, dim, static_cast<std::size_t>(result.num_lists), faiss::METRIC_L2);
  index.nprobe = 1;
  // Fewer than 39 rows per list is RVC's own rule for small sets; faiss need not warn about it.
  index.cp.min_points_per_centroid = 1;
  report_or_cancel(config, "training", 0, nothing_written);
  index.train(features.rows, features.values.data());
  const fs::path folder = fs_path(output_dir);
  result.trained_path = utf8(folder / fs_path(index_file_name("trained", result.num_lists, config.name, version)));
  result.added_path = utf8(folder / fs_path(index_file_name("added", result.num_lists, config.name, version)));
  write_faiss_index(index, result.trained_path);

  const std::string only_trained = "only " + result.trained_path + " was written";
  for (std::int64_t first = 0; first < features.rows; first += config.add_batch_rows) {
    report_or_cancel(config, "adding", static_cast<double>(first) / static_cast<double>(features.rows),
                     only_trained.c_str());
    const std::int64_t count = std::min<std::int64_t>(config.add_batch_rows, features.rows - first);
    index.add(count, features.values.data() + first * dim);
  }
  report_or_cancel(config, "writing", 0, only_trained.c_str());
  write_faiss_index(index, result.added_path);
  if (config.progress) config.progress("writing", 1);
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return result;
}

}  // namespace

ExperimentLayout experiment_layout(const std::string& features_path) {
  fs::path path = fs_path(features_path);
  while (path.has_relative_path() && !path.has_filename()) path = path.parent_path();  // drop trailing slashes
  if (!is_directory(utf8(path))) path = path.parent_path();
  if (path.filename() == "3_feature256" || path.filename() == "3_feature768") path = path.parent_path();
  if (path.empty()) path = ".";
  std::string name = utf8(fs::absolute(path).filename());
  if (name.empty() || name == ".") name = "voice";
  return {utf8(path), name};
}

IndexBuildResult build_index_from_path(const std::string& features_path, const std::string& output_dir,
                                       const IndexBuildConfig& config) {
  const ExperimentLayout layout = experiment_layout(features_path);
  IndexBuildConfig effective = config;
  if (effective.name.empty()) effective.name = layout.name;
  effective.validate();
  // load_feature_matrix has checked every value, naming the file of a bad one.
  return build_from_checked(load_feature_matrix(features_path), output_dir.empty() ? layout.folder : output_dir,
                            effective);
}

IndexBuildResult build_index(FeatureMatrix features, const std::string& output_dir, const IndexBuildConfig& given) {
  IndexBuildConfig config = given;
  if (config.name.empty()) config.name = "voice";
  config.validate();
  if (features.rows <= 0 || features.dim <= 0 ||
      features.values.size() != static_cast<std::size_t>(features.rows) * static_cast<std::size_t>(features.dim)) {
    throw Error(ErrorCode::kInvalidArgument, "build_index: no features given (" + std::to_string(features.rows) +
                                                 " rows of " + std::to_string(features.dim) + "); extract features first");
  }
  for (std::size_t i = 0; i < features.values.size(); ++i) {
    if (!std::isfinite(features.values[i])) {
      throw Error(ErrorCode::kInvalidArgument, "build_index: feature row " +
                                                   std::to_string(i / static_cast<std::size_t>(features.dim)) +
                                                   " holds NaN or Inf; extract its features again");
    }
  }
  return build_from_checked(std::move(features), output_dir, config);
}


}  // namespace rvc::index
