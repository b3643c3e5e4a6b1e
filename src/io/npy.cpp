#include "rvc/io/npy.hpp"

#include <cstring>

#include "io/file_util.hpp"
#include "rvc/error.hpp"

namespace rvc::io {
namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr std::size_t kMagicSize = 6;

struct DescrEntry {
  const char* code;
  DType dtype;
};
constexpr DescrEntry kDescrs[] = {
    {"f2", DType::kFloat16}, {"f4", DType::kFloat32}, {"f8", DType::kFloat64},
    {"i8", DType::kInt64},   {"i4", DType::kInt32},   {"i2", DType::kInt16},
    {"i1", DType::kInt8},    {"u1", DType::kUInt8},   {"b1", DType::kBool},
};

[[noreturn]] void corrupt(const std::string& path, const std::string& what) {
  throw Error(ErrorCode::kCorruptFile, "'" + path + "' is not a valid .npy file: " + what +
                                           " (write it again with numpy.save)");
}

// Returns the text of a Python-literal value for `key` in the header dict, e.g. "'<f4'".
std::string header_field(const std::string& header, const std::string& key, const std::string& path) {
  const std::string needle = "'" + key + "':";
  std::size_t pos = header.find(needle);
  if (pos == std::string::npos) corrupt(path, "its header has no '" + key + "'");
  pos += needle.size();
  while (pos < header.size() && header[pos] == ' ') ++pos;
  std::size_t end = pos;
  if (pos < header.size() && header[pos] == '(') {
    end = header.find(')', pos);
    if (end == std::string::npos) corrupt(path, "its shape is unterminated");
    return header.substr(pos, end - pos + 1);
  }
  while (end < header.size() && header[end] != ',' && header[end] != '}') ++end;
  return header.substr(pos, end - pos);
}

}  // namespace

