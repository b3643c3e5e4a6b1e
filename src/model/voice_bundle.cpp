#include "rvc/model/voice_bundle.hpp"

#include <sys/stat.h>

#include <filesystem>
#include <mutex>
#include <set>

#include "io/file_util.hpp"
#include "io/json.hpp"
#include "io/sha256.hpp"
#include "model/voice_bundle_reader.hpp"
#include "rvc/error.hpp"
#include "rvc/index/feature_index.hpp"
#include "rvc/io/checkpoint.hpp"
#include "rvc/model/model_info.hpp"
#include "rvc/version.hpp"

namespace rvc::model {
namespace {

constexpr const char* kManifestName = "manifest.json";
constexpr const char* kFormatName = "rvc-voice-bundle";
constexpr const char* kWhatIsABundle = "`rvc info FILE` says what it is; `rvc bundle -m MODEL.pth` makes a bundle";

io::Value entry_value(const BundleEntry& entry) {
  io::Value value = io::Value::dict();
  value.set("file", io::Value::string(entry.file));
  value.set("bytes", io::Value::integer(entry.bytes));
  value.set("sha256", io::Value::string(entry.sha256));
  return value;
}

[[noreturn]] void damaged(const std::string& path, const std::string& what) {
  throw Error(ErrorCode::kCorruptFile, "voice bundle '" + path + "' " + what +
                                           "; the bundle is damaged or was altered: make it again with `rvc bundle`");
}

// A stored file name must be a plain name, so unpacking cannot write outside its folder.
bool is_plain_file_name(const std::string& name) {
  return !name.empty() && name != "." && name != ".." && name != kManifestName &&
         name.find('/') == std::string::npos && name.find('\\') == std::string::npos;
}

BundleEntry parse_entry(const io::Value& value, const std::string& path, const char* field) {
  if (!value.is_dict()) damaged(path, std::string("has a manifest whose '") + field + "' is not an object");
  BundleEntry entry;
  entry.file = value.at("file").as_string();
  entry.bytes = value.at("bytes").as_int();
  entry.sha256 = value.at("sha256").as_string();
  if (!is_plain_file_name(entry.file)) damaged(path, "names a stored file '" + entry.file + "' that is not a plain name");
  if (entry.sha256.size() != 64) damaged(path, std::string("has a malformed checksum for its ") + field);
  return entry;
}

BundleManifest parse_manifest(const io::Storage& bytes, const std::string& path) {
  const io::Value root = io::parse_json(std::string(reinterpret_cast<const char*>(bytes.data), bytes.nbytes),
                                        "the manifest of '" + path + "'");
  const io::Value* format = root.find("format");
  if (format == nullptr || format->kind() != io::Value::Kind::kString || format->as_string() != kFormatName) {
    throw Error(ErrorCode::kWrongModelKind,
                "'" + path + "' is a zip archive but not an rvc voice bundle; " + kWhatIsABundle);
  }
  BundleManifest manifest;
  try {
    manifest.format_version = static_cast<int>(root.at("format_version").as_int());
    if (manifest.format_version != 1) {
      throw Error(ErrorCode::kUnsupported, "voice bundle '" + path + "' has layout version " +
                                               std::to_string(manifest.format_version) +
                                               "; this rvc reads version 1: update rvc");
    }
    manifest.name = root.at("name").as_string();
    manifest.version = root.at("version").as_string();
    manifest.sample_rate_tag = root.at("sr").as_string();
    manifest.sample_rate_hz = static_cast<int>(root.at("sample_rate_hz").as_int());
    manifest.has_pitch = root.at("f0").as_int() != 0;
    manifest.info = root.at("info").as_string();
    manifest.model = parse_entry(root.at("model"), path, "model");
    const io::Value& index = root.at("index");
    if (!index.is_none()) {
      manifest.index = parse_entry(index, path, "index");
      manifest.index_dim = static_cast<int>(index.at("dim").as_int());
      manifest.index_vectors = index.at("vectors").as_int();
    }
    const io::Value* created_by = root.find("created_by");
    if (created_by != nullptr && created_by->kind() == io::Value::Kind::kString) {
      manifest.created_by = created_by->as_string();
    }
  } catch (const Error& e) {
    if (e.code() == ErrorCode::kUnsupported || std::string(e.what()).find(path) != std::string::npos) throw;
    damaged(path, std::string("has an incomplete manifest (") + e.what() + ")");
  }
  return manifest;
}

}  // namespace

std::string BundleManifest::to_json() const {
  io::Value root = io::Value::dict();
  root.set("format", io::Value::string(kFormatName));
  root.set("format_version", io::Value::integer(format_version));
  root.set("name", io::Value::string(name));
  root.set("version", io::Value::string(version));
  root.set("sr", io::Value::string(sample_rate_tag));
  root.set("sample_rate_hz", io::Value::integer(sample_rate_hz));
  root.set("f0", io::Value::integer(has_pitch ? 1 : 0));
  root.set("info", io::Value::string(info));
  root.set("model", entry_value(model));
  if (has_index()) {
    io::Value value = entry_value(index);
    value.set("dim", io::Value::integer(index_dim));
    value.set("vectors", io::Value::integer(index_vectors));
    root.set("index", value);
  } else {
    root.set("index", io::Value::none());
  }
  root.set("created_by", io::Value::string(created_by));
  return io::to_json(root);
}

VoiceBundleReader::VoiceBundleReader(const std::string& path) : path_(path) {
  std::shared_ptr<const io::Storage> file = io::map_file(path);
  if (!io::ZipReader::looks_like_zip(*file)) {
    throw Error(ErrorCode::kWrongModelKind, "'" + path + "' is not an rvc voice bundle (not a zip archive); " +
                                                kWhatIsABundle);
  }
  zip_ = std::make_unique<io::ZipReader>(file, path);
  if (!zip_->contains(kManifestName)) {
    throw Error(ErrorCode::kWrongModelKind, "'" + path + "' is a zip archive but not an rvc voice bundle "
                                            "(it has no manifest.json; a .pth voice model is used as it is); " +
                                                kWhatIsABundle);
  }
  manifest_ = parse_manifest(*zip_->read(kManifestName), path);
}

std::string VoiceBundleReader::member_name(const BundleEntry& entry) const {
  return path_ + " (" + entry.file + ")";
}

std::shared_ptr<const io::Storage> VoiceBundleReader::verified(const BundleEntry& entry) const {
  if (!zip_->contains(entry.file)) damaged(path_, "lacks the file '" + entry.file + "' its manifest lists");
  std::shared_ptr<const io::Storage> bytes = zip_->read(entry.file);
  if (static_cast<std::int64_t>(bytes->nbytes) != entry.bytes) {
    damaged(path_, "holds a '" + entry.file + "' that does not match its manifest checksum");
  }
  // Loading an engine reads the model more than once; hash each unchanged bundle file once per
  // process (the zip CRC is still checked on every read).
  static std::mutex mutex;
  static std::set<std::string> verified_files;
  struct stat info {};
  const bool identified = ::stat(path_.c_str(), &info) == 0;
  const std::string identity = path_ + '\n' + std::to_string(info.st_dev) + ':' + std::to_string(info.st_ino) + ':' +
                               std::to_string(info.st_size) + ':' + std::to_string(info.st_mtim.tv_sec) + '.' +
                               std::to_string(info.st_mtim.tv_nsec) + '\n' + entry.sha256;
  {
    const std::lock_guard<std::mutex> lock(mutex);
    if (identified && verified_files.count(identity) != 0) return bytes;
  }
  if (io::sha256_hex(bytes->data, bytes->nbytes) != entry.sha256) {
    damaged(path_, "holds a '" + entry.file + "' that does not match its manifest checksum");
  }
  if (identified) {
    const std::lock_guard<std::mutex> lock(mutex);
    verified_files.insert(identity);
  }
  return bytes;
}

std::shared_ptr<const io::Storage> VoiceBundleReader::model_bytes() const { return verified(manifest_.model); }

std::shared_ptr<const io::Storage> VoiceBundleReader::index_bytes() const {
  if (!manifest_.has_index()) {
    throw Error(ErrorCode::kInvalidArgument, "voice bundle '" + path_ +
                                                 "' holds no index; pass an added_*.index file as the index");
  }
  return verified(manifest_.index);
}

bool VoiceBundleReader::recognizes(const std::shared_ptr<const io::Storage>& file) noexcept {
  try {
    if (!io::ZipReader::looks_like_zip(*file)) return false;
    const io::ZipReader zip(file, "");
    if (!zip.contains(kManifestName)) return false;
    const auto bytes = zip.read(kManifestName);
    const io::Value root = io::parse_json(std::string(reinterpret_cast<const char*>(bytes->data), bytes->nbytes), "");
    const io::Value* format = root.find("format");
    return format != nullptr && format->kind() == io::Value::Kind::kString && format->as_string() == kFormatName;
  } catch (...) {
    return false;
  }
}

io::Value load_voice_model_checkpoint(const std::string& path) {
  const std::shared_ptr<const io::Storage> file = io::map_file(path);
  if (!VoiceBundleReader::recognizes(file)) return io::load_checkpoint_bytes(file, path);
  const VoiceBundleReader bundle(path);
  return io::load_checkpoint_bytes(bundle.model_bytes(), bundle.member_name(bundle.manifest().model));
}

BundleEntry describe_stored_file(const std::string& name, const io::Storage& bytes) {
  return {name, static_cast<std::int64_t>(bytes.nbytes), io::sha256_hex(bytes.data, bytes.nbytes)};
}

void write_bundle_file(const std::string& output_path, const BundleManifest& manifest, const io::Storage& model,
                       const io::Storage* index) {
  const std::string manifest_json = manifest.to_json();
  io::write_stream_atomically(output_path, [&](const io::ByteSink& sink) {
    io::ZipWriter zip(sink);
    zip.add(kManifestName, manifest_json.data(), manifest_json.size());
    zip.add(manifest.model.file, model.data, model.nbytes);
    if (index != nullptr) zip.add(manifest.index.file, index->data, index->nbytes);
    zip.finish();
  });
}

bool is_voice_bundle(const std::string& path) noexcept {
  try {
    return VoiceBundleReader::recognizes(io::map_file(path));
  } catch (...) {
    return false;
  }
}

BundleManifest read_voice_bundle(const std::string& bundle_path) {
  const VoiceBundleReader bundle(bundle_path);
  bundle.model_bytes();
  if (bundle.manifest().has_index()) bundle.index_bytes();
  return bundle.manifest();
}

BundleManifest write_voice_bundle(const std::string& model_path, const std::string& output_path,
                                  const BundleConfig& config) {
  if (is_voice_bundle(model_path)) {
    throw Error(ErrorCode::kInvalidArgument, "'" + model_path + "' is already a voice bundle; pass the "
                                             "weights/<name>.pth model (`rvc unbundle` gives it back)");
  }
  const std::shared_ptr<const io::Storage> model_bytes = io::map_file(model_path);
  const ModelInfo info = model_info_from_checkpoint(io::load_checkpoint_bytes(model_bytes, model_path), model_path);

  BundleManifest manifest;
  manifest.name = config.name.empty() ? io::file_stem(model_path) : config.name;
  manifest.version = info.version;
  manifest.sample_rate_tag = info.sample_rate_tag;
  manifest.sample_rate_hz = info.config.sample_rate_hz;
  manifest.has_pitch = info.has_pitch;
  manifest.info = info.info;
  manifest.created_by = std::string("rvc ") + RVC_VERSION_STRING;
  manifest.model = describe_stored_file(io::file_name(model_path), *model_bytes);
  if (!is_plain_file_name(manifest.model.file)) manifest.model.file = "model.pth";

  std::shared_ptr<const io::Storage> index_bytes;
  if (!config.index_path.empty()) {
    index::FeatureIndexConfig index_config;
    index_config.expected_dim = info.feature_dim();
    const index::FeatureIndex index(config.index_path, index_config);
    index_bytes = io::map_file(config.index_path);
    manifest.index = describe_stored_file(io::file_name(config.index_path), *index_bytes);
    if (!is_plain_file_name(manifest.index.file) || manifest.index.file == manifest.model.file) {
      manifest.index.file = "added.index";
    }
    manifest.index_dim = index.info().dim;
    manifest.index_vectors = index.info().num_vectors;
  }

  write_bundle_file(output_path, manifest, *model_bytes, index_bytes.get());
  return manifest;
}

UnpackedBundle unpack_voice_bundle(const std::string& bundle_path, const std::string& output_dir, bool overwrite) {
  const VoiceBundleReader bundle(bundle_path);
  UnpackedBundle out;
  out.manifest = bundle.manifest();
  const std::shared_ptr<const io::Storage> model = bundle.model_bytes();
  std::shared_ptr<const io::Storage> index;
  if (out.manifest.has_index()) index = bundle.index_bytes();

  const std::string folder = output_dir.empty() ? std::string(".") : output_dir;
  out.model_path = folder + "/" + out.manifest.model.file;
  if (index) out.index_path = folder + "/" + out.manifest.index.file;
  for (const std::string& target : {out.model_path, out.index_path}) {
    if (!target.empty() && !overwrite && io::path_exists(target)) {
      throw Error(ErrorCode::kInvalidArgument, "'" + target + "' exists already; move it away, choose another "
                                               "folder, or allow overwriting (--force)");
    }
  }
  std::error_code error;
  std::filesystem::create_directories(folder, error);
  if (error) {
    throw Error(ErrorCode::kIo, "cannot create the folder '" + folder + "': " + error.message());
  }
  io::write_file_atomically(out.model_path, model->data, model->nbytes);
  if (index) io::write_file_atomically(out.index_path, index->data, index->nbytes);
  return out;
}

}  // namespace rvc::model
