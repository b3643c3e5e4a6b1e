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
  if (e.rectify) value = _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(value, _mm512_setzero_ps(), _CMP_GT_OQ), value);
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

inline __m512 load_weights(const float* from) { return _mm512_loadu_ps(from); }
inline __m512 load_weights(const uint16_t* from) {
  // The zero-masked form: the plain one trips GCC 12's uninitialised-variable warning.
  return _mm512_maskz_cvtph_ps(0xffff, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(from)));
}

// Rows x (Vectors·16) outputs held in registers over one piece: each input value is broadcast
// once and feeds Vectors FMAs; each weight vector is loaded once and feeds Rows FMAs. Partial
// sums between pieces live in `partial`; after the last piece the epilogue writes the outputs.
template <int Rows, int Vectors, typename Weight>
void output_block(const TimeMajorConvCall& call, const Weight* packed, int64_t row, int64_t column, int64_t tap,
                  int64_t first_channel, int64_t channels, bool first_piece, bool last_piece, float* partial) {
  constexpr int kColumns = Vectors * kLanes;
  const int64_t in_channels = call.in_channels;
  __m512 acc[Rows][Vectors];
#pragma GCC unroll 16
  for (int r = 0; r < Rows; ++r)
#pragma GCC unroll 4
    for (int v = 0; v < Vectors; ++v)
      acc[r][v] = first_piece ? _mm512_setzero_ps() : _mm512_loadu_ps(partial + r * kColumns + v * kLanes);

  const int64_t stride = call.input_stride > 0 ? call.input_stride : in_channels;
  const float* x = call.input + (row + tap * call.dilation) * stride + first_channel;
  const Weight* w = packed + (column * call.kernel + tap * kColumns) * in_channels + first_channel * kColumns;
  for (int64_t c = 0; c < channels; ++c) {
    __m512 wv[Vectors];
#pragma GCC unroll 4
    for (int v = 0; v < Vectors; ++v) wv[v] = load_weights(w + c * kColumns + v * kLanes);
#pragma GCC unroll 16
    for (int r = 0; r < Rows; ++r) {
      const __m512 xv = _mm512_set1_ps(x[r * stride + c]);
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

template <int Rows, int Vectors, typename Weight>
void all_blocks(const TimeMajorConvCall& call, const Weight* packed) {
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
            output_block<Rows, Vectors>(call, packed, row, column, tap, first, channels, first_piece, last_piece,
                                        partial + (row - chunk) * kColumns);
          }
        }
      }
    }
  }
}

// Tiles per chunk: the chunk's transformed inputs and products (2 · points · tiles · channels
// floats) fill about half of a 1 MB L2.
int64_t chunk_tiles(int64_t channels) {
  constexpr int64_t kBudgetFloats = 512 * 1024 / sizeof(float);
  const int64_t tiles = kBudgetFloats / (2 * WinogradTransform::kMaxPoints * channels) /
                        TimeMajorConv::kRowMultiple * TimeMajorConv::kRowMultiple;
  return std::clamp<int64_t>(tiles, 2 * TimeMajorConv::kRowMultiple, 24 * TimeMajorConv::kRowMultiple);
}

int64_t round_to_row_multiple(int64_t rows) {
  return (rows + TimeMajorConv::kRowMultiple - 1) / TimeMajorConv::kRowMultiple * TimeMajorConv::kRowMultiple;
}

// to[point · stride + c] = input transform of one tile whose samples are rows[s][c].
template <const WinogradTransform& kTransform>
void transform_tile_input(const float* const* rows, int64_t channels, float* to, int64_t stride) {
  constexpr int kPoints = kTransform.points;
  for (int64_t c = 0; c < channels; c += kLanes) {
    __m512 x[kPoints];
#pragma GCC unroll 8
    for (int s = 0; s < kPoints; ++s) x[s] = _mm512_loadu_ps(rows[s] + c);
#pragma GCC unroll 8
    for (int p = 0; p < kPoints; ++p) {
      __m512 sum = _mm512_setzero_ps();
#pragma GCC unroll 8
      for (int s = 0; s < kPoints; ++s) {
        if (kTransform.input[p][s] != 0.0f) sum = _mm512_fmadd_ps(_mm512_set1_ps(kTransform.input[p][s]), x[s], sum);
      }
      _mm512_storeu_ps(to + p * stride + c, sum);
    }
  }
}

