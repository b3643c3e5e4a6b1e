#include "rvc/error.hpp"

namespace rvc {

const char* error_code_name(ErrorCode code) noexcept {
  switch (code) {
    case ErrorCode::kOk: return "ok";
    case ErrorCode::kInvalidArgument: return "invalid argument";
    case ErrorCode::kFileNotFound: return "file not found";
    case ErrorCode::kIo: return "i/o error";
    case ErrorCode::kCorruptFile: return "corrupt file";
    case ErrorCode::kUnsupported: return "unsupported";
    case ErrorCode::kInvalidAudio: return "invalid audio";
    case ErrorCode::kBufferTooSmall: return "buffer too small";
    case ErrorCode::kOutOfMemory: return "out of memory";
    case ErrorCode::kInternal: return "internal error";
    case ErrorCode::kWrongModelKind: return "wrong model kind";
    case ErrorCode::kCancelled: return "cancelled";
  }
  return "unknown error";
}

Error::Error(ErrorCode code, const std::string& message) : std::runtime_error(message), code_(code) {}

}  // namespace rvc
