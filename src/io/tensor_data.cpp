#include "rvc/io/tensor_data.hpp"

#include <cmath>
#include <cstring>
#include <sstream>

#include "rvc/error.hpp"

namespace rvc::io {
namespace {

// Calls visit(element_index_in_storage) for every element in row-major order.
template <typename Visit>
void for_each_offset(const std::vector<std::int64_t>& shape, const std::vector<std::int64_t>& strides,
                     std::int64_t offset, Visit visit) {
  const std::size_t ndim = shape.size();
  for (std::int64_t extent : shape) {
    if (extent == 0) return;
  }
  std::vector<std::int64_t> index(ndim, 0);
  while (true) {
    visit(offset);
    std::size_t dim = ndim;
    while (dim > 0) {
      --dim;
      offset += strides[dim];
      if (++index[dim] < shape[dim]) break;
      offset -= strides[dim] * shape[dim];
      index[dim] = 0;
      if (dim == 0) return;
    }
    if (ndim == 0) return;
  }
}

template <typename To, typename From>
To bit_cast(const From& from) noexcept {
  static_assert(sizeof(To) == sizeof(From));
  To to;
  std::memcpy(&to, &from, sizeof(To));
  return to;
}

template <typename T>
T load(const std::uint8_t* p) {
  T value;
  std::memcpy(&value, p, sizeof(T));
  return value;
}

double element_as_double(DType dtype, const std::uint8_t* p) {
  switch (dtype) {
    case DType::kFloat16: return half_to_float(load<std::uint16_t>(p));
    case DType::kBFloat16: return bfloat16_to_float(load<std::uint16_t>(p));
    case DType::kFloat32: return load<float>(p);
    case DType::kFloat64: return load<double>(p);
    case DType::kInt64: return static_cast<double>(load<std::int64_t>(p));
    case DType::kInt32: return load<std::int32_t>(p);
    case DType::kInt16: return load<std::int16_t>(p);
    case DType::kInt8: return load<std::int8_t>(p);
    case DType::kUInt8: return load<std::uint8_t>(p);
    case DType::kBool: return *p != 0 ? 1.0 : 0.0;
  }
  return 0.0;
}

std::int64_t element_as_int64(DType dtype, const std::uint8_t* p) {
  switch (dtype) {
    case DType::kInt64: return load<std::int64_t>(p);
    case DType::kInt32: return load<std::int32_t>(p);
    case DType::kInt16: return load<std::int16_t>(p);
    case DType::kInt8: return load<std::int8_t>(p);
    case DType::kUInt8: return load<std::uint8_t>(p);
    case DType::kBool: return *p != 0 ? 1 : 0;
    default: return static_cast<std::int64_t>(element_as_double(dtype, p));
  }
}

}  // namespace

std::size_t dtype_size(DType dtype) noexcept {
  switch (dtype) {
    case DType::kFloat16:
    case DType::kBFloat16:
    case DType::kInt16: return 2;
    case DType::kFloat32:
    case DType::kInt32: return 4;
    case DType::kFloat64:
    case DType::kInt64: return 8;
    case DType::kInt8:
    case DType::kUInt8:
    case DType::kBool: return 1;
  }
  return 1;
}

const char* dtype_name(DType dtype) noexcept {
  switch (dtype) {
    case DType::kFloat16: return "float16";
    case DType::kBFloat16: return "bfloat16";
    case DType::kFloat32: return "float32";
    case DType::kFloat64: return "float64";
    case DType::kInt64: return "int64";
    case DType::kInt32: return "int32";
    case DType::kInt16: return "int16";
    case DType::kInt8: return "int8";
    case DType::kUInt8: return "uint8";
    case DType::kBool: return "bool";
  }
  return "unknown";
}

std::vector<std::int64_t> contiguous_strides(const std::vector<std::int64_t>& shape) {
  std::vector<std::int64_t> strides(shape.size(), 1);
  for (std::size_t i = shape.size(); i > 1; --i) strides[i - 2] = strides[i - 1] * shape[i - 1];
  return strides;
}

namespace {

// The elements in row-major order, each read as `read(dtype, address)` and cast to T.
template <typename T, typename Read>
std::vector<T> converted_elements(const TensorData& tensor, Read read) {
  std::vector<T> values;
  values.reserve(static_cast<std::size_t>(tensor.numel()));
  if (tensor.numel() == 0) return values;
  const std::size_t element = dtype_size(tensor.dtype());
  const std::uint8_t* base = tensor.storage()->data;
  for_each_offset(tensor.shape(), tensor.strides(), tensor.storage_offset(), [&](std::int64_t offset) {
    values.push_back(static_cast<T>(read(tensor.dtype(), base + offset * element)));
  });
  return values;
}

}  // namespace

TensorData::TensorData(DType dtype, std::vector<std::int64_t> shape,
                       std::vector<std::int64_t> strides, std::int64_t storage_offset,
                       std::shared_ptr<const Storage> storage)
    : dtype_(dtype),
      shape_(std::move(shape)),
      strides_(std::move(strides)),
      storage_offset_(storage_offset),
      storage_(std::move(storage)) {
  if (shape_.size() != strides_.size()) {
    throw Error(ErrorCode::kInternal, "tensor shape and strides differ in rank");
  }
}

TensorData TensorData::from_bytes(DType dtype, std::vector<std::int64_t> shape,
                                  std::vector<std::uint8_t> bytes) {
  std::int64_t numel = 1;
  for (std::int64_t extent : shape) numel *= extent;
  if (bytes.size() != static_cast<std::size_t>(numel) * dtype_size(dtype)) {
    throw Error(ErrorCode::kInvalidArgument, "tensor bytes do not match its shape and dtype");
  }
  auto owned = std::make_shared<std::vector<std::uint8_t>>(std::move(bytes));
  auto storage = std::make_shared<Storage>();
  storage->data = owned->data();
  storage->nbytes = owned->size();
  storage->owner = owned;
  auto strides = contiguous_strides(shape);
  return TensorData(dtype, std::move(shape), std::move(strides), 0, std::move(storage));
}

TensorData TensorData::from_floats(std::vector<std::int64_t> shape, const std::vector<float>& values) {
  std::vector<std::uint8_t> bytes(values.size() * sizeof(float));
  if (!bytes.empty()) std::memcpy(bytes.data(), values.data(), bytes.size());
  return from_bytes(DType::kFloat32, std::move(shape), std::move(bytes));
}

std::int64_t TensorData::numel() const noexcept {
  std::int64_t n = 1;
  for (std::int64_t extent : shape_) n *= extent;
  return n;
}

bool TensorData::is_contiguous() const noexcept {
  std::int64_t expected = 1;
  for (std::size_t i = shape_.size(); i > 0; --i) {
    if (shape_[i - 1] != 1 && strides_[i - 1] != expected) return false;
    expected *= shape_[i - 1];
  }
  return true;
}

void TensorData::copy_contiguous_to(void* out) const {
  const std::size_t element = dtype_size(dtype_);
  if (numel() == 0) return;
  const std::uint8_t* base = storage_->data;
  auto* dst = static_cast<std::uint8_t*>(out);
  if (is_contiguous()) {
    std::memcpy(dst, base + storage_offset_ * element, nbytes());
    return;
  }
  for_each_offset(shape_, strides_, storage_offset_, [&](std::int64_t offset) {
    std::memcpy(dst, base + offset * element, element);
    dst += element;
  });
}

std::vector<std::uint8_t> TensorData::contiguous_bytes() const {
  std::vector<std::uint8_t> bytes(nbytes());
  copy_contiguous_to(bytes.data());
  return bytes;
}

void TensorData::copy_floats_to(float* out) const {
  if (numel() == 0) return;
  const std::size_t element = dtype_size(dtype_);
  if (is_contiguous() && (dtype_ == DType::kFloat16 || dtype_ == DType::kFloat32)) {
    // The common case of model weights and features: one tight loop, no per-element dispatch.
    const std::uint8_t* first = storage_->data + storage_offset_ * element;
    if (dtype_ == DType::kFloat32) {
      std::memcpy(out, first, nbytes());
    } else {
      const auto count = static_cast<std::size_t>(numel());
      for (std::size_t i = 0; i < count; ++i) out[i] = half_to_float(load<std::uint16_t>(first + 2 * i));
    }
    return;
  }
  const std::uint8_t* base = storage_->data;
  for_each_offset(shape_, strides_, storage_offset_, [&](std::int64_t offset) {
    *out++ = static_cast<float>(element_as_double(dtype_, base + offset * element));
  });
}

std::vector<float> TensorData::to_floats() const {
  std::vector<float> values(static_cast<std::size_t>(numel()));
  copy_floats_to(values.data());
  return values;
}

std::vector<double> TensorData::to_doubles() const {
  return converted_elements<double>(*this, element_as_double);
}

std::vector<std::int64_t> TensorData::to_int64s() const {
  return converted_elements<std::int64_t>(*this, element_as_int64);
}

std::string TensorData::description() const {
  std::ostringstream out;
  out << dtype_name(dtype_) << '[';
  for (std::size_t i = 0; i < shape_.size(); ++i) out << (i ? ", " : "") << shape_[i];
  out << ']';
  return out.str();
}

float half_to_float(std::uint16_t bits) noexcept {
  const std::uint32_t sign = static_cast<std::uint32_t>(bits & 0x8000u) << 16;
  const std::uint32_t exponent = (bits >> 10) & 0x1fu;
  std::uint32_t mantissa = bits & 0x3ffu;
  std::uint32_t result;
  if (exponent == 0) {
    if (mantissa == 0) {
      result = sign;
    } else {  // subnormal: renormalise
      int shift = 0;
      while ((mantissa & 0x400u) == 0) {
        mantissa <<= 1;
        ++shift;
      }
      mantissa &= 0x3ffu;
      result = sign | (static_cast<std::uint32_t>(127 - 15 - shift + 1) << 23) | (mantissa << 13);
    }
  } else if (exponent == 0x1f) {
    result = sign | 0x7f800000u | (mantissa << 13);
  } else {
    result = sign | ((exponent + 127 - 15) << 23) | (mantissa << 13);
  }
  return bit_cast<float>(result);
}

std::uint16_t float_to_half(float value) noexcept {
  const auto bits = bit_cast<std::uint32_t>(value);
  const std::uint16_t sign = static_cast<std::uint16_t>((bits >> 16) & 0x8000u);
  const std::uint32_t abs_bits = bits & 0x7fffffffu;
  if (abs_bits >= 0x7f800000u) {  // inf or nan
    return static_cast<std::uint16_t>(sign | 0x7c00u | (abs_bits > 0x7f800000u ? 0x200u : 0u));
  }
  if (abs_bits >= 0x477ff000u) return static_cast<std::uint16_t>(sign | 0x7c00u);  // overflow
  if (abs_bits < 0x38800000u) {  // result is subnormal or zero
    if (abs_bits < 0x33000000u) return sign;
    const std::uint32_t exponent = abs_bits >> 23;
    const std::uint32_t mantissa = (abs_bits & 0x7fffffu) | 0x800000u;
    // value = mantissa * 2^(exponent - 150) and a subnormal half counts units of 2^-24.
    const std::uint32_t shift = 126 - exponent;
    std::uint32_t half_mantissa = mantissa >> shift;
    const std::uint32_t remainder = mantissa & ((1u << shift) - 1);
    const std::uint32_t halfway = 1u << (shift - 1);
    if (remainder > halfway || (remainder == halfway && (half_mantissa & 1u))) ++half_mantissa;
    return static_cast<std::uint16_t>(sign | half_mantissa);
  }
  std::uint32_t rounded = abs_bits + 0xfffu + ((abs_bits >> 13) & 1u);  // round half to even
  rounded -= 0x38000000u;  // rebias exponent 127 -> 15
  return static_cast<std::uint16_t>(sign | (rounded >> 13));
}

float bfloat16_to_float(std::uint16_t bits) noexcept {
  return bit_cast<float>(static_cast<std::uint32_t>(bits) << 16);
}

std::uint16_t float_to_bfloat16(float value) noexcept {
  auto bits = bit_cast<std::uint32_t>(value);
  if ((bits & 0x7fffffffu) > 0x7f800000u) return static_cast<std::uint16_t>((bits >> 16) | 0x40u);
  bits += 0x7fffu + ((bits >> 16) & 1u);
  return static_cast<std::uint16_t>(bits >> 16);
}

}  // namespace rvc::io
