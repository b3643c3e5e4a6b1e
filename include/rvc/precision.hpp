/// @file precision.hpp
/// @brief The numeric precision a network runs in, shared by every component.
#pragma once

namespace rvc {

/// Numeric precision the networks run in.
enum class Precision {
  kAuto,      ///< float32 on CPU, float16 on CUDA.
  kFloat32,   ///< float32 everywhere (on CUDA without TF32: the CPU's results, process-wide).
  kFloat16,   ///< float16 (CUDA only).
  kBFloat16,  ///< bfloat16 (opt-in on CPU; lower quality, see the benchmarks).
};

/// "auto", "fp32", "fp16", "bf16".
const char* precision_name(Precision precision) noexcept;

}  // namespace rvc
