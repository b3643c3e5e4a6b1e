// Python pickle (protocols 0-5 as PyTorch writes them) to and from Value trees. Private.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "rvc/io/checkpoint.hpp"
#include "rvc/io/value.hpp"

namespace rvc::io {

/// Resolves a persistent id (PyTorch's ('storage', type, key, location, numel) tuple) to a value.
using PersistentLoader = std::function<Value(const Value& persistent_id)>;

/// Decodes one pickle. Classes are never imported or called: the few PyTorch and standard-library
/// callables that build tensors, dicts and bytes are interpreted; everything else becomes an
/// OpaqueObject. `path` names the file in error messages.
Value unpickle(const std::uint8_t* data, std::size_t size, const PersistentLoader& persistent_loader,
               const CheckpointLimits& limits, const std::string& path);

/// Maps PyTorch's legacy storage class names ("FloatStorage") to a dtype; throws kUnsupported.
DType dtype_from_storage_class(const std::string& name, const std::string& path);
/// The storage class name PyTorch uses for `dtype`.
const char* storage_class_for(DType dtype);

/// Encodes `root` with protocol 2 as torch.save does. Every tensor is written as its own contiguous
/// storage; `add_storage(tensor)` must store its bytes and return the storage key.
std::vector<std::uint8_t> pickle(const Value& root,
                                 const std::function<std::string(const TensorData&)>& add_storage);

}  // namespace rvc::io
