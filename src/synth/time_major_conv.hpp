// 1-D convolutions in time-major layout ([rows, channels], one row per time step) on CPUs with
// AVX-512: the vocoder's ResBlocks, and on the same kernel RMVPE's 3×3 image convolutions
// (ImageConv3x3) and HuBERT's linear layers (RowLinear). oneDNN's channel-major kernels reach about
// half of a core's FMA throughput on the vocoder's small, dilated shapes; a register-blocked kernel
// over shifted rows reaches 75-90%. On top of that kernel, Winograd tiles (winograd_transforms.hpp)
// halve the multiplications of the 3/7/11-tap and 3×3 convolutions. No LibTorch here: the caller
// hands in plain float buffers.
#pragma once

#include <cstdint>
#include <vector>

namespace rvc::synth {

struct WinogradTransform;

/// How a TimeMajorConv computes: shifted-row products, or Winograd tiles (2x fewer
/// multiplications at 3/7/11 taps, ~10x the rounding error of direct, still ~3e-6 relative).
enum class ConvAlgorithm { kDirect, kWinograd };

/// What happens to each output value v = convolution + bias of row t (row-major buffers of
/// out_channels floats per row, pointing at output row 0; any of them may be null).
struct ConvEpilogue {
  bool rectify = false;        ///< v = max(v, 0), before `add`
  const float* add = nullptr;  ///< v += add[t] (a residual)
  float* store = nullptr;      ///< store[t] = v (may equal `add`)
  /// sum[t] = ((sum_initialized ? sum[t] : 0) + v) · sum_scale
  float* sum = nullptr;
  bool sum_initialized = false;
  float sum_scale = 1.0f;
  /// activated[t] = leaky_relu(v) for t in [valid_begin, valid_end), 0 elsewhere: the masked
  /// input of the next convolution.
  float* activated = nullptr;
  float slope = 0.1f;
  int64_t valid_begin = 0, valid_end = 0;
};

/// One convolution with weights packed for the time-major kernel.
class TimeMajorConv {
 public:
  /// Output rows per call must be a multiple of this.
  static constexpr int64_t kRowMultiple = 12;

  /// True when this CPU runs the kernel and the widths fit its register blocks.
  static bool supported(int64_t in_channels, int64_t out_channels);
  /// Turns the kernel off (or back on) for the whole process: benchmarks compare against oneDNN.
  static void set_enabled(bool enabled);
  /// The algorithm convolutions built from now on use where it applies (Winograd unless changed):
  /// benchmarks compare the two.
  static void set_preferred_algorithm(ConvAlgorithm algorithm);
  static ConvAlgorithm preferred_algorithm();

  /// `weight` [out, in, kernel] and `bias` [out], as PyTorch's Conv1d holds them. Winograd applies
  /// to kernels of 3 taps or more with a multiple of 16 input channels; others run direct.
  TimeMajorConv(const float* weight, const float* bias, int64_t out_channels, int64_t in_channels,
                int64_t kernel, int64_t dilation, ConvAlgorithm algorithm = preferred_algorithm());

  /// Rows read on each side of an output row: the "same" padding.
  int64_t reach() const { return (kernel_ - 1) * dilation_ / 2; }
  int64_t out_channels() const { return out_channels_; }
  ConvAlgorithm algorithm() const {
    return transform_ != nullptr ? ConvAlgorithm::kWinograd : ConvAlgorithm::kDirect;
  }

  /// Output row t reads input rows t + k·dilation, k < kernel: `input` points at the row of tap 0
  /// for output row 0 (in_channels floats per row); `rows` is a multiple of kRowMultiple.
  void run(const float* input, int64_t rows, const ConvEpilogue& epilogue) const;

 private:
  int64_t out_channels_, in_channels_, kernel_, dilation_, block_columns_;
  const WinogradTransform* transform_ = nullptr;  // null: direct
  int64_t pieces_ = 0;                            // Winograd: kernel pieces of transform_->taps
  // Direct: [out / block][kernel][in][block]. Winograd: [point][out / block][piece][in][block],
  // the filter transform of each piece, so each point is a direct convolution over tiles.
  std::vector<float> packed_;
  std::vector<float> bias_;
};

/// A 3×3 convolution with one pixel of zero padding on an image in NHWC layout (rows × columns
/// pixels of channels floats each, row-major): RMVPE's U-Net. F(4, 3) Winograd tiles along the
/// columns, direct along the rows: half the multiplications of a direct 3×3 convolution.
class ImageConv3x3 {
 public:
  /// Output columns per Winograd tile.
  static constexpr int64_t kTileColumns = 4;

