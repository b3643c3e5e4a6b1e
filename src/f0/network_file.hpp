// Opening the weights file of a network f0 method, with the errors every such method gives.
// Private to rvc_core.
#pragma once

#include <string>

#include "model/checkpoint_kind.hpp"
#include "rvc/io/value.hpp"

namespace rvc::f0 {

/// Loads `path` as the checkpoint of `method` ("rmvpe", "fcpe"). Throws rvc::Error ending in
/// `what_to_pass`: kInvalidArgument for an empty path, kFileNotFound, kWrongModelKind when the
/// file is another kind of RVC file than `expected`, kCorruptFile for a damaged file.
io::Value load_network_checkpoint(const std::string& path, model::CheckpointKind expected, const char* method,
                                  const std::string& what_to_pass);

}  // namespace rvc::f0
