#include "rvc/f0/pitch.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "io/file_util.hpp"
#include "rvc/error.hpp"

namespace rvc::f0 {
namespace {

double mel_of(double hz) { return 1127.0 * std::log(1.0 + hz / 700.0); }

// np.interp: linear between the points, the end values held outside them.
double interp(double x, const std::vector<double>& xs, const std::vector<double>& ys) {
  if (x <= xs.front()) return ys.front();
  if (x >= xs.back()) return ys.back();
  const std::size_t upper = static_cast<std::size_t>(std::upper_bound(xs.begin(), xs.end(), x) - xs.begin());
  const std::size_t lower = upper - 1;
  const double span = xs[upper] - xs[lower];
  if (span == 0) return ys[upper];
  return ys[lower] + (ys[upper] - ys[lower]) * (x - xs[lower]) / span;
}

// RVC's mapping in float32 arithmetic: numpy casts the float64 constants to float32 first.
std::int64_t coarse_float32(float hz) {
  float mel = 1127.0f * std::log(1.0f + hz / 700.0f);
  if (mel > 0) {
    const float mel_min = static_cast<float>(mel_of(kCoarseMinHz));
    const float range = static_cast<float>(mel_of(kCoarseMaxHz) - mel_of(kCoarseMinHz));
    mel = (mel - mel_min) * 254.0f / range + 1.0f;
  }
  mel = mel <= 1.0f ? 1.0f : std::min(mel, 255.0f);
  return static_cast<std::int64_t>(std::nearbyint(mel));
}

std::int64_t coarse_float64(double hz) {
  double mel = mel_of(hz);
  if (mel > 0) mel = (mel - mel_of(kCoarseMinHz)) * 254.0 / (mel_of(kCoarseMaxHz) - mel_of(kCoarseMinHz)) + 1.0;
  mel = mel <= 1.0 ? 1.0 : std::min(mel, 255.0);
  return static_cast<std::int64_t>(std::nearbyint(mel));
}

}  // namespace

void shift_key(F0Track& track, double semitones) {
  const double factor = std::pow(2.0, semitones / 12.0);
  for (double& hz : track.hz) {
    hz = track.arithmetic == F0Arithmetic::kFloat32
             ? static_cast<double>(static_cast<float>(hz) * static_cast<float>(factor))
             : hz * factor;
  }
}

void median_filter(F0Track& track, int kernel_size) {
  if (kernel_size < 1 || kernel_size % 2 == 0) {
    throw Error(ErrorCode::kInvalidArgument,
                "median filter kernel size " + std::to_string(kernel_size) + " is not a positive odd number");
  }
  const int half = kernel_size / 2;
  const int count = static_cast<int>(track.hz.size());
  std::vector<double> filtered(track.hz.size());
  std::vector<double> window(kernel_size);
  for (int i = 0; i < count; ++i) {
    for (int k = -half; k <= half; ++k) {
      const int j = i + k;
      window[k + half] = j >= 0 && j < count ? track.hz[j] : 0.0;
    }
    std::nth_element(window.begin(), window.begin() + half, window.end());
    filtered[i] = window[half];
  }
  track.hz = std::move(filtered);
}

void interpolate_unvoiced(F0Track& track) {
  std::vector<double> frames, values;
  for (std::size_t i = 0; i < track.hz.size(); ++i) {
    if (track.hz[i] > 0) {
      frames.push_back(static_cast<double>(i));
      values.push_back(track.hz[i]);
    }
  }
  track.arithmetic = F0Arithmetic::kFloat64;
  if (frames.empty()) return;
  for (std::size_t i = 0; i < track.hz.size(); ++i) {
    if (track.hz[i] <= 0) track.hz[i] = interp(static_cast<double>(i), frames, values);
  }
}

std::vector<std::int64_t> coarse_pitch(const F0Track& track) {
  std::vector<std::int64_t> coarse(track.hz.size());
  for (std::size_t i = 0; i < track.hz.size(); ++i) {
    coarse[i] = track.arithmetic == F0Arithmetic::kFloat32 ? coarse_float32(static_cast<float>(track.hz[i]))
                                                           : coarse_float64(track.hz[i]);
  }
  return coarse;
}

std::vector<F0CurvePoint> read_f0_curve(const std::string& path) {
  const std::shared_ptr<const io::Storage> bytes = io::map_file(path);
  std::istringstream in(std::string(reinterpret_cast<const char*>(bytes->data), bytes->nbytes));
  std::vector<F0CurvePoint> curve;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    std::istringstream fields(line);
    F0CurvePoint point;
    char comma = 0;
    std::string rest;
    if (!(fields >> point.time_s >> comma >> point.hz) || comma != ',' || (fields >> rest) ||
        !std::isfinite(point.time_s) || !std::isfinite(point.hz) || point.hz < 0) {
      throw Error(ErrorCode::kCorruptFile, "f0 curve file '" + path + "' line " + std::to_string(number) +
                                               " is not 'time_seconds,f0_hz': '" + line +
                                               "'; write one pair of numbers per line");
    }
    curve.push_back(point);
  }
  if (curve.empty()) {
    throw Error(ErrorCode::kCorruptFile,
                "f0 curve file '" + path + "' holds no 'time_seconds,f0_hz' lines; write one pair per line");
  }
  return curve;
}

void apply_f0_curve(F0Track& track, const std::vector<F0CurvePoint>& curve, std::int64_t first_frame) {
  if (curve.empty() || first_frame < 0) return;
  std::vector<F0CurvePoint> sorted = curve;
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const F0CurvePoint& a, const F0CurvePoint& b) { return a.time_s < b.time_s; });
  std::vector<double> frames, values;
  for (const F0CurvePoint& point : sorted) {
    frames.push_back(point.time_s * kFramesPerSecond);
    values.push_back(point.hz);
  }
  const double span = sorted.back().time_s - sorted.front().time_s;
  const auto count = static_cast<std::int64_t>(std::nearbyint(span * kFramesPerSecond + 1.0));
  const std::int64_t size = static_cast<std::int64_t>(track.hz.size());
  for (std::int64_t i = 0; i < count && first_frame + i < size; ++i) {
    const double hz = interp(static_cast<double>(i), frames, values);
    track.hz[static_cast<std::size_t>(first_frame + i)] =
        track.arithmetic == F0Arithmetic::kFloat32 ? static_cast<double>(static_cast<float>(hz)) : hz;
  }
}

Pitch postprocess(F0Track track, const PitchOptions& options) {
  if (options.unvoiced == UnvoicedPolicy::kInterpolate) interpolate_unvoiced(track);
  shift_key(track, options.key_semitones);
  apply_f0_curve(track, options.curve, options.curve_first_frame);
  Pitch pitch;
  pitch.coarse = coarse_pitch(track);
  pitch.hz.assign(track.hz.begin(), track.hz.end());
  return pitch;
}

}  // namespace rvc::f0