  /// True when this CPU runs the kernel and the shape fits it (columns a multiple of kTileColumns).
  static bool supported(int64_t in_channels, int64_t out_channels, int64_t columns);

  /// `weight` [out, in, 3, 3] and `bias` [out], as PyTorch's Conv2d holds them.
  ImageConv3x3(const float* weight, const float* bias, int64_t out_channels, int64_t in_channels);

  int64_t out_channels() const { return out_channels_; }

  /// Output image rows [begin, end) of an image of `rows` × `columns` pixels (threads split an
  /// image by rows). The epilogue's row index is the output pixel, row · columns + column.
  void run(const float* input, int64_t rows, int64_t columns, const ConvEpilogue& epilogue, int64_t begin,
           int64_t end) const;

 private:
  int64_t out_channels_, in_channels_, block_columns_;
  std::vector<float> packed_;  // [point][out / block][kernel row][in][block]
  std::vector<float> bias_;
};

/// y = x · Wᵀ + b (+ a residual) over rows: a linear layer (PyTorch's [out, in] weight) in the
/// time-major kernel. Weights that fp16 represents exactly (those of fp16 checkpoint files) are
/// held in fp16 and widened in registers: half the memory, the same products.
class RowLinear {
 public:
  /// True when this CPU runs the kernel and the widths fit its register blocks.
  static bool supported(int64_t in_features, int64_t out_features);

  RowLinear(const float* weight, const float* bias, int64_t out_features, int64_t in_features);

  int64_t in_features() const { return in_features_; }
  int64_t out_features() const { return out_features_; }
  bool holds_half() const { return !packed_half_.empty(); }

  /// store[t] = input[t] · Wᵀ + b (+ add[t] when `add` is given) for t < rows, any row count;
  /// `add` and `store` rows are out_features floats. Input row t is the in_features floats at
  /// input + t · input_stride (0: in_features); a stride below in_features makes the rows overlap,
  /// which turns a strided convolution over time-major frames into a linear layer.
  void run(const float* input, int64_t rows, const float* add, float* store, int64_t input_stride = 0) const;

 private:
  int64_t out_features_, in_features_, block_columns_;
  std::vector<float> packed_;              // [out / block][in][block], or empty
  std::vector<uint16_t> packed_half_;      // the same in fp16, or empty
  std::vector<float> bias_;
};

namespace detail {
/// One call of the AVX-512 kernel (time_major_conv_avx512.cpp, built with AVX-512 enabled).
struct TimeMajorConvCall {
  const float* input;
  const float* packed;
  const float* bias;  ///< may be null: no bias
  int64_t in_channels, out_channels, kernel, dilation, rows, block_columns;
  ConvEpilogue epilogue;
  const uint16_t* packed_half = nullptr;  ///< fp16 weights in `packed`'s order, used instead of it
  int64_t input_stride = 0;               ///< floats from one input row to the next; 0: in_channels
};
void time_major_conv_avx512(const TimeMajorConvCall& call);
/// The same convolution in Winograd tiles: `call.packed` holds the transformed pieces,
/// `call.kernel` the original tap count. Input rows past rows + (kernel - 1) · dilation read as 0.
void winograd_conv_avx512(const TimeMajorConvCall& call, const WinogradTransform& transform, int64_t pieces);
/// ImageConv3x3: rows [begin, end) of an image of `call.rows` rows of `columns` pixels.
void image_conv3x3_avx512(const TimeMajorConvCall& call, int64_t columns, int64_t begin, int64_t end);
}  // namespace detail

/// The ResBlocks of one vocoder stage (HiFi-GAN ResBlock1, all of one width) in time-major
/// layout: the average over the blocks of x after each block's dilated convolution pairs.
class TimeMajorResBlocks {
 public:
  struct Block {
    std::vector<TimeMajorConv> convs1, convs2;  ///< the dilated convolution, then the plain one
  };
  TimeMajorResBlocks(std::vector<Block> blocks, int64_t channels);

  /// Rows `run` writes to `average` for `rows` input rows.
  static int64_t output_rows(int64_t rows);
  /// `x` [rows, channels] (already zero outside the valid range); every convolution input is
  /// masked to [valid_begin, valid_end). Writes output_rows(rows) rows; those past `rows` are scratch.
  void run(const float* x, int64_t rows, int64_t valid_begin, int64_t valid_end, float* average) const;

 private:
  std::vector<Block> blocks_;
  int64_t channels_, max_reach_ = 0;
};

}  // namespace rvc::synth
