/// @file tensor_data.hpp
/// @brief A backend-free tensor: dtype, shape, strides and shared bytes, as files store them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace rvc::io {

/// Element types that checkpoints, safetensors and .npy files hold.
enum class DType { kFloat16, kBFloat16, kFloat32, kFloat64, kInt64, kInt32, kInt16, kInt8, kUInt8, kBool };

/// Bytes per element.
std::size_t dtype_size(DType dtype) noexcept;
/// Lower-case name as PyTorch spells it ("float16", "bfloat16", "int64", "bool", ...).
const char* dtype_name(DType dtype) noexcept;

/// Read-only bytes kept alive by `owner` (a whole mapped file, or an owned vector).
struct Storage {
  std::shared_ptr<const void> owner;  ///< Keeps `data` alive.
  const std::uint8_t* data = nullptr;  ///< First byte.
  std::size_t nbytes = 0;              ///< Number of bytes.
};

/// A strided view into a Storage, the way PyTorch describes a tensor. Offsets and strides are in
/// elements. Readers validate that every element lies inside the storage.
class TensorData {
 public:
  TensorData() = default;
  /// A view of `storage`; callers guarantee that every element lies inside it.
  TensorData(DType dtype, std::vector<std::int64_t> shape, std::vector<std::int64_t> strides,
             std::int64_t storage_offset, std::shared_ptr<const Storage> storage);

  /// A contiguous tensor that owns a copy of `bytes` (size must equal numel * dtype_size).
  static TensorData from_bytes(DType dtype, std::vector<std::int64_t> shape,
                               std::vector<std::uint8_t> bytes);
  /// A contiguous float32 tensor holding `values`.
  static TensorData from_floats(std::vector<std::int64_t> shape, const std::vector<float>& values);

  DType dtype() const noexcept { return dtype_; }  ///< Element type.
  const std::vector<std::int64_t>& shape() const noexcept { return shape_; }  ///< Extents.
  const std::vector<std::int64_t>& strides() const noexcept { return strides_; }  ///< In elements.
  std::int64_t storage_offset() const noexcept { return storage_offset_; }  ///< In elements.
  const std::shared_ptr<const Storage>& storage() const noexcept { return storage_; }  ///< The bytes.
  std::int64_t numel() const noexcept;  ///< Number of elements.
  /// Bytes of the elements (not of the storage).
  std::size_t nbytes() const noexcept { return static_cast<std::size_t>(numel()) * dtype_size(dtype_); }
  bool is_contiguous() const noexcept;  ///< True for row-major without gaps.

  /// The elements in row-major order, in the stored dtype.
  std::vector<std::uint8_t> contiguous_bytes() const;
  /// Copies the elements in row-major order into `out` (exactly nbytes() bytes).
  void copy_contiguous_to(void* out) const;
  /// The elements in row-major order converted to float32 (float16/bfloat16 exactly; integers
  /// and bool by value).
  std::vector<float> to_floats() const;
  /// The same conversion as to_floats, into `out` (numel() floats).
  void copy_floats_to(float* out) const;
  /// The elements in row-major order converted to float64 (exact for every type but int64).
  std::vector<double> to_doubles() const;
  /// The elements in row-major order converted to int64 (floating types truncate).
  std::vector<std::int64_t> to_int64s() const;

  /// "float16[192, 768]"
  std::string description() const;

 private:
  DType dtype_ = DType::kFloat32;
  std::vector<std::int64_t> shape_;
  std::vector<std::int64_t> strides_;
  std::int64_t storage_offset_ = 0;
  std::shared_ptr<const Storage> storage_;
};

/// Row-major strides for `shape`.
std::vector<std::int64_t> contiguous_strides(const std::vector<std::int64_t>& shape);

/// Exact float16 / bfloat16 <-> float32 conversions (round to nearest even on the way down).
float half_to_float(std::uint16_t bits) noexcept;
/// float32 to IEEE half bits, rounding to nearest even.
std::uint16_t float_to_half(float value) noexcept;
/// bfloat16 bits to float32 (exact).
float bfloat16_to_float(std::uint16_t bits) noexcept;
/// float32 to bfloat16 bits, rounding to nearest even.
std::uint16_t float_to_bfloat16(float value) noexcept;

}  // namespace rvc::io