// Output rows first_row + q · row_step (those below row_limit) of one tile from its products
// from[point · stride + c], through the epilogue. `call` is a local copy, so that the output
// stores cannot alias its fields and they stay in registers.
template <const WinogradTransform& kTransform>
void transform_tile_output(const TimeMajorConvCall& call, const float* from, int64_t stride, int64_t first_row,
                           int64_t row_step, int64_t row_limit) {
  constexpr int kPoints = kTransform.points;
  for (int64_t c = 0; c < call.out_channels; c += kLanes) {
    __m512 m[kPoints];
#pragma GCC unroll 8
    for (int p = 0; p < kPoints; ++p) m[p] = _mm512_loadu_ps(from + p * stride + c);
#pragma GCC unroll 4
    for (int q = 0; q < kTileOutputs; ++q) {
      const int64_t row = first_row + q * row_step;
      if (row >= row_limit) break;
      __m512 sum = _mm512_setzero_ps();
#pragma GCC unroll 8
      for (int p = 0; p < kPoints; ++p) {
        if (kTransform.output[q][p] != 0.0f) sum = _mm512_fmadd_ps(_mm512_set1_ps(kTransform.output[q][p]), m[p], sum);
      }
      finish(call, row, c, sum);
    }
  }
}

// Transformed inputs and products of one chunk, kept per thread.
struct WinogradBuffers {
  std::vector<float> transformed, products, zeros;
  void reserve(int64_t points, int64_t input_stride, int64_t product_stride, int64_t in_channels) {
    transformed.resize(static_cast<std::size_t>(points * input_stride));
    products.resize(static_cast<std::size_t>(points * product_stride));
    zeros.assign(static_cast<std::size_t>(in_channels), 0.0f);
  }
};

WinogradBuffers& thread_buffers() {
  thread_local WinogradBuffers buffers;
  return buffers;
}

// Each point of a chunk is a plain product over its transformed rows: `products`[point] =
// sum over taps k of transformed[point] rows shifted by k · dilation, times the point's weights.
void multiply_points(const TimeMajorConvCall& call, int points, int64_t taps, int64_t dilation, int64_t rows,
                     const float* transformed, int64_t input_stride, float* products, int64_t product_stride) {
  TimeMajorConvCall point = call;
  point.bias = nullptr;
  point.kernel = taps;
  point.dilation = dilation;
  point.rows = round_to_row_multiple(rows);
  point.epilogue = ConvEpilogue{};
  const int64_t packed_stride = taps * call.in_channels * call.out_channels;
  for (int p = 0; p < points; ++p) {
    point.input = transformed + p * input_stride;
    point.packed = call.packed + p * packed_stride;
    point.epilogue.store = products + p * product_stride;
    time_major_conv_avx512(point);
  }
}

// 1-D Winograd tiles. Tile τ of a convolution with dilation d computes output rows
// o(τ) + d·q, q < kTileOutputs, with o(τ) = (τ / d)·kTileOutputs·d + τ % d: the d tiles of one
// block interleave, so each reads its own phase of the input and a dilated convolution becomes d
// plain ones. Tile τ reads input rows o(τ) + d·s, s < points; piece j of the kernel reads the
// rows of tile τ + j·d. TileOrigin walks o(τ) over consecutive tiles without a division per tile.
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

template <const WinogradTransform& kTransform>
void winograd(const TimeMajorConvCall& call, int64_t pieces) {
  constexpr int kPoints = kTransform.points;
  const int64_t dilation = call.dilation, block_rows = kTileOutputs * dilation;
  const int64_t total = (call.rows + block_rows - 1) / block_rows * dilation;
  const int64_t chunk = chunk_tiles(std::max(call.in_channels, call.out_channels));
  const int64_t halo = (pieces - 1) * dilation;
  const int64_t input_stride = (chunk + halo) * call.in_channels, product_stride = chunk * call.out_channels;
  WinogradBuffers& buffers = thread_buffers();
  buffers.reserve(kPoints, input_stride, product_stride, call.in_channels);
  const int64_t available = call.rows + (call.kernel - 1) * dilation;
  const TimeMajorConvCall local = call;
  for (int64_t first = 0; first < total; first += chunk) {
    const int64_t tiles = std::min(chunk, total - first), computed = round_to_row_multiple(tiles);
    TileOrigin tile(first, dilation);
    for (int64_t i = 0; i < computed + halo; ++i, tile.next()) {
      const float* rows[kPoints];
      for (int s = 0; s < kPoints; ++s) {
        const int64_t row = tile.row() + s * dilation;
        rows[s] = row < available ? call.input + row * call.in_channels : buffers.zeros.data();
      }
      transform_tile_input<kTransform>(rows, call.in_channels, buffers.transformed.data() + i * call.in_channels,
                                       input_stride);
    }
    multiply_points(call, kPoints, pieces, dilation, tiles, buffers.transformed.data(), input_stride,
                    buffers.products.data(), product_stride);
    TileOrigin out(first, dilation);
    for (int64_t i = 0; i < tiles; ++i, out.next()) {
      transform_tile_output<kTransform>(local, buffers.products.data() + i * call.out_channels, product_stride,
                                        out.row(), dilation, local.rows);
    }
  }
}

