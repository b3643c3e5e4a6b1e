/// @file safetensors.hpp
/// @brief The safetensors format: a JSON header naming tensors, then their bytes.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "rvc/io/tensor_data.hpp"

namespace rvc::io {

/// The content of one .safetensors file, in header order.
struct SafetensorsFile {
  std::vector<std::pair<std::string, TensorData>> tensors;  ///< Name and tensor, in file order.
  std::vector<std::pair<std::string, std::string>> metadata;  ///< The "__metadata__" strings.

  /// The tensor called `name`, or nullptr.
  const TensorData* find(const std::string& name) const;
};

/// Reads a file; tensors reference the memory-mapped file. Throws rvc::Error naming `path`.
SafetensorsFile load_safetensors(const std::string& path);

/// Writes `file` atomically (tensors in the given order, 8-byte aligned header).
void save_safetensors(const std::string& path, const SafetensorsFile& file);

}  // namespace rvc::io
