// Built with AVX-512 enabled; called only after TimeMajorConv::supported checked the CPU.
#include "synth/time_major_conv.hpp"

#include <immintrin.h>

#include <algorithm>

namespace rvc::synth::detail {
namespace {

constexpr int kLanes = 16;

// Reduction pieces: one tap and up to this many input channels, so that a column block's weights
// for the piece (32 x 64 floats at most, 8 KB) stay in L1 while every row block of a row chunk
// uses them.
constexpr int64_t kPieceChannels = 32;
// Output rows per chunk: their partial sums (96 x 64 floats) and the piece of their input rows
// (96 x 32 floats) stay in L1 with the weights.
constexpr int64_t kChunkRows = 96;

// Rows x (Vectors·16) outputs held in registers over one piece: each input value is broadcast
// once and feeds Vectors FMAs; each weight vector is loaded once and feeds Rows FMAs. Partial
// sums between pieces live in `partial`; after the last piece the epilogue writes the outputs.
template <int Rows, int Vectors>
void output_block(const TimeMajorConvCall& call, int64_t row, int64_t column, int64_t tap, int64_t first_channel,
                  int64_t channels, bool first_piece, bool last_piece, float* partial) {
  constexpr int kColumns = Vectors * kLanes;
  const int64_t in_channels = call.in_channels;
  __m512 acc[Rows][Vectors];
#pragma GCC unroll 16
  for (int r = 0; r < Rows; ++r)
#pragma GCC unroll 4
    for (int v = 0; v < Vectors; ++v)
      acc[r][v] = first_piece ? _mm512_setzero_ps() : _mm512_loadu_ps(partial + r * kColumns + v * kLanes);

  const float* x = call.input + (row + tap * call.dilation) * in_channels + first_channel;
  const float* w = call.packed + (column * call.kernel + tap * kColumns) * in_channels + first_channel * kColumns;
  for (int64_t c = 0; c < channels; ++c) {
    __m512 wv[Vectors];
#pragma GCC unroll 4
    for (int v = 0; v < Vectors; ++v) wv[v] = _mm512_loadu_ps(w + c * kColumns + v * kLanes);
#pragma GCC unroll 16
    for (int r = 0; r < Rows; ++r) {
      const __m512 xv = _mm512_set1_ps(x[r * in_channels + c]);
#pragma GCC unroll 4
      for (int v = 0; v < Vectors; ++v) acc[r][v] = _mm512_fmadd_ps(xv, wv[v], acc[r][v]);
    }
  }

  if (!last_piece) {
#pragma GCC unroll 16
    for (int r = 0; r < Rows; ++r)
#pragma GCC unroll 4
      for (int v = 0; v < Vectors; ++v) _mm512_storeu_ps(partial + r * kColumns + v * kLanes, acc[r][v]);
    return;
  }
  const ConvEpilogue& e = call.epilogue;
  const __m512 slope = _mm512_set1_ps(e.slope), scale = _mm512_set1_ps(e.sum_scale);
#pragma GCC unroll 16
  for (int r = 0; r < Rows; ++r) {
    const int64_t t = row + r;
    const bool valid = t >= e.valid_begin && t < e.valid_end;
#pragma GCC unroll 4
    for (int v = 0; v < Vectors; ++v) {
      const int64_t at = t * call.out_channels + column + v * kLanes;
      __m512 value = _mm512_add_ps(acc[r][v], _mm512_loadu_ps(call.bias + column + v * kLanes));
      if (e.add != nullptr) value = _mm512_add_ps(value, _mm512_loadu_ps(e.add + at));
      if (e.store != nullptr) _mm512_storeu_ps(e.store + at, value);
      if (e.sum != nullptr) {
        const __m512 previous = e.sum_initialized ? _mm512_loadu_ps(e.sum + at) : _mm512_setzero_ps();
        _mm512_storeu_ps(e.sum + at, _mm512_mul_ps(_mm512_add_ps(previous, value), scale));
      }
      if (e.activated != nullptr) {
        const __mmask16 negative = _mm512_cmp_ps_mask(value, _mm512_setzero_ps(), _CMP_LT_OQ);
        const __m512 out = valid ? _mm512_mask_mul_ps(value, negative, value, slope) : _mm512_setzero_ps();
        _mm512_storeu_ps(e.activated + at, out);
      }
    }
  }
}

template <int Rows, int Vectors>
void all_blocks(const TimeMajorConvCall& call) {
  static_assert(TimeMajorConv::kRowMultiple % Rows == 0 && kChunkRows % TimeMajorConv::kRowMultiple == 0,
                "row blocks must tile the row multiple and the chunks");
  constexpr int64_t kColumns = Vectors * kLanes;
  alignas(64) float partial[kChunkRows * kColumns];
  for (int64_t chunk = 0; chunk < call.rows; chunk += kChunkRows) {
    const int64_t chunk_end = std::min(call.rows, chunk + kChunkRows);
    for (int64_t column = 0; column < call.out_channels; column += kColumns) {
      for (int64_t tap = 0; tap < call.kernel; ++tap) {
        for (int64_t first = 0; first < call.in_channels; first += kPieceChannels) {
          const int64_t channels = std::min(kPieceChannels, call.in_channels - first);
          const bool first_piece = tap == 0 && first == 0;
          const bool last_piece = tap + 1 == call.kernel && first + channels == call.in_channels;
          for (int64_t row = chunk; row < chunk_end; row += Rows) {
            output_block<Rows, Vectors>(call, row, column, tap, first, channels, first_piece, last_piece,
                                        partial + (row - chunk) * kColumns);
          }
        }
      }
    }
  }
}

}  // namespace

void time_major_conv_avx512(const TimeMajorConvCall& call) {
  // 6x64 and 12x32 blocks both use 24 accumulators + the weight vectors of 32 registers.
  if (call.block_columns == 4 * kLanes) {
    all_blocks<6, 4>(call);
  } else {
    all_blocks<12, 2>(call);
  }
}

}  // namespace rvc::synth::detail
