#include "rvc/io/checkpoint.hpp"

#include <map>
#include <unordered_set>

#include "io/file_util.hpp"
#include "io/pickle.hpp"
#include "io/zip_archive.hpp"
#include "rvc/error.hpp"

namespace rvc::io {
namespace {

// The legacy (pre-1.6) torch.save format starts with a pickled magic number.
bool looks_like_legacy_torch(const Storage& file) {
  return file.nbytes > 2 && file.data[0] == 0x80 && file.data[1] <= 5;
}

std::string archive_prefix(const ZipReader& zip, const std::string& path) {
  for (const std::string& name : zip.names()) {
    const std::size_t slash = name.find('/');
    if (slash != std::string::npos && name.compare(slash, std::string::npos, "/data.pkl") == 0) {
      return name.substr(0, slash + 1);
    }
  }
  throw Error(ErrorCode::kCorruptFile,
              "'" + path + "' is a zip archive but not a PyTorch checkpoint (no data.pkl inside); "
              "pass a file written by torch.save");
}

void walk(const Value& value, int depth, std::int64_t& visits, const CheckpointLimits& limits,
          const std::string& path) {
  if (depth > limits.max_depth) {
    throw Error(ErrorCode::kCorruptFile, "'" + path + "' nests values deeper than " +
                                             std::to_string(limits.max_depth) +
                                             " levels or refers to itself; it is corrupt or hostile");
  }
  if (++visits > limits.max_nodes) {
    throw Error(ErrorCode::kCorruptFile, "'" + path + "' expands to more than " +
                                             std::to_string(limits.max_nodes) +
                                             " values; it is corrupt or hostile");
  }
  switch (value.kind()) {
    case Value::Kind::kList:
    case Value::Kind::kTuple:
      for (const Value& item : value.as_list()) walk(item, depth + 1, visits, limits, path);
      return;
    case Value::Kind::kDict:
      for (const auto& [key, item] : value.as_dict()) {
        walk(key, depth + 1, visits, limits, path);
        walk(item, depth + 1, visits, limits, path);
      }
      return;
    case Value::Kind::kObject: {
      const OpaqueObject& object = value.as_object();
      walk(*object.args, depth + 1, visits, limits, path);
      if (object.state) walk(*object.state, depth + 1, visits, limits, path);
      return;
    }
    default: return;
  }
}

// Empties every container reachable from `root`, which frees trees that refer to themselves.
void dismantle(Value root) {
  std::vector<Value> pending{std::move(root)};
  while (!pending.empty()) {
    Value value = std::move(pending.back());
    pending.pop_back();
    switch (value.kind()) {
      case Value::Kind::kList:
      case Value::Kind::kTuple: {
        ValueList& items = value.as_list_mut();
        for (Value& item : items) pending.push_back(std::move(item));
        items.clear();
        break;
      }
      case Value::Kind::kDict: {
        ValueDict& items = value.as_dict_mut();
        for (auto& [key, item] : items) {
          pending.push_back(std::move(key));
          pending.push_back(std::move(item));
        }
        items.clear();
        break;
      }
      case Value::Kind::kObject: {
        OpaqueObject& object = value.as_object_mut();
        if (object.args) pending.push_back(std::move(*object.args));
        if (object.state) pending.push_back(std::move(*object.state));
        object.args.reset();
        object.state.reset();
        break;
      }
      default: break;
    }
  }
}

}  // namespace

void CheckpointLimits::validate() const {
  if (max_depth < 1) throw Error(ErrorCode::kInvalidArgument, "CheckpointLimits.max_depth must be >= 1");
  if (max_nodes < 1) throw Error(ErrorCode::kInvalidArgument, "CheckpointLimits.max_nodes must be >= 1");
  if (max_tensor_rank < 1) {
    throw Error(ErrorCode::kInvalidArgument, "CheckpointLimits.max_tensor_rank must be >= 1");
  }
}

void check_tree_bounds(const Value& root, const CheckpointLimits& limits, const std::string& path) {
  std::int64_t visits = 0;
  walk(root, 0, visits, limits, path);
}

Value load_checkpoint(const std::string& path, const CheckpointLimits& limits) {
  return load_checkpoint_bytes(map_file(path), path, limits);
}

Value load_checkpoint_bytes(std::shared_ptr<const Storage> file, const std::string& path,
                            const CheckpointLimits& limits) {
  limits.validate();
  if (file->nbytes == 0) {
    throw Error(ErrorCode::kCorruptFile, "'" + path + "' is empty; copy or download it again");
  }
  if (!ZipReader::looks_like_zip(*file)) {
    if (looks_like_legacy_torch(*file)) {
      throw Error(ErrorCode::kUnsupported,
                  "'" + path + "' uses PyTorch's legacy (pre-1.6) format; load and save it once "
                  "with a current torch (torch.save(torch.load(f), f)) to convert it");
    }
    throw Error(ErrorCode::kCorruptFile,
                "'" + path + "' is not a PyTorch checkpoint (it does not start like a torch.save "
                "zip archive); check that the path names a .pth/.pt file and that it is complete");
  }
  ZipReader zip(file, path);
  const std::string prefix = archive_prefix(zip, path);
  std::shared_ptr<const Storage> pickle_bytes = zip.read(prefix + "data.pkl");

  std::map<std::string, Value> storages;
  PersistentLoader load_storage = [&](const Value& pid) -> Value {
    if (!pid.is_sequence() || pid.as_list().size() < 5 || pid.as_list()[0].kind() != Value::Kind::kString ||
        pid.as_list()[0].as_string() != "storage") {
      throw Error(ErrorCode::kCorruptFile, "'" + path + "' refers to an unknown kind of persistent object");
    }
    const ValueList& fields = pid.as_list();
    const std::string& key = fields[2].as_string();
    auto cached = storages.find(key);
    if (cached != storages.end()) return cached->second;
    if (fields[1].kind() != Value::Kind::kObject) {
      throw Error(ErrorCode::kCorruptFile, "'" + path + "' names a storage without a type");
    }
    const DType dtype = dtype_from_storage_class(fields[1].as_object().name, path);
    const std::int64_t numel = fields[4].as_int();
    std::shared_ptr<const Storage> bytes = zip.read(prefix + "data/" + key);
    if (numel < 0 || bytes->nbytes / dtype_size(dtype) < static_cast<std::uint64_t>(numel)) {
      throw Error(ErrorCode::kCorruptFile, "'" + path + "' storage " + key + " is shorter than its " +
                                               std::to_string(numel) + " elements; the file is damaged");
    }
    Value storage = Value::tensor(TensorData(dtype, {numel}, {1}, 0, std::move(bytes)));
    storages.emplace(key, storage);
    return storage;
  };

  Value root;
  try {
    root = unpickle(pickle_bytes->data, pickle_bytes->nbytes, load_storage, limits, path);
  } catch (const Error& e) {
    if (std::string(e.what()).find(path) != std::string::npos) throw;
    // A value of the wrong kind where the pickle needs another (e.g. a list of sizes).
    throw Error(e.code(), "'" + path + "' holds a damaged pickle (" + e.what() +
                              "); the file is truncated or corrupt: copy or download it again");
  } catch (const std::bad_alloc&) {
    throw Error(ErrorCode::kOutOfMemory, "out of memory while reading '" + path + "'");
  } catch (const std::exception& e) {
    throw Error(ErrorCode::kCorruptFile, "'" + path + "' holds a damaged pickle (" + e.what() + ")");
  }
  try {
    check_tree_bounds(root, limits, path);
  } catch (const Error&) {
    dismantle(std::move(root));
    throw;
  }
  return root;
}

namespace {

void write_checkpoint(const Value& root, const std::string& path, const ByteSink& sink) {
  check_tree_bounds(root, CheckpointLimits{}, path);
  const std::string prefix = "archive/";
  std::vector<TensorData> storages;
  const std::vector<std::uint8_t> pickle_bytes = pickle(root, [&](const TensorData& tensor) {
    storages.push_back(tensor);
    return std::to_string(storages.size() - 1);
  });
  ZipWriter zip(sink);
  zip.add(prefix + "data.pkl", pickle_bytes.data(), pickle_bytes.size());
  static const char kByteOrder[] = "little";
  zip.add(prefix + "byteorder", kByteOrder, sizeof(kByteOrder) - 1);
  for (std::size_t key = 0; key < storages.size(); ++key) {
    const std::vector<std::uint8_t> bytes = storages[key].contiguous_bytes();
    zip.add(prefix + "data/" + std::to_string(key), bytes.data(), bytes.size());
  }
  static const char kVersion[] = "3\n";
  zip.add(prefix + "version", kVersion, sizeof(kVersion) - 1);
  zip.finish();
}

}  // namespace

void save_checkpoint(const std::string& path, const Value& root) {
  write_stream_atomically(path, [&](const ByteSink& sink) { write_checkpoint(root, path, sink); });
}

std::vector<std::uint8_t> checkpoint_to_bytes(const Value& root) {
  std::vector<std::uint8_t> out;
  write_checkpoint(root, "checkpoint", [&](const void* data, std::size_t size) {
    const auto* bytes = static_cast<const std::uint8_t*>(data);
    out.insert(out.end(), bytes, bytes + size);
  });
  return out;
}

}  // namespace rvc::io
