#include "f0/network_file.hpp"

#include "io/file_util.hpp"
#include "rvc/error.hpp"
#include "rvc/io/checkpoint.hpp"

namespace rvc::f0 {

io::Value load_network_checkpoint(const std::string& path, model::CheckpointKind expected, const char* method,
                                  const std::string& what_to_pass) {
  if (path.empty()) {
    throw Error(ErrorCode::kInvalidArgument,
                std::string("f0 method ") + method + " needs EstimatorConfig.model_path; " + what_to_pass);
  }
  if (!io::path_exists(path)) {
    throw Error(ErrorCode::kFileNotFound,
                std::string(method) + " model '" + path + "' does not exist; " + what_to_pass);
  }
  io::Value root = io::load_checkpoint(path);
  const model::CheckpointKind kind = model::classify_checkpoint(root);
  if (kind != expected) {
    throw Error(ErrorCode::kWrongModelKind, "'" + path + "' is " + model::describe_checkpoint_kind(kind) + ", not " +
                                                model::describe_checkpoint_kind(expected) + "; " + what_to_pass);
  }
  return root;
}

}  // namespace rvc::f0
