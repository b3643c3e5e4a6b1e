/// @file checkpoint.hpp
/// @brief Reading and writing PyTorch checkpoint files (`torch.save`, zip format) without Python.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "rvc/io/value.hpp"

namespace rvc::io {

/// Bounds that keep a damaged or hostile file from exhausting memory or time.
struct CheckpointLimits {
  int max_depth = 256;                    ///< Deepest container nesting accepted.
  std::int64_t max_nodes = 10'000'000;    ///< Values visited when walking the loaded tree.
  int max_tensor_rank = 16;               ///< Most dimensions a tensor may have.

  /// Throws rvc::Error (kInvalidArgument) naming the bad field.
  void validate() const;
};

/// Reads a file written by `torch.save` (zip format, pickle protocols 2 to 5) into a Value tree.
/// Tensors keep referencing the memory-mapped file; nothing in the file is executed. Classes that
/// rvc does not know become OpaqueObject values. Throws rvc::Error naming `path` when the file is
/// missing, truncated, corrupt, in the legacy (pre-1.6) format, or outside `limits`.
Value load_checkpoint(const std::string& path, const CheckpointLimits& limits = {});

/// Same as load_checkpoint, from the bytes of a file already in memory (an entry of a voice bundle);
/// `path` names it in error messages.
Value load_checkpoint_bytes(std::shared_ptr<const Storage> file, const std::string& path,
                            const CheckpointLimits& limits = {});

/// Writes `root` as a zip-format `torch.save` file that `torch.load` reads, also with
/// `weights_only=True` when the tree holds only dicts, lists, tuples, str, int, float, bool, None
/// and tensors. Written atomically: `path` is replaced only once the whole file is on disk.
void save_checkpoint(const std::string& path, const Value& root);

/// The bytes save_checkpoint would write for `root`.
std::vector<std::uint8_t> checkpoint_to_bytes(const Value& root);

/// Walks `root` and throws rvc::Error (kCorruptFile) when it is deeper than limits.max_depth,
/// larger than limits.max_nodes visits, or cyclic. Readers call it before handing a tree out, so
/// that recursive consumers are safe.
void check_tree_bounds(const Value& root, const CheckpointLimits& limits, const std::string& path);

}  // namespace rvc::io
