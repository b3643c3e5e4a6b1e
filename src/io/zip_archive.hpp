// Reading and writing the zip container of torch.save files. Private to rvc_core.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

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

/// Builds an uncompressed zip the way PyTorch's writer does: each entry's data starts at a
/// multiple of 64 bytes, so loaders can map tensors in place.
class ZipWriter {
 public:
  void add(const std::string& name, const void* data, std::size_t size);
  /// The finished archive.
  std::vector<std::uint8_t> finish();

 private:
  struct Entry {
    std::string name;
    std::uint32_t crc32;
    std::uint64_t size;
    std::uint64_t offset;
  };
  std::vector<std::uint8_t> out_;
  std::vector<Entry> entries_;
};

}  // namespace rvc::io
