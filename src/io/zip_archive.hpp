// Reading and writing the zip container of torch.save files. Private to rvc_core.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "io/file_util.hpp"
#include "rvc/io/tensor_data.hpp"

namespace rvc::io {

/// A zip archive read from memory. Stored entries are served without copying; deflated entries
/// are inflated on demand. Every offset is bounds-checked against the file.
class ZipReader {
 public:
  /// `path` is only used in error messages.
  ZipReader(std::shared_ptr<const Storage> file, std::string path);

  const std::vector<std::string>& names() const noexcept { return names_; }
  bool contains(const std::string& name) const;
  /// The entry's bytes (CRC-checked). Throws kCorruptFile when missing or damaged.
  std::shared_ptr<const Storage> read(const std::string& name) const;

  /// True when the bytes start like a zip archive.
  static bool looks_like_zip(const Storage& file) noexcept;

 private:
  struct Entry {
    std::string name;
    std::uint16_t method = 0;
    std::uint32_t crc32 = 0;
    std::uint64_t compressed_size = 0;
    std::uint64_t uncompressed_size = 0;
    std::uint64_t local_header_offset = 0;
  };
  const Entry* find(const std::string& name) const;
  [[noreturn]] void fail(const std::string& what) const;

  std::shared_ptr<const Storage> file_;
  std::string path_;
  std::vector<Entry> entries_;
  std::vector<std::string> names_;
};

/// Writes an uncompressed zip the way PyTorch's writer does: each entry's data starts at a
/// multiple of 64 bytes, so loaders can map tensors in place. Bytes go to `sink` as they are
/// produced, so an archive never needs to fit in memory.
class ZipWriter {
 public:
  explicit ZipWriter(ByteSink sink) : sink_(std::move(sink)) {}
  /// Appends an entry holding `size` bytes.
  void add(const std::string& name, const void* data, std::size_t size);
  /// Writes the central directory; the archive is complete afterwards.
  void finish();

 private:
  struct Entry {
    std::string name;
    std::uint32_t crc32;
    std::uint64_t size;
    std::uint64_t offset;
  };
  void emit(const std::vector<std::uint8_t>& bytes);

  ByteSink sink_;
  std::uint64_t position_ = 0;
  std::vector<Entry> entries_;
};

/// CRC-32 of `size` bytes, as zip stores it.
std::uint32_t zip_crc32(const std::uint8_t* data, std::uint64_t size);

}  // namespace rvc::io