// 3×3 image convolution: F(4, 3) tiles along columns, direct along rows. Tile j of image row h
// reads columns 4j - 1 .. 4j + 4 (zero outside the image) and is transformed row (h + 1) · tiles
// + j of its point (rows of zeros stand for image rows -1 and `rows`), so that kernel row k of
// output row h reads transformed row (h + k) · tiles + j: a 3-tap convolution with dilation
// `tiles` over transformed rows.
void image_winograd(const TimeMajorConvCall& call, int64_t columns, int64_t begin, int64_t end) {
  constexpr const WinogradTransform& kTransform = kWinograd4x3;
  constexpr int kPoints = kTransform.points;
  const int64_t tiles = columns / kTileOutputs, channels = call.in_channels;
  const int64_t budget_rows = chunk_tiles(std::max(channels, call.out_channels));
  const int64_t chunk = std::max<int64_t>(1, budget_rows / tiles);  // image rows per chunk
  const int64_t input_stride = (round_to_row_multiple(chunk * tiles) + 2 * tiles) * channels;
  const int64_t product_stride = round_to_row_multiple(chunk * tiles) * call.out_channels;
  WinogradBuffers& buffers = thread_buffers();
  buffers.reserve(kPoints, input_stride, product_stride, channels);
  const TimeMajorConvCall local = call;
  for (int64_t first = begin; first < end; first += chunk) {
    const int64_t count = std::min(chunk, end - first);
    // Transformed rows for image rows first - 1 .. first + count; the rest of the buffer is only
    // read by scratch output rows, which are not written back.
    for (int64_t h = first - 1; h <= first + count; ++h) {
      for (int64_t j = 0; j < tiles; ++j) {
        const float* rows[kPoints];
        for (int s = 0; s < kPoints; ++s) {
          const int64_t column = kTileOutputs * j - 1 + s;
          const bool inside = h >= 0 && h < call.rows && column >= 0 && column < columns;
          rows[s] = inside ? call.input + (h * columns + column) * channels : buffers.zeros.data();
        }
        transform_tile_input<kTransform>(rows, channels,
                                         buffers.transformed.data() + ((h - first + 1) * tiles + j) * channels,
                                         input_stride);
      }
    }
    multiply_points(call, kPoints, 3, tiles, count * tiles, buffers.transformed.data(), input_stride,
                    buffers.products.data(), product_stride);
    for (int64_t h = 0; h < count; ++h) {
      for (int64_t j = 0; j < tiles; ++j) {
        const int64_t pixel = (first + h) * columns + kTileOutputs * j;
        transform_tile_output<kTransform>(local, buffers.products.data() + (h * tiles + j) * call.out_channels,
                                          product_stride, pixel, 1, pixel + kTileOutputs);
      }
    }
  }
}

// 6x64 and 12x32 blocks both use 24 accumulators + the weight vectors of 32 registers; 12x16
// blocks load one broadcast per FMA, which the two load ports still sustain.
template <typename Weight>
void blocks_of_width(const TimeMajorConvCall& call, const Weight* packed) {
  if (call.block_columns == 4 * kLanes) {
    all_blocks<6, 4>(call, packed);
  } else if (call.block_columns == 2 * kLanes) {
    all_blocks<12, 2>(call, packed);
  } else {
    all_blocks<12, 1>(call, packed);
  }
}

}  // namespace

void time_major_conv_avx512(const TimeMajorConvCall& call) {
  if (call.packed_half != nullptr) {
    blocks_of_width(call, call.packed_half);
  } else {
    blocks_of_width(call, call.packed);
  }
}

void winograd_conv_avx512(const TimeMajorConvCall& call, const WinogradTransform& transform, int64_t pieces) {
  if (&transform == &kWinograd4x3) {
    winograd<kWinograd4x3>(call, pieces);
  } else {
    winograd<kWinograd4x4>(call, pieces);
  }
}

void image_conv3x3_avx512(const TimeMajorConvCall& call, int64_t columns, int64_t begin, int64_t end) {
  image_winograd(call, columns, begin, end);
}

}  // namespace rvc::synth::detail
