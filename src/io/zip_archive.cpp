#include "io/zip_archive.hpp"

#include <zlib.h>

#include <cstring>
#include <limits>

#include "rvc/error.hpp"

namespace rvc::io {
namespace {

constexpr std::uint32_t kLocalHeaderSignature = 0x04034b50;
constexpr std::uint32_t kCentralHeaderSignature = 0x02014b50;
constexpr std::uint32_t kEndOfCentralDirectorySignature = 0x06054b50;
constexpr std::uint32_t kZip64LocatorSignature = 0x07064b50;
constexpr std::uint32_t kZip64EndSignature = 0x06064b50;
constexpr std::size_t kEndOfCentralDirectorySize = 22;
constexpr std::size_t kLocalHeaderSize = 30;
constexpr std::size_t kCentralHeaderSize = 46;
constexpr std::size_t kDataAlignment = 64;
constexpr std::size_t kMaxEntries = 1u << 20;

std::uint16_t u16(const std::uint8_t* p) { return static_cast<std::uint16_t>(p[0] | (p[1] << 8)); }
std::uint32_t u32(const std::uint8_t* p) {
  return static_cast<std::uint32_t>(p[0]) | (static_cast<std::uint32_t>(p[1]) << 8) |
         (static_cast<std::uint32_t>(p[2]) << 16) | (static_cast<std::uint32_t>(p[3]) << 24);
}
std::uint64_t u64(const std::uint8_t* p) {
  return static_cast<std::uint64_t>(u32(p)) | (static_cast<std::uint64_t>(u32(p + 4)) << 32);
}

void put16(std::vector<std::uint8_t>& out, std::uint32_t v) {
  out.push_back(static_cast<std::uint8_t>(v));
  out.push_back(static_cast<std::uint8_t>(v >> 8));
}
void put32(std::vector<std::uint8_t>& out, std::uint32_t v) {
  put16(out, v & 0xffffu);
  put16(out, v >> 16);
}

std::uint32_t checksum(const std::uint8_t* data, std::uint64_t size) {
  uLong crc = crc32(0L, Z_NULL, 0);
  while (size > 0) {
    const uInt chunk = static_cast<uInt>(std::min<std::uint64_t>(size, 1u << 30));
    crc = crc32(crc, data, chunk);
    data += chunk;
    size -= chunk;
  }
  return static_cast<std::uint32_t>(crc);
}

}  // namespace

bool ZipReader::looks_like_zip(const Storage& file) noexcept {
  return file.nbytes >= 4 && u32(file.data) == kLocalHeaderSignature;
}

void ZipReader::fail(const std::string& what) const {
  throw Error(ErrorCode::kCorruptFile,
              "'" + path_ + "' is not a readable zip archive: " + what +
                  " (the file is truncated or damaged; copy or download it again)");
}

ZipReader::ZipReader(std::shared_ptr<const Storage> file, std::string path)
    : file_(std::move(file)), path_(std::move(path)) {
  const std::uint8_t* data = file_->data;
  const std::size_t size = file_->nbytes;
  if (size < kEndOfCentralDirectorySize) fail("it is too small");

  // The end record sits in the last 22 + 65535 (comment) bytes.
  std::size_t end = std::string::npos;
  const std::size_t lowest = size > kEndOfCentralDirectorySize + 0xffff
                                 ? size - kEndOfCentralDirectorySize - 0xffff
                                 : 0;
  for (std::size_t pos = size - kEndOfCentralDirectorySize + 1; pos-- > lowest;) {
    if (u32(data + pos) == kEndOfCentralDirectorySignature) {
      end = pos;
      break;
    }
  }
  if (end == std::string::npos) fail("the end of the central directory is missing");

  std::uint64_t entry_count = u16(data + end + 10);
  std::uint64_t directory_size = u32(data + end + 12);
  std::uint64_t directory_offset = u32(data + end + 16);
  if (entry_count == 0xffff || directory_size == 0xffffffffu || directory_offset == 0xffffffffu) {
    if (end < 20 || u32(data + end - 20) != kZip64LocatorSignature) fail("zip64 locator missing");
    const std::uint64_t zip64_end = u64(data + end - 20 + 8);
    if (zip64_end > size || size - zip64_end < 56 || u32(data + zip64_end) != kZip64EndSignature) {
      fail("zip64 end record is damaged");
    }
    entry_count = u64(data + zip64_end + 32);
    directory_size = u64(data + zip64_end + 40);
    directory_offset = u64(data + zip64_end + 48);
  }
  if (directory_offset > size || directory_size > size - directory_offset) {
    fail("the central directory lies outside the file");
  }
  if (entry_count > kMaxEntries) fail("it claims too many entries");

  std::uint64_t pos = directory_offset;
  const std::uint64_t directory_end = directory_offset + directory_size;
  entries_.reserve(static_cast<std::size_t>(entry_count));
  for (std::uint64_t i = 0; i < entry_count; ++i) {
    if (directory_end - pos < kCentralHeaderSize || u32(data + pos) != kCentralHeaderSignature) {
      fail("central directory entry " + std::to_string(i) + " is damaged");
    }
    const std::uint8_t* header = data + pos;
    Entry entry;
    const std::uint16_t flags = u16(header + 8);
    entry.method = u16(header + 10);
    entry.crc32 = u32(header + 16);
    entry.compressed_size = u32(header + 20);
    entry.uncompressed_size = u32(header + 24);
    const std::uint16_t name_length = u16(header + 28);
    const std::uint16_t extra_length = u16(header + 30);
    const std::uint16_t comment_length = u16(header + 32);
    entry.local_header_offset = u32(header + 42);
    const std::uint64_t record = kCentralHeaderSize + name_length + extra_length + comment_length;
    if (directory_end - pos < record) fail("central directory entry " + std::to_string(i) + " is cut");
    entry.name.assign(reinterpret_cast<const char*>(header + kCentralHeaderSize), name_length);
    if (flags & 0x1u) {
      throw Error(ErrorCode::kUnsupported, "'" + path_ + "' holds an encrypted entry '" +
                                               entry.name + "'; save it again without a password");
    }
    // Zip64 extra field: the 64-bit values appear only for the fields that hold 0xffffffff.
    const std::uint8_t* extra = header + kCentralHeaderSize + name_length;
    for (std::size_t e = 0; e + 4 <= extra_length;) {
      const std::uint16_t id = u16(extra + e);
      const std::uint16_t length = u16(extra + e + 2);
      if (e + 4 + length > extra_length) break;
      if (id == 0x0001) {
        const std::uint8_t* field = extra + e + 4;
        std::size_t available = length;
        auto take = [&](std::uint64_t& target) {
          if (target != 0xffffffffu) return;
          if (available < 8) fail("zip64 field of '" + entry.name + "' is cut");
          target = u64(field);
          field += 8;
          available -= 8;
        };
        take(entry.uncompressed_size);
        take(entry.compressed_size);
        take(entry.local_header_offset);
      }
      e += 4 + length;
    }
    if (entry.method != 0 && entry.method != 8) {
      throw Error(ErrorCode::kUnsupported,
                  "'" + path_ + "' entry '" + entry.name + "' uses zip compression method " +
                      std::to_string(entry.method) + "; only stored and deflate are supported");
    }
    names_.push_back(entry.name);
    entries_.push_back(std::move(entry));
    pos += record;
  }
}

bool ZipReader::contains(const std::string& name) const { return find(name) != nullptr; }

const ZipReader::Entry* ZipReader::find(const std::string& name) const {
  for (const Entry& entry : entries_) {
    if (entry.name == name) return &entry;
  }
  return nullptr;
}

std::shared_ptr<const Storage> ZipReader::read(const std::string& name) const {
  const Entry* entry = find(name);
  if (entry == nullptr) fail("the entry '" + name + "' is missing");
  const std::uint8_t* data = file_->data;
  const std::size_t size = file_->nbytes;
  const std::uint64_t offset = entry->local_header_offset;
  if (offset > size || size - offset < kLocalHeaderSize || u32(data + offset) != kLocalHeaderSignature) {
    fail("the local header of '" + name + "' is damaged");
  }
  const std::uint64_t start = offset + kLocalHeaderSize + u16(data + offset + 26) + u16(data + offset + 28);
  if (start > size || entry->compressed_size > size - start) fail("the data of '" + name + "' is cut");

  auto storage = std::make_shared<Storage>();
  if (entry->method == 0) {
    if (entry->compressed_size != entry->uncompressed_size) fail("sizes of '" + name + "' disagree");
    storage->owner = file_;
    storage->data = data + start;
    storage->nbytes = static_cast<std::size_t>(entry->uncompressed_size);
  } else {
    if (entry->uncompressed_size > (std::uint64_t{1} << 40)) fail("'" + name + "' claims to be huge");
    auto inflated = std::make_shared<std::vector<std::uint8_t>>(
        static_cast<std::size_t>(entry->uncompressed_size));
    z_stream stream{};
    if (inflateInit2(&stream, -MAX_WBITS) != Z_OK) fail("zlib could not start");
    stream.next_in = const_cast<Bytef*>(data + start);
    stream.next_out = inflated->data();
    std::uint64_t in_left = entry->compressed_size;
    std::uint64_t out_left = inflated->size();
    int status = Z_OK;
    while (status == Z_OK) {
      const uInt in_chunk = static_cast<uInt>(std::min<std::uint64_t>(in_left, 1u << 30));
      const uInt out_chunk = static_cast<uInt>(std::min<std::uint64_t>(out_left, 1u << 30));
      stream.avail_in = in_chunk;
      stream.avail_out = out_chunk;
      status = inflate(&stream, Z_NO_FLUSH);
      in_left -= in_chunk - stream.avail_in;
      out_left -= out_chunk - stream.avail_out;
      if (status == Z_OK && stream.avail_in == in_chunk && stream.avail_out == out_chunk) break;
    }
    inflateEnd(&stream);
    if (status != Z_STREAM_END || out_left != 0) fail("the compressed data of '" + name + "' is damaged");
    storage->data = inflated->data();
    storage->nbytes = inflated->size();
    storage->owner = inflated;
  }
  if (checksum(storage->data, storage->nbytes) != entry->crc32) {
    fail("the checksum of '" + name + "' does not match");
  }
  return storage;
}

std::uint32_t zip_crc32(const std::uint8_t* data, std::uint64_t size) { return checksum(data, size); }

void ZipWriter::emit(const std::vector<std::uint8_t>& bytes) {
  sink_(bytes.data(), bytes.size());
  position_ += bytes.size();
}

void ZipWriter::add(const std::string& name, const void* data, std::size_t size) {
  if (size >= 0xffffffffu || position_ + size >= 0xffffffffu) {
    throw Error(ErrorCode::kUnsupported, "archives over 4 GiB are not supported (entry '" + name + "')");
  }
  const std::uint64_t header_start = position_;
  const std::uint64_t unpadded_start = header_start + kLocalHeaderSize + name.size() + 4;
  const std::size_t padding = static_cast<std::size_t>((kDataAlignment - unpadded_start % kDataAlignment) %
                                                       kDataAlignment);
  const auto* bytes = static_cast<const std::uint8_t*>(data);
  const std::uint32_t crc = checksum(bytes, size);

  std::vector<std::uint8_t> header;
  put32(header, kLocalHeaderSignature);
  put16(header, 20);  // version needed
  put16(header, 0);   // flags
  put16(header, 0);   // stored
  put16(header, 0);   // time
  put16(header, 0x21);  // date: 1980-01-01
  put32(header, crc);
  put32(header, static_cast<std::uint32_t>(size));
  put32(header, static_cast<std::uint32_t>(size));
  put16(header, static_cast<std::uint32_t>(name.size()));
  put16(header, static_cast<std::uint32_t>(4 + padding));
  header.insert(header.end(), name.begin(), name.end());
  put16(header, 0x4246);  // "FB": the padding record PyTorch's writer uses
  put16(header, static_cast<std::uint32_t>(padding));
  header.insert(header.end(), padding, static_cast<std::uint8_t>('Z'));
  emit(header);
  sink_(bytes, size);
  position_ += size;
  entries_.push_back({name, crc, size, header_start});
}

void ZipWriter::finish() {
  const std::uint64_t directory_start = position_;
  std::vector<std::uint8_t> out;
  for (const Entry& entry : entries_) {
    put32(out, kCentralHeaderSignature);
    put16(out, 20);  // made by
    put16(out, 20);  // needed
    put16(out, 0);
    put16(out, 0);
    put16(out, 0);
    put16(out, 0x21);
    put32(out, entry.crc32);
    put32(out, static_cast<std::uint32_t>(entry.size));
    put32(out, static_cast<std::uint32_t>(entry.size));
    put16(out, static_cast<std::uint32_t>(entry.name.size()));
    put16(out, 0);  // extra
    put16(out, 0);  // comment
    put16(out, 0);  // disk
    put16(out, 0);  // internal attributes
    put32(out, 0);  // external attributes
    put32(out, static_cast<std::uint32_t>(entry.offset));
    out.insert(out.end(), entry.name.begin(), entry.name.end());
  }
  const std::uint64_t directory_size = out.size();
  if (directory_start + directory_size >= 0xffffffffu || entries_.size() >= 0xffff) {
    throw Error(ErrorCode::kUnsupported, "archives over 4 GiB or 65535 entries are not supported");
  }
  put32(out, kEndOfCentralDirectorySignature);
  put16(out, 0);
  put16(out, 0);
  put16(out, static_cast<std::uint32_t>(entries_.size()));
  put16(out, static_cast<std::uint32_t>(entries_.size()));
  put32(out, static_cast<std::uint32_t>(directory_size));
  put32(out, static_cast<std::uint32_t>(directory_start));
  put16(out, 0);
  emit(out);
  entries_.clear();
}

}  // namespace rvc::io
