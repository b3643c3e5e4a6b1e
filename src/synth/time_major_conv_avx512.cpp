// Built with AVX-512 enabled; called only after TimeMajorConv::supported checked the CPU.
#include "synth/time_major_conv.hpp"

#include <immintrin.h>

#include <algorithm>
#include <vector>

#include "synth/winograd_transforms.hpp"

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

// Output row t, channels [column, column + 16): value = convolution sum (+ bias), then the epilogue.
inline void finish(const TimeMajorConvCall& call, int64_t t, int64_t column, __m512 value) {
  const ConvEpilogue& e = call.epilogue;
  const int64_t at = t * call.out_channels + column;
  if (call.bias != nullptr) value = _mm512_add_ps(value, _mm512_loadu_ps(call.bias + column));
  if (e.add != nullptr) value = _mm512_add_ps(value, _mm512_loadu_ps(e.add + at));
  if (e.store != nullptr) _mm512_storeu_ps(e.store + at, value);
  if (e.sum != nullptr) {
    const __m512 previous = e.sum_initialized ? _mm512_loadu_ps(e.sum + at) : _mm512_setzero_ps();
    _mm512_storeu_ps(e.sum + at, _mm512_mul_ps(_mm512_add_ps(previous, value), _mm512_set1_ps(e.sum_scale)));
  }
  if (e.activated != nullptr) {
    const bool valid = t >= e.valid_begin && t < e.valid_end;
    const __mmask16 negative = _mm512_cmp_ps_mask(value, _mm512_setzero_ps(), _CMP_LT_OQ);
    const __m512 out =
        valid ? _mm512_mask_mul_ps(value, negative, value, _mm512_set1_ps(e.slope)) : _mm512_setzero_ps();
    _mm512_storeu_ps(e.activated + at, out);
  }
}

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
#pragma GCC unroll 16
  for (int r = 0; r < Rows; ++r) {
#pragma GCC unroll 4
    for (int v = 0; v < Vectors; ++v) finish(call, row + r, column + v * kLanes, acc[r][v]);
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

// Winograd tiles. Tile τ of a convolution with dilation d computes output rows
// o(τ) + d·q, q < kTileOutputs, with o(τ) = (τ / d)·kTileOutputs·d + τ % d: the d tiles of one
// block interleave, so each reads its own phase of the input and a dilated convolution becomes d
// plain ones. Tile τ reads input rows o(τ) + d·s, s < points; piece j of the kernel reads the
// rows of tile τ + j·d.
// Walks o(τ) over consecutive tiles without a division per tile.
class TileOrigin {
 public:
  TileOrigin(int64_t tile, int64_t dilation)
      : dilation_(dilation), phase_(tile % dilation), row_(tile / dilation * kTileOutputs * dilation + phase_) {}
  int64_t row() const { return row_; }
  void next() {
    ++row_;
    if (++phase_ == dilation_) {
      phase_ = 0;
      row_ += (kTileOutputs - 1) * dilation_;
    }
  }

 private:
  int64_t dilation_, phase_, row_;
};

// Tiles per chunk: the chunk's transformed inputs and products (2 · points · tiles · channels
// floats) fill about half of a 1 MB L2.
int64_t chunk_tiles(int64_t channels) {
  constexpr int64_t kBudgetFloats = 512 * 1024 / sizeof(float);
  const int64_t tiles = kBudgetFloats / (2 * WinogradTransform::kMaxPoints * channels) /
                        TimeMajorConv::kRowMultiple * TimeMajorConv::kRowMultiple;
  return std::clamp<int64_t>(tiles, 2 * TimeMajorConv::kRowMultiple, 24 * TimeMajorConv::kRowMultiple);
}

// transformed[point][i] = input transform of tile first + i, for `tiles` tiles; `stride` floats
// between points.
template <const WinogradTransform& kTransform>
void transform_inputs(const TimeMajorConvCall& call, int64_t first, int64_t tiles, const float* zeros,
                      float* transformed, int64_t stride) {
  constexpr int kPoints = kTransform.points;
  const int64_t channels = call.in_channels, available = call.rows + (call.kernel - 1) * call.dilation;
  TileOrigin tile(first, call.dilation);
  for (int64_t i = 0; i < tiles; ++i, tile.next()) {
    const int64_t origin = tile.row();
    const float* rows[kPoints];
    for (int s = 0; s < kPoints; ++s) {
      const int64_t row = origin + s * call.dilation;
      rows[s] = row < available ? call.input + row * channels : zeros;
    }
    float* to = transformed + i * channels;
    for (int64_t c = 0; c < channels; c += kLanes) {
      __m512 x[kPoints];
#pragma GCC unroll 8
      for (int s = 0; s < kPoints; ++s) x[s] = _mm512_loadu_ps(rows[s] + c);
#pragma GCC unroll 8
      for (int p = 0; p < kPoints; ++p) {
        __m512 sum = _mm512_setzero_ps();
#pragma GCC unroll 8
        for (int s = 0; s < kPoints; ++s) {
          if (kTransform.input[p][s] != 0.0f)
            sum = _mm512_fmadd_ps(_mm512_set1_ps(kTransform.input[p][s]), x[s], sum);
        }
        _mm512_storeu_ps(to + p * stride + c, sum);
      }
    }
  }
}

// Output rows of tiles first + i, i < tiles, from products[point][i]; rows past call.rows are
// not written.
template <const WinogradTransform& kTransform>
void transform_outputs(const TimeMajorConvCall& call, int64_t first, int64_t tiles, const float* products,
                       int64_t stride) {
  constexpr int kPoints = kTransform.points;
  // A copy the output stores cannot alias: its fields stay in registers.
  const TimeMajorConvCall local = call;
  const int64_t channels = local.out_channels;
  TileOrigin tile(first, local.dilation);
  for (int64_t i = 0; i < tiles; ++i, tile.next()) {
    const int64_t origin = tile.row();
    const float* from = products + i * channels;
    for (int64_t c = 0; c < channels; c += kLanes) {
      __m512 m[kPoints];
#pragma GCC unroll 8
      for (int p = 0; p < kPoints; ++p) m[p] = _mm512_loadu_ps(from + p * stride + c);
#pragma GCC unroll 4
      for (int q = 0; q < kTileOutputs; ++q) {
        const int64_t row = origin + q * local.dilation;
        if (row >= local.rows) break;
        __m512 sum = _mm512_setzero_ps();
#pragma GCC unroll 8
        for (int p = 0; p < kPoints; ++p) {
          if (kTransform.output[q][p] != 0.0f)
            sum = _mm512_fmadd_ps(_mm512_set1_ps(kTransform.output[q][p]), m[p], sum);
        }
        finish(local, row, c, sum);
      }
    }
  }
}

template <const WinogradTransform& kTransform>
void winograd(const TimeMajorConvCall& call, int64_t pieces) {
  constexpr int kPoints = kTransform.points;
  const int64_t dilation = call.dilation, block_rows = kTileOutputs * dilation;
  const int64_t total = (call.rows + block_rows - 1) / block_rows * dilation;
  const int64_t chunk = chunk_tiles(std::max(call.in_channels, call.out_channels));
  const int64_t halo = (pieces - 1) * dilation;
  const int64_t input_stride = (chunk + halo) * call.in_channels, product_stride = chunk * call.out_channels;
  thread_local std::vector<float> transformed, products, zeros;
  transformed.resize(static_cast<std::size_t>(kPoints * input_stride));
  products.resize(static_cast<std::size_t>(kPoints * product_stride));
  zeros.assign(static_cast<std::size_t>(call.in_channels), 0.0f);
  // Each point is a plain product over tiles: its pieces are its taps, `dilation` tiles apart.
  TimeMajorConvCall point = call;
  point.bias = nullptr;
  point.kernel = pieces;
  point.epilogue = ConvEpilogue{};
  const int64_t packed_stride = pieces * call.in_channels * call.out_channels;
  for (int64_t first = 0; first < total; first += chunk) {
    const int64_t tiles = std::min(chunk, total - first);
    point.rows = (tiles + TimeMajorConv::kRowMultiple - 1) / TimeMajorConv::kRowMultiple * TimeMajorConv::kRowMultiple;
    transform_inputs<kTransform>(call, first, point.rows + halo, zeros.data(), transformed.data(), input_stride);
    for (int p = 0; p < kPoints; ++p) {
      point.input = transformed.data() + p * input_stride;
      point.packed = call.packed + p * packed_stride;
      point.epilogue.store = products.data() + p * product_stride;
      time_major_conv_avx512(point);
    }
    transform_outputs<kTransform>(call, first, tiles, products.data(), product_stride);
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

void winograd_conv_avx512(const TimeMajorConvCall& call, const WinogradTransform& transform, int64_t pieces) {
  if (&transform == &kWinograd4x3) {
    winograd<kWinograd4x3>(call, pieces);
  } else {
    winograd<kWinograd4x4>(call, pieces);
  }
}

}  // namespace rvc::synth::detail
