#include "f0/gru_kernel.hpp"

#include <cmath>
#include <vector>

namespace rvc::f0 {
namespace {

// 16 floats: one AVX-512 register (two AVX2 ones, four SSE ones in the other clones); unaligned
// and allowed to alias float, as the intrinsics' own __m512_u.
typedef float Lanes __attribute__((vector_size(64), aligned(4), may_alias));

// gates += Wᵀ·h, summing over k in order for every gate. 64 gates at a time stay in registers over
// all of h, so each weight is loaded once per step and each gate stored once.
#if defined(__GNUC__) && defined(__x86_64__) && !defined(__clang__)
__attribute__((target_clones("avx512f", "avx2", "default")))
#endif
void add_recurrent_product(const float* weight_t, const float* h, std::int64_t hidden, std::int64_t width,
                           float* gates) {
  constexpr std::int64_t kLanes = 16;
  std::int64_t j0 = 0;
  for (; j0 + 4 * kLanes <= width; j0 += 4 * kLanes) {
    Lanes* out = reinterpret_cast<Lanes*>(gates + j0);
    Lanes sum0 = out[0], sum1 = out[1], sum2 = out[2], sum3 = out[3];
    const float* row = weight_t + j0;
    for (std::int64_t k = 0; k < hidden; ++k, row += width) {
      const Lanes hk = Lanes{} + h[k];
      const Lanes* weights = reinterpret_cast<const Lanes*>(row);
      sum0 += hk * weights[0];
      sum1 += hk * weights[1];
      sum2 += hk * weights[2];
      sum3 += hk * weights[3];
    }
    out[0] = sum0;
    out[1] = sum1;
    out[2] = sum2;
    out[3] = sum3;
  }
  for (std::int64_t k = 0; k < hidden; ++k) {
    for (std::int64_t j = j0; j < width; ++j) gates[j] += h[k] * weight_t[k * width + j];
  }
}

float sigmoid(float x) { return 1.0f / (1.0f + std::exp(-x)); }

// tanh through exp (2σ(2x) − 1): glibc's tanhf goes through the much slower expm1f. Absolute error
// stays within a few float ulps of 1.
float fast_tanh(float x) { return 2.0f / (1.0f + std::exp(-2.0f * x)) - 1.0f; }

}  // namespace

void run_gru_direction(const float* input_gates, const float* recurrent_weight_t, const float* recurrent_bias,
                       std::int64_t steps, std::int64_t hidden, bool reverse, float* output,
                       std::int64_t output_stride, float* state) {
  const std::int64_t width = 3 * hidden;
  std::vector<float> h(state, state + hidden);
  std::vector<float> gates(static_cast<std::size_t>(width));
  for (std::int64_t step = 0; step < steps; ++step) {
    const std::int64_t t = reverse ? steps - 1 - step : step;
    std::copy(recurrent_bias, recurrent_bias + width, gates.begin());
    add_recurrent_product(recurrent_weight_t, h.data(), hidden, width, gates.data());
    const float* in = input_gates + t * width;
    for (std::int64_t j = 0; j < hidden; ++j) {
      const float r = sigmoid(in[j] + gates[j]);
      const float z = sigmoid(in[hidden + j] + gates[hidden + j]);
      const float n = fast_tanh(in[2 * hidden + j] + r * gates[2 * hidden + j]);
      h[j] = (1.0f - z) * n + z * h[j];
    }
    std::copy(h.begin(), h.end(), output + t * output_stride);
  }
  std::copy(h.begin(), h.end(), state);
}

}  // namespace rvc::f0