TensorData load_npy(const std::string& path) {
  std::shared_ptr<const Storage> file = map_file(path);
  const std::uint8_t* data = file->data;
  if (file->nbytes < kMagicSize + 4 || std::memcmp(data, kMagic, kMagicSize) != 0) {
    corrupt(path, "the NUMPY magic is missing");
  }
  const int major = data[6];
  std::size_t header_length = 0;
  std::size_t header_start = 0;
  if (major == 1) {
    header_length = data[8] | (data[9] << 8);
    header_start = 10;
  } else if (major == 2 || major == 3) {
    if (file->nbytes < 12) corrupt(path, "the header is cut");
    header_length = static_cast<std::size_t>(data[8]) | (static_cast<std::size_t>(data[9]) << 8) |
                    (static_cast<std::size_t>(data[10]) << 16) | (static_cast<std::size_t>(data[11]) << 24);
    header_start = 12;
  } else {
    throw Error(ErrorCode::kUnsupported, "'" + path + "' uses .npy format version " +
                                             std::to_string(major) + "; rvc reads versions 1-3");
  }
  if (header_length > file->nbytes - header_start) corrupt(path, "the header is cut");
  const std::string header(reinterpret_cast<const char*>(data + header_start), header_length);

  std::string descr = header_field(header, "descr", path);
  if (descr.size() < 4 || (descr.front() != '\'' && descr.front() != '"')) corrupt(path, "bad descr");
  descr = descr.substr(1, descr.size() - 2);
  const char order = descr.empty() ? '?' : descr[0];
  if (order == '>') {
    throw Error(ErrorCode::kUnsupported, "'" + path + "' is big-endian; save it little-endian");
  }
  const std::string code = descr.substr(1);
  bool known = false;
  DType dtype = DType::kFloat32;
  for (const DescrEntry& entry : kDescrs) {
    if (code == entry.code) {
      dtype = entry.dtype;
      known = true;
    }
  }
  if (!known) {
    throw Error(ErrorCode::kUnsupported, "'" + path + "' holds dtype '" + descr +
                                             "'; rvc reads float16/32/64, int8-64, uint8 and bool");
  }
  const bool fortran = header_field(header, "fortran_order", path).find("True") != std::string::npos;

  std::vector<std::int64_t> shape;
  const std::string shape_text = header_field(header, "shape", path);
  std::size_t pos = 1;
  while (pos < shape_text.size()) {
    while (pos < shape_text.size() && (shape_text[pos] == ' ' || shape_text[pos] == ',')) ++pos;
    if (pos >= shape_text.size() || shape_text[pos] == ')') break;
    std::size_t used = 0;
    long long extent = 0;
    try {
      extent = std::stoll(shape_text.substr(pos), &used);
    } catch (const std::exception&) {
      corrupt(path, "bad shape " + shape_text);
    }
    if (extent < 0 || used == 0) corrupt(path, "bad shape " + shape_text);
    shape.push_back(extent);
    pos += used;
  }
  std::uint64_t numel = 1;
  for (std::int64_t extent : shape) {
    if (extent != 0 && numel > (std::uint64_t{1} << 48) / static_cast<std::uint64_t>(extent)) {
      corrupt(path, "the shape is implausibly large");
    }
    numel *= static_cast<std::uint64_t>(extent);
  }
  const std::size_t data_start = header_start + header_length;
  const std::uint64_t needed = numel * dtype_size(dtype);
  if (file->nbytes - data_start < needed) {
    corrupt(path, "it holds " + std::to_string(file->nbytes - data_start) + " data bytes, but its shape needs " +
                      std::to_string(needed) + "; the file is truncated");
  }
  auto storage = std::make_shared<Storage>();
  storage->owner = file;
  storage->data = data + data_start;
  storage->nbytes = static_cast<std::size_t>(needed);
  std::vector<std::int64_t> strides;
  if (fortran) {
    strides.assign(shape.size(), 1);
    for (std::size_t i = 1; i < shape.size(); ++i) strides[i] = strides[i - 1] * shape[i - 1];
  } else {
    strides = contiguous_strides(shape);
  }
  return TensorData(dtype, std::move(shape), std::move(strides), 0, std::move(storage));
}

void save_npy(const std::string& path, const TensorData& tensor) {
  std::string descr;
  for (const DescrEntry& entry : kDescrs) {
    if (entry.dtype != tensor.dtype()) continue;
    const bool single_byte = dtype_size(entry.dtype) == 1;
    descr = (single_byte ? "|" : "<") + std::string(entry.code);
  }
  if (descr.empty()) {
    throw Error(ErrorCode::kUnsupported, std::string(".npy cannot hold ") + dtype_name(tensor.dtype()) +
                                             " tensors; convert to float32 before saving '" + path + "'");
  }
  std::string shape = "(";
  for (std::size_t i = 0; i < tensor.shape().size(); ++i) {
    shape += (i ? ", " : "") + std::to_string(tensor.shape()[i]);
  }
  shape += tensor.shape().size() == 1 ? ",)" : ")";
  std::string header = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
  const std::size_t unpadded = kMagicSize + 4 + header.size() + 1;
  header.append((64 - unpadded % 64) % 64, ' ');
  header.push_back('\n');
  if (header.size() > 0xffff) throw Error(ErrorCode::kUnsupported, "the .npy header is too long");
  std::vector<std::uint8_t> bytes(kMagic, kMagic + kMagicSize);
  bytes.push_back(1);
  bytes.push_back(0);
  bytes.push_back(static_cast<std::uint8_t>(header.size() & 0xff));
  bytes.push_back(static_cast<std::uint8_t>(header.size() >> 8));
  bytes.insert(bytes.end(), header.begin(), header.end());
  const std::size_t data_start = bytes.size();
  bytes.resize(data_start + tensor.nbytes());
  tensor.copy_contiguous_to(bytes.data() + data_start);
  write_file_atomically(path, bytes.data(), bytes.size());
}

}  // namespace rvc::io
