// Private helpers for reading whole files and writing files atomically. Paths are UTF-8 bytes.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "rvc/io/tensor_data.hpp"

namespace rvc::io {

/// The whole file, memory-mapped read-only. Throws kFileNotFound / kIo naming the path.
std::shared_ptr<const Storage> map_file(const std::string& path);

/// Runs `write(temporary_path)`, which must create that file, then flushes it to disk and renames
/// it over `path`. On any failure the temporary file is removed and `path` is left untouched.
void write_atomically(const std::string& path,
                      const std::function<void(const std::string& temporary_path)>& write);

/// Receives the bytes of a file being written, in order.
using ByteSink = std::function<void(const void* data, std::size_t size)>;

/// Writes the bytes `produce` hands to its sink, atomically (as write_atomically does).
void write_stream_atomically(const std::string& path, const std::function<void(const ByteSink& sink)>& produce);

/// Writes `size` bytes atomically.
void write_file_atomically(const std::string& path, const void* data, std::size_t size);

/// Lets the system drop the pages of a read-only mapping (from map_file) that lie wholly inside
/// [begin, begin + size): a one-pass reader of a large file keeps its memory flat. Reading them
/// again later reloads them from the file.
void release_mapped_pages(const void* begin, std::size_t size);

/// True when something exists at `path`.
bool path_exists(const std::string& path);

/// The last component of a '/'-separated path ("voice.pth").
std::string file_name(const std::string& path);

/// file_name without its last extension ("voice").
std::string file_stem(const std::string& path);

/// The folder part of a path ("logs/exp" for "logs/exp/G_1.pth"; "." when there is none).
std::string parent_folder(const std::string& path);

/// Lower-case extension without the dot ("wav"), or "" when there is none.
std::string lower_extension(const std::string& path);

}  // namespace rvc::io
