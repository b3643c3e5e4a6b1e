#include "rvc/f0/estimator.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>

#include "backend/torch_util.hpp"
#include "f0/classic_estimators.hpp"
#include "f0/fcpe.hpp"
#include "f0/rmvpe.hpp"
#include "rvc/error.hpp"

namespace rvc::f0 {
namespace {

constexpr F0Method kAllMethods[] = {F0Method::kPm, F0Method::kHarvest, F0Method::kDio, F0Method::kRmvpe,
                                    F0Method::kFcpe};

}  // namespace

const char* f0_method_name(F0Method method) noexcept {
  switch (method) {
    case F0Method::kPm: return "pm";
    case F0Method::kHarvest: return "harvest";
    case F0Method::kDio: return "dio";
    case F0Method::kRmvpe: return "rmvpe";
    case F0Method::kFcpe: return "fcpe";
  }
  return "unknown";
}

F0Method parse_f0_method(const std::string& name) {
  std::string lower = name;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  std::string names;
  for (F0Method method : kAllMethods) {
    if (lower == f0_method_name(method)) return method;
    names += std::string(names.empty() ? "" : ", ") + f0_method_name(method);
  }
  throw Error(ErrorCode::kInvalidArgument, "unknown f0 method \"" + name + "\"; use one of " + names);
}

bool f0_method_needs_model(F0Method method) noexcept {
  return method == F0Method::kRmvpe || method == F0Method::kFcpe;
}

std::int64_t f0_frames(std::int64_t num_samples) noexcept {
  return num_samples < 0 ? 0 : num_samples / kHopSamples16k + 1;
}

void EstimatorConfig::validate() const {
  torch_util::check_device_precision(device, precision, "EstimatorConfig");
  if (std::isnan(voicing_threshold)) {
    throw Error(ErrorCode::kInvalidArgument, "EstimatorConfig.voicing_threshold is NaN; pass a number (negative: the "
                                             "method's default)");
  }
}

Estimator::~Estimator() = default;

std::unique_ptr<Estimator> make_f0_estimator(F0Method method, const EstimatorConfig& config) {
  switch (method) {
    case F0Method::kRmvpe: return std::make_unique<RmvpeEstimator>(config);
    case F0Method::kFcpe: return std::make_unique<FcpeEstimator>(config);
    case F0Method::kPm:
    case F0Method::kHarvest:
    case F0Method::kDio: return std::make_unique<ClassicEstimator>(method);
  }
  throw Error(ErrorCode::kInvalidArgument, "unknown f0 method " + std::to_string(static_cast<int>(method)));
}

}  // namespace rvc::f0
