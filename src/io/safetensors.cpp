#include "rvc/io/safetensors.hpp"

#include <cstring>

#include "io/file_util.hpp"
#include "io/json.hpp"
#include "rvc/error.hpp"

namespace rvc::io {
namespace {

struct DtypeName {
  const char* name;
  DType dtype;
};
constexpr DtypeName kDtypes[] = {
    {"F16", DType::kFloat16}, {"BF16", DType::kBFloat16}, {"F32", DType::kFloat32},
    {"F64", DType::kFloat64}, {"I64", DType::kInt64},     {"I32", DType::kInt32},
    {"I16", DType::kInt16},   {"I8", DType::kInt8},       {"U8", DType::kUInt8},
    {"BOOL", DType::kBool},
};

constexpr std::uint64_t kMaxHeaderBytes = 100u << 20;

[[noreturn]] void corrupt(const std::string& path, const std::string& what) {
  throw Error(ErrorCode::kCorruptFile, "'" + path + "' is not a valid safetensors file: " + what +
                                           " (the file is truncated or damaged)");
}

}  // namespace

const TensorData* SafetensorsFile::find(const std::string& name) const {
  for (const auto& [tensor_name, tensor] : tensors) {
    if (tensor_name == name) return &tensor;
  }
  return nullptr;
}

SafetensorsFile load_safetensors(const std::string& path) {
  std::shared_ptr<const Storage> file = map_file(path);
  if (file->nbytes < 8) corrupt(path, "it is shorter than its 8-byte header size");
  std::uint64_t header_size = 0;
  for (int i = 0; i < 8; ++i) header_size |= static_cast<std::uint64_t>(file->data[i]) << (8 * i);
  if (header_size > kMaxHeaderBytes || header_size > file->nbytes - 8) corrupt(path, "the header size is wrong");
  const std::string header(reinterpret_cast<const char*>(file->data + 8), static_cast<std::size_t>(header_size));
  const Value root = parse_json(header, "'" + path + "'");
  if (!root.is_dict()) corrupt(path, "the header is not a JSON object");
  const std::uint64_t data_start = 8 + header_size;
  const std::uint64_t data_size = file->nbytes - data_start;

  SafetensorsFile result;
  for (const auto& [key, entry] : root.as_dict()) {
    const std::string& name = key.as_string();
    if (name == "__metadata__") {
      if (!entry.is_dict()) corrupt(path, "__metadata__ is not an object");
      for (const auto& [meta_key, meta_value] : entry.as_dict()) {
        if (meta_value.kind() != Value::Kind::kString) corrupt(path, "metadata values must be strings");
        result.metadata.emplace_back(meta_key.as_string(), meta_value.as_string());
      }
      continue;
    }
    const Value* dtype_text = entry.find("dtype");
    const Value* shape_value = entry.find("shape");
    const Value* offsets = entry.find("data_offsets");
    if (dtype_text == nullptr || shape_value == nullptr || offsets == nullptr) {
      corrupt(path, "tensor '" + name + "' lacks dtype, shape or data_offsets");
    }
    bool known = false;
    DType dtype = DType::kFloat32;
    for (const DtypeName& d : kDtypes) {
      if (dtype_text->as_string() == d.name) {
        dtype = d.dtype;
        known = true;
      }
    }
    if (!known) {
      throw Error(ErrorCode::kUnsupported, "'" + path + "' tensor '" + name + "' has dtype " +
                                               dtype_text->as_string() + ", which rvc does not read");
    }
    std::vector<std::int64_t> shape;
    std::uint64_t numel = 1;
    for (const Value& extent : shape_value->as_list()) {
      const std::int64_t e = extent.as_int();
      if (e < 0 || (e > 0 && numel > (std::uint64_t{1} << 48) / static_cast<std::uint64_t>(e))) {
        corrupt(path, "tensor '" + name + "' has a bad shape");
      }
      numel *= static_cast<std::uint64_t>(e);
      shape.push_back(e);
    }
    const ValueList& range = offsets->as_list();
    if (range.size() != 2) corrupt(path, "tensor '" + name + "' has bad data_offsets");
    const std::int64_t begin = range[0].as_int();
    const std::int64_t end = range[1].as_int();
    if (begin < 0 || end < begin || static_cast<std::uint64_t>(end) > data_size ||
        static_cast<std::uint64_t>(end - begin) != numel * dtype_size(dtype)) {
      corrupt(path, "tensor '" + name + "' lies outside the data or does not match its shape");
    }
    auto storage = std::make_shared<Storage>();
    storage->owner = file;
    storage->data = file->data + data_start + begin;
    storage->nbytes = static_cast<std::size_t>(end - begin);
    auto strides = contiguous_strides(shape);
    result.tensors.emplace_back(name, TensorData(dtype, std::move(shape), std::move(strides), 0, std::move(storage)));
  }
  return result;
}

void save_safetensors(const std::string& path, const SafetensorsFile& file) {
  Value header = Value::dict();
  if (!file.metadata.empty()) {
    Value metadata = Value::dict();
    for (const auto& [key, value] : file.metadata) metadata.set(key, Value::string(value));
    header.set("__metadata__", metadata);
  }
  std::int64_t offset = 0;
  for (const auto& [name, tensor] : file.tensors) {
    const char* dtype = nullptr;
    for (const DtypeName& d : kDtypes) {
      if (d.dtype == tensor.dtype()) dtype = d.name;
    }
    Value entry = Value::dict();
    entry.set("dtype", Value::string(dtype));
    ValueList shape;
    for (std::int64_t extent : tensor.shape()) shape.push_back(Value::integer(extent));
    entry.set("shape", Value::list(std::move(shape)));
    const auto size = static_cast<std::int64_t>(tensor.nbytes());
    entry.set("data_offsets", Value::list({Value::integer(offset), Value::integer(offset + size)}));
    header.set(name, entry);
    offset += size;
  }
  std::string text = to_json(header);
  text.append((8 - text.size() % 8) % 8, ' ');
  std::vector<std::uint8_t> bytes(8 + text.size() + static_cast<std::size_t>(offset));
  for (int i = 0; i < 8; ++i) bytes[i] = static_cast<std::uint8_t>(static_cast<std::uint64_t>(text.size()) >> (8 * i));
  std::memcpy(bytes.data() + 8, text.data(), text.size());
  std::uint8_t* cursor = bytes.data() + 8 + text.size();
  for (const auto& [name, tensor] : file.tensors) {
    tensor.copy_contiguous_to(cursor);
    cursor += tensor.nbytes();
  }
  write_file_atomically(path, bytes.data(), bytes.size());
}

}  // namespace rvc::io
