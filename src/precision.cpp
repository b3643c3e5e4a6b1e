#include "rvc/precision.hpp"

namespace rvc {

const char* precision_name(Precision precision) noexcept {
  switch (precision) {
    case Precision::kAuto: return "auto";
    case Precision::kFloat32: return "fp32";
    case Precision::kFloat16: return "fp16";
    case Precision::kBFloat16: return "bf16";
  }
  return "?";
}

}  // namespace rvc
