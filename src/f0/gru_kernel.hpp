// The recurrent half of a GRU layer on the CPU, one direction. LibTorch's CPU GRU runs a
// batch-1 sequence step by step through general matrix routines, which costs RMVPE ~0.2 s for
// 10 s of audio; this loop keeps the 3H×H recurrent weights hot in cache and takes ~10 ms.
// No LibTorch here. Private to rvc_core.
#pragma once

#include <cstdint>

namespace rvc::f0 {

/// Runs one GRU direction over `steps` frames, PyTorch's gate order (r, z, n):
///   r = σ(gi_r + gh_r), z = σ(gi_z + gh_z), n = tanh(gi_n + r·gh_n), h = (1 − z)·n + z·h
/// with gh = W_hh·h + b_hh.
/// `input_gates`: [steps, 3H], x·W_ihᵀ + b_ih for these frames.
/// `recurrent_weight_t`: W_hhᵀ, [H, 3H] row-major. `recurrent_bias`: b_hh, [3H].
/// `output`: h of frame t is written at output + t·output_stride (H floats). `reverse` walks the
/// frames from last to first.
/// `state`: h before the first frame walked (H floats), updated to h after the last, so a long
/// sequence can run block by block.
void run_gru_direction(const float* input_gates, const float* recurrent_weight_t, const float* recurrent_bias,
                       std::int64_t steps, std::int64_t hidden, bool reverse, float* output,
                       std::int64_t output_stride, float* state);

}  // namespace rvc::f0
