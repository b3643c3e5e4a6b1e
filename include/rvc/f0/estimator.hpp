/// @file estimator.hpp
/// @brief The f0 estimators: one interface for every method RVC offers, and a factory.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "rvc/f0/pitch.hpp"
#include "rvc/precision.hpp"

namespace rvc::f0 {

/// Sample rate every estimator takes.
constexpr int kF0SampleRateHz = 16000;

/// The f0 methods of RVC's UI and CLI.
enum class F0Method {
  kPm,       ///< Praat autocorrelation (parselmouth).
  kHarvest,  ///< WORLD harvest + stonemask.
  kDio,      ///< WORLD dio + stonemask.
  kRmvpe,    ///< RMVPE network (`rmvpe.pt`), RVC's default.
  kFcpe,     ///< FCPE network (torchfcpe checkpoint), RVC 2026.
};

/// The name RVC uses for `method` ("pm", "harvest", "dio", "rmvpe", "fcpe").
const char* f0_method_name(F0Method method) noexcept;

/// The method named `name` (RVC's names, case-insensitive). Throws rvc::Error (kInvalidArgument)
/// listing the names for anything else.
F0Method parse_f0_method(const std::string& name);

/// Whether `method` runs a network and so needs EstimatorConfig::model_path.
bool f0_method_needs_model(F0Method method) noexcept;

/// Frames an estimator returns for `num_samples` samples at 16 kHz: ⌊n / 160⌋ + 1.
std::int64_t f0_frames(std::int64_t num_samples) noexcept;

/// How an estimator is created.
struct EstimatorConfig {
  /// The network's weights: `rmvpe.pt` for rmvpe, a torchfcpe checkpoint for fcpe. Unused by pm,
  /// harvest and dio.
  std::string model_path;
  std::string device = "cpu";              ///< "cpu", "cuda" or "cuda:N" (network methods).
  Precision precision = Precision::kAuto;  ///< fp32 on CPU, fp16 on CUDA by default.
  /// Frames whose confidence is at or below this are unvoiced. Negative: the threshold RVC uses
  /// for the method (rmvpe 0.03, fcpe 0.006).
  double voicing_threshold = -1;

  /// Throws rvc::Error (kInvalidArgument, kUnsupported) naming the bad field.
  void validate() const;
};

/// An f0 estimator: 16 kHz mono audio in, f0 at 100 frames per second out. Read-only after
/// creation: any number of threads may call estimate at the same time.
class Estimator {
 public:
  virtual ~Estimator();

  /// The method this estimator runs.
  virtual F0Method method() const noexcept = 0;

  /// The pitch track of `num_samples` samples at `sample_rate_hz` (must be 16000): f0_frames(n)
  /// frames, 0 = unvoiced, with per-frame confidence where the method has one. Throws rvc::Error:
  /// kInvalidArgument for another rate (resample first), kInvalidAudio for audio that is too short
  /// or holds non-finite samples.
  virtual F0Track estimate(const float* samples, std::int64_t num_samples, int sample_rate_hz) const = 0;

 protected:
  Estimator() = default;                                ///< For implementations.
  Estimator(const Estimator&) = default;                ///< For implementations.
  Estimator& operator=(const Estimator&) = default;     ///< For implementations.
};

/// Creates the estimator for `method`. Throws rvc::Error: kFileNotFound, kWrongModelKind (another
/// RVC file where the method's network is expected), kCorruptFile, kUnsupported (a method this
/// build does not have yet, or a device it cannot use), each naming the file and what to pass.
std::unique_ptr<Estimator> make_f0_estimator(F0Method method, const EstimatorConfig& config = {});

}  // namespace rvc::f0
