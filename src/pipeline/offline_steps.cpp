#include "pipeline/offline_steps.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "rvc/error.hpp"
#include "rvc/f0/pitch.hpp"

namespace rvc::pipeline {
namespace {

constexpr std::int64_t kRate16k = 16000;
constexpr std::int64_t kHop = f0::kHopSamples16k;

float peak_of(const std::vector<float>& samples) {
  float peak = 0;
  for (const float x : samples) peak = std::max(peak, std::fabs(x));
  return peak;
}

// librosa.feature.rms(y, frame_length, hop_length) with center=True and zero padding: one value
// per hop, each the root mean square of frame_length samples centred on it. Accumulates in T, as
// numpy does for T arrays.
template <typename T, typename Sample>
std::vector<T> frame_rms(const std::vector<Sample>& y, std::int64_t frame_length, std::int64_t hop) {
  const auto n = static_cast<std::int64_t>(y.size());
  const std::int64_t half = frame_length / 2;
  const std::int64_t frames = 1 + (n + 2 * half - frame_length) / hop;
  std::vector<T> rms(static_cast<std::size_t>(std::max<std::int64_t>(frames, 0)));
  for (std::int64_t f = 0; f < frames; ++f) {
    T sum = 0;
    for (std::int64_t i = std::max<std::int64_t>(0, f * hop - half); i < std::min(n, f * hop - half + frame_length);
         ++i) {
      const T v = static_cast<T>(y[static_cast<std::size_t>(i)]);
      sum += v * v;
    }
    rms[static_cast<std::size_t>(f)] = std::sqrt(sum / static_cast<T>(frame_length));
  }
  return rms;
}

// torch.nn.functional.interpolate(x[None, None], size=n, mode="linear") (align_corners=False) for
// T = float or double, with PyTorch's index arithmetic.
template <typename T>
T interpolate_at(const std::vector<T>& x, T ratio, std::int64_t i) {
  const auto size = static_cast<std::int64_t>(x.size());
  if (size == 1) return x[0];
  T position = static_cast<T>(static_cast<double>(ratio) * (static_cast<double>(i) + 0.5) - 0.5);
  if (position < 0) position = 0;
  const auto i0 = static_cast<std::int64_t>(position);
  const std::int64_t i1 = i0 + (i0 < size - 1 ? 1 : 0);
  const T lambda1 = position - static_cast<T>(i0);
  const T lambda0 = static_cast<T>(1) - lambda1;
  return lambda0 * x[static_cast<std::size_t>(i0)] + lambda1 * x[static_cast<std::size_t>(i1)];
}

}  // namespace

ChunkGeometry chunk_geometry(ChunkPreset preset) {
  switch (preset) {
    case ChunkPreset::kFloat32: return {1, 6, 38, 41};
    case ChunkPreset::kFloat16: return {3, 10, 60, 65};
    case ChunkPreset::kLowMemory: return {1, 5, 30, 32};
    case ChunkPreset::kAuto: break;
  }
  throw Error(ErrorCode::kInvalidArgument, "chunk_geometry: resolve ChunkPreset::kAuto from the precision first");
}

ChunkSamples chunk_samples(const ChunkGeometry& geometry) {
  return {kRate16k * geometry.x_pad, kRate16k * geometry.x_query, kRate16k * geometry.x_center,
          kRate16k * geometry.x_max};
}

void limit_input_peak(std::vector<float>& samples) {
  const double excess = static_cast<double>(peak_of(samples)) / 0.95;
  if (excess <= 1) return;
  const auto divisor = static_cast<float>(excess);
  for (float& x : samples) x /= divisor;
}

std::vector<double> reflect_pad(const std::vector<double>& x, std::int64_t pad) {
  const auto n = static_cast<std::int64_t>(x.size());
  std::vector<double> padded(static_cast<std::size_t>(n + 2 * pad));
  const std::int64_t period = 2 * (n - 1);
  for (std::int64_t i = 0; i < n + 2 * pad; ++i) {
    std::int64_t source = 0;
    if (period > 0) {
      source = ((i - pad) % period + period) % period;
      if (source >= n) source = period - source;
    }
    padded[static_cast<std::size_t>(i)] = x[static_cast<std::size_t>(source)];
  }
  return padded;
}

std::vector<std::int64_t> find_split_points(const std::vector<double>& filtered, const ChunkSamples& geometry) {
  const auto n = static_cast<std::int64_t>(filtered.size());
  std::vector<std::int64_t> splits;
  if (n + kHop <= geometry.max) return splits;
  const std::vector<double> margin = reflect_pad(filtered, kHop / 2);
  // RVC sums |x| over 160 samples for every position; only the windows searched are needed, and
  // each sum runs in RVC's order so ties resolve the same way.
  auto window_sum = [&](std::int64_t position) {
    double sum = 0;
    for (std::int64_t i = 0; i < kHop; ++i) sum += std::fabs(margin[static_cast<std::size_t>(position + i)]);
    return sum;
  };
  for (std::int64_t t = geometry.center; t < n; t += geometry.center) {
    const std::int64_t from = t - geometry.query;
    const std::int64_t to = std::min(n, t + geometry.query);
    std::int64_t best = from;
    double best_sum = std::numeric_limits<double>::infinity();
    for (std::int64_t position = from; position < to; ++position) {
      const double sum = window_sum(position);
      if (sum < best_sum) {
        best_sum = sum;
        best = position;
      }
    }
    splits.push_back(best);
  }
  return splits;
}

std::vector<ChunkSpan> plan_chunks(std::int64_t padded_length, const std::vector<std::int64_t>& split_points,
                                   std::int64_t pad) {
  std::vector<ChunkSpan> chunks;
  std::int64_t start = 0;
  for (const std::int64_t split : split_points) {
    const std::int64_t t = split / kHop * kHop;
    chunks.push_back({start, t + 2 * pad + kHop, start / kHop});
    start = t;
  }
  chunks.push_back({start, padded_length, start / kHop});
  return chunks;
}

std::vector<float> upsample_and_protect(const std::vector<float>& blended, const std::vector<float>& raw,
                                        int dim, std::int64_t frames, const float* pitchf, double protect) {
  std::vector<float> phone(static_cast<std::size_t>(frames * dim));
  const bool protecting = protect < 0.5 && pitchf != nullptr && !raw.empty();
  const auto keep = static_cast<float>(protect);
  const float rest = 1.0f - keep;
  for (std::int64_t t = 0; t < frames; ++t) {
    const std::size_t source = static_cast<std::size_t>(t / 2) * static_cast<std::size_t>(dim);
    float* row = phone.data() + static_cast<std::size_t>(t) * static_cast<std::size_t>(dim);
    if (protecting && pitchf[t] < 1.0f) {
      for (int c = 0; c < dim; ++c) row[c] = blended[source + c] * keep + raw[source + c] * rest;
    } else {
      std::copy_n(blended.data() + source, dim, row);
    }
  }
  return phone;
}

std::vector<double> input_rms_envelope(const std::vector<double>& input_16k) {
  return frame_rms<double>(input_16k, kRate16k / 2 * 2, kRate16k / 2);
}

void mix_rms_envelope(const std::vector<double>& rms_in, std::vector<float>& out, int out_rate, double rate) {
  if (out.empty()) return;
  const std::vector<float> rms_out = frame_rms<float>(out, out_rate / 2 * 2, out_rate / 2);
  const auto n = static_cast<std::int64_t>(out.size());
  const double ratio_in = static_cast<double>(rms_in.size()) / static_cast<double>(n);
  const float ratio_out = static_cast<float>(rms_out.size()) / static_cast<float>(n);
  // RVC raises the float64 input envelope and the float32 output envelope separately.
  const auto exponent_in = static_cast<double>(static_cast<float>(1 - rate));
  const auto exponent_out = static_cast<float>(rate - 1);
  for (std::int64_t i = 0; i < n; ++i) {
    const double envelope_in = interpolate_at(rms_in, ratio_in, i);
    const float envelope_out = std::max(interpolate_at(rms_out, ratio_out, i), 1e-6f);
    const double gain = std::pow(envelope_in, exponent_in) * static_cast<double>(std::pow(envelope_out, exponent_out));
    out[static_cast<std::size_t>(i)] = static_cast<float>(static_cast<double>(out[static_cast<std::size_t>(i)]) * gain);
  }
}

void limit_output_peak(std::vector<float>& samples) {
  const double excess = static_cast<double>(peak_of(samples)) / 0.99;
  if (excess <= 1) return;
  const auto gain = static_cast<float>(1.0 / excess);
  for (float& x : samples) x *= gain;
}

void quantize_like_rvc_int16(std::vector<float>& samples) {
  for (float& x : samples) x = std::clamp(std::trunc(x * 32768.0f), -32768.0f, 32767.0f) / 32768.0f;
}

}  // namespace rvc::pipeline
