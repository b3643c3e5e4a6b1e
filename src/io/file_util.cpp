#include "io/file_util.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdint>
#include <cstring>

#include "rvc/error.hpp"

namespace rvc::io {
namespace {

std::string system_reason() { return std::strerror(errno); }

struct Mapping {
  void* address = nullptr;
  std::size_t size = 0;
  ~Mapping() {
    if (address != nullptr && address != MAP_FAILED) munmap(address, size);
  }
};

class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

}  // namespace

std::shared_ptr<const Storage> map_file(const std::string& path) {
  FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    const ErrorCode code = errno == ENOENT ? ErrorCode::kFileNotFound : ErrorCode::kIo;
    throw Error(code, "cannot open '" + path + "': " + system_reason() +
                          " (check the path and that the file is readable)");
  }
  struct stat info {};
  if (::fstat(fd.get(), &info) != 0) {
    throw Error(ErrorCode::kIo, "cannot read '" + path + "': " + system_reason());
  }
  if (S_ISDIR(info.st_mode)) {
    throw Error(ErrorCode::kInvalidArgument, "'" + path + "' is a folder, not a file");
  }
  auto mapping = std::make_shared<Mapping>();
  auto storage = std::make_shared<Storage>();
  mapping->size = static_cast<std::size_t>(info.st_size);
  if (mapping->size > 0) {
    mapping->address = ::mmap(nullptr, mapping->size, PROT_READ, MAP_PRIVATE, fd.get(), 0);
    if (mapping->address == MAP_FAILED) {
      throw Error(ErrorCode::kIo, "cannot map '" + path + "' into memory: " + system_reason());
    }
    storage->data = static_cast<const std::uint8_t*>(mapping->address);
  }
  storage->nbytes = mapping->size;
  storage->owner = mapping;
  return storage;
}

void write_atomically(const std::string& path,
                      const std::function<void(const std::string& temporary_path)>& write) {
  static std::atomic<unsigned> counter{0};
  const std::string temporary = path + ".tmp-" + std::to_string(::getpid()) + "-" +
                                std::to_string(counter.fetch_add(1));
  try {
    write(temporary);
    FileDescriptor fd(::open(temporary.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0 || ::fsync(fd.get()) != 0) {
      throw Error(ErrorCode::kIo, "cannot flush '" + temporary + "' to disk: " + system_reason());
    }
    if (std::rename(temporary.c_str(), path.c_str()) != 0) {
      throw Error(ErrorCode::kIo, "cannot move '" + temporary + "' to '" + path +
                                      "': " + system_reason() +
                                      " (check that the folder is writable)");
    }
  } catch (...) {
    std::remove(temporary.c_str());
    throw;
  }
}

void write_stream_atomically(const std::string& path, const std::function<void(const ByteSink& sink)>& produce) {
  write_atomically(path, [&](const std::string& temporary) {
    FileDescriptor fd(::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    if (fd.get() < 0) {
      const ErrorCode code = errno == ENOENT ? ErrorCode::kFileNotFound : ErrorCode::kIo;
      throw Error(code, "cannot create '" + path + "': " + system_reason() +
                            " (check that the folder exists and is writable)");
    }
    produce([&](const void* data, std::size_t size) {
      const auto* bytes = static_cast<const char*>(data);
      std::size_t written = 0;
      while (written < size) {
        const ssize_t n = ::write(fd.get(), bytes + written, size - written);
        if (n < 0) {
          if (errno == EINTR) continue;
          throw Error(ErrorCode::kIo, "cannot write '" + path + "': " + system_reason() +
                                          " (is the disk full?)");
        }
        written += static_cast<std::size_t>(n);
      }
    });
  });
}

void write_file_atomically(const std::string& path, const void* data, std::size_t size) {
  write_stream_atomically(path, [&](const ByteSink& sink) { sink(data, size); });
}

void release_mapped_pages(const void* begin, std::size_t size) {
  const auto page = static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE));
  const auto start = reinterpret_cast<std::uintptr_t>(begin);
  const std::uintptr_t first = (start + page - 1) / page * page;
  const std::uintptr_t last = (start + size) / page * page;
  if (last > first) ::madvise(reinterpret_cast<void*>(first), last - first, MADV_DONTNEED);
}

bool path_exists(const std::string& path) {
  struct stat info {};
  return ::stat(path.c_str(), &info) == 0;
}

std::string file_name(const std::string& path) {
  const std::size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string file_stem(const std::string& path) {
  const std::string name = file_name(path);
  const std::size_t dot = name.find_last_of('.');
  return dot == std::string::npos || dot == 0 ? name : name.substr(0, dot);
}

std::string parent_folder(const std::string& path) {
  const std::size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

std::string lower_extension(const std::string& path) {
  const std::size_t slash = path.find_last_of('/');
  const std::size_t dot = path.find_last_of('.');
  if (dot == std::string::npos || (slash != std::string::npos && dot < slash)) return "";
  std::string extension = path.substr(dot + 1);
  for (char& c : extension) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return extension;
}

}  // namespace rvc::io
