/// @file progress.hpp
/// @brief The progress report and cancel hook every long-running operation takes.
#pragma once

#include <functional>
#include <string>

namespace rvc {

/// Called during a long operation with the stage it is in and the fraction of that stage done
/// (0 to 1). Return false to cancel: the operation then throws rvc::Error (kCancelled). It runs
/// on the thread doing the work.
using ProgressCallback = std::function<bool(const std::string& stage, double fraction)>;

}  // namespace rvc
