/// @file npy.hpp
/// @brief NumPy `.npy` files (format versions 1 to 3, little-endian).
#pragma once

#include <string>

#include "rvc/io/tensor_data.hpp"

namespace rvc::io {

/// Reads an array of any dtype of DType (C or Fortran order). Throws rvc::Error naming `path`.
TensorData load_npy(const std::string& path);

/// Writes `tensor` (any layout) as a C-order version 1.0 file, atomically.
void save_npy(const std::string& path, const TensorData& tensor);

}  // namespace rvc::io
