/// @file error.hpp
/// @brief The one exception type of the C++ core and its error codes.
#pragma once

#include <stdexcept>
#include <string>

namespace rvc {

/// Why an operation failed. The numeric values equal the C ABI's `rvc_status` codes.
enum class ErrorCode : int {
  kOk = 0,
  kInvalidArgument = 1,  ///< A parameter is out of range or inconsistent.
  kFileNotFound = 2,     ///< A path does not exist or cannot be opened.
  kIo = 3,               ///< Reading or writing failed (disk full, permissions, ...).
  kCorruptFile = 4,      ///< A file exists but its content is truncated, damaged or not what it claims.
  kUnsupported = 5,      ///< A valid file or request that this build cannot handle.
  kInvalidAudio = 6,     ///< Audio that is empty, too short, or holds NaN/Inf samples.
  kBufferTooSmall = 7,   ///< A caller-owned buffer cannot hold the result.
  kOutOfMemory = 8,      ///< An allocation failed.
  kInternal = 9,         ///< A bug in rvc: please report it.
  kWrongModelKind = 10,  ///< A file of another kind than expected (training checkpoint for a model).
  kCancelled = 11,       ///< A progress callback asked to stop; nothing was written.
};

/// Short stable name of a code, e.g. "corrupt file".
const char* error_code_name(ErrorCode code) noexcept;

/// Every failure of the core is thrown as this. The message names the file or parameter and what
/// to do about it.
class Error : public std::runtime_error {
 public:
  /// An error of kind `code`; `message` says what failed and what to do.
  Error(ErrorCode code, const std::string& message);
  /// The kind of failure.
  ErrorCode code() const noexcept { return code_; }

 private:
  ErrorCode code_;
};

}  // namespace rvc
