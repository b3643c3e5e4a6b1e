#include "synth/time_major_conv.hpp"

#include "synth/winograd_transforms.hpp"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <stdexcept>
#include <utility>

namespace rvc::synth {
namespace {

// Output columns per register block: the widest that divides the output channels.
constexpr int64_t kBlockWidths[] = {64, 32, 16};
constexpr int64_t kNarrowestBlock = 16;

std::atomic<bool> kernels_enabled{true};
std::atomic<ConvAlgorithm> preferred{ConvAlgorithm::kWinograd};

bool cpu_has_avx512() {
#if defined(RVC_HAVE_AVX512_KERNELS)
  static const bool has = __builtin_cpu_supports("avx512f") != 0;
  return has;
#else
  return false;
#endif
}

// Weights in the kernel's order, [point][out / block][tap][in][block], so that a column block's
// weights for one (tap, input channel) are one row: value(point, tap, in, out).
template <typename Value>
std::vector<float> pack_weights(int64_t points, int64_t taps, int64_t in_channels, int64_t out_channels,
                                int64_t block_columns, const Value& value) {
  std::vector<float> packed(static_cast<std::size_t>(points * taps * in_channels * out_channels));
  float* to = packed.data();
  for (int64_t point = 0; point < points; ++point)
    for (int64_t first = 0; first < out_channels; first += block_columns)
      for (int64_t tap = 0; tap < taps; ++tap)
        for (int64_t c = 0; c < in_channels; ++c)
          for (int64_t o = first; o < first + block_columns; ++o) *to++ = value(point, tap, c, o);
  return packed;
}

// The filter transform of `count` consecutive taps, in double.
float transformed_tap(const WinogradTransform& transform, int64_t point, const float* taps, int64_t count) {
  double sum = 0.0;
  for (int64_t k = 0; k < count; ++k) sum += transform.filter[point][k] * taps[k];
  return static_cast<float>(sum);
}

int64_t block_columns_for(int64_t out_channels) {
  for (int64_t width : kBlockWidths)
    if (out_channels % width == 0) return width;
  return 0;
}

// The fp16 bits of `value` when fp16 holds it exactly (the kernel widens them back unchanged).
bool exact_half_bits(float value, uint16_t* bits) {
  uint32_t word = 0;
  std::memcpy(&word, &value, sizeof(word));
  const auto sign = static_cast<uint16_t>((word >> 16) & 0x8000u);
  const uint32_t magnitude = word & 0x7fffffffu;
  if (magnitude == 0) {
    *bits = sign;
    return true;
  }
  const int exponent = static_cast<int>(magnitude >> 23) - 127;
  const uint32_t significand = (magnitude & 0x7fffffu) | 0x800000u;  // value = significand · 2^(exponent - 23)
  if (exponent > 15 || exponent < -24) return false;                  // also infinities, NaN, float subnormals
  if (exponent >= -14) {                                               // a normal half: 10 fraction bits
    if ((significand & 0x1fffu) != 0) return false;
    *bits = static_cast<uint16_t>(sign | ((exponent + 15) << 10) | ((significand & 0x7fffffu) >> 13));
    return true;
  }
  const int shift = -(exponent + 1);  // a subnormal half: value = m · 2^-24
  if ((significand & ((1u << shift) - 1)) != 0) return false;
  *bits = static_cast<uint16_t>(sign | (significand >> shift));
  return true;
}

int64_t round_up(int64_t value, int64_t multiple) { return (value + multiple - 1) / multiple * multiple; }

}  // namespace

bool TimeMajorConv::supported(int64_t in_channels, int64_t out_channels) {
  return kernels_enabled.load(std::memory_order_relaxed) && cpu_has_avx512() && in_channels > 0 &&
         out_channels > 0 && out_channels % kNarrowestBlock == 0;
}

void TimeMajorConv::set_enabled(bool enabled) { kernels_enabled.store(enabled, std::memory_order_relaxed); }

void TimeMajorConv::set_preferred_algorithm(ConvAlgorithm algorithm) {
  preferred.store(algorithm, std::memory_order_relaxed);
}

ConvAlgorithm TimeMajorConv::preferred_algorithm() { return preferred.load(std::memory_order_relaxed); }

TimeMajorConv::TimeMajorConv(const float* weight, const float* bias, int64_t out_channels, int64_t in_channels,
                             int64_t kernel, int64_t dilation, ConvAlgorithm algorithm)
    : out_channels_(out_channels),
      in_channels_(in_channels),
      kernel_(kernel),
      dilation_(dilation),
      block_columns_(block_columns_for(out_channels)),
      bias_(bias, bias + out_channels) {
  if (out_channels % kNarrowestBlock != 0) throw std::invalid_argument("TimeMajorConv: out_channels % 16 != 0");
  if (algorithm == ConvAlgorithm::kWinograd && kernel >= 3 && in_channels % 16 == 0) {
    transform_ = kernel == 3 ? &kWinograd4x3 : &kWinograd4x4;
    pieces_ = (kernel + transform_->taps - 1) / transform_->taps;
  }
  if (transform_ == nullptr) {
    packed_ = pack_weights(1, kernel, in_channels, out_channels, block_columns_,
                           [&](int64_t, int64_t tap, int64_t c, int64_t o) {
                             return weight[(o * in_channels + c) * kernel + tap];
                           });
  } else {
    const int64_t taps = transform_->taps;
    packed_ = pack_weights(transform_->points, pieces_, in_channels, out_channels, block_columns_,
                           [&](int64_t point, int64_t piece, int64_t c, int64_t o) {
                             const int64_t first = piece * taps;  // taps past the kernel are zero
                             return transformed_tap(*transform_, point, weight + (o * in_channels + c) * kernel + first,
                                                    std::min(taps, kernel - first));
                           });
  }
}

void TimeMajorConv::run(const float* input, int64_t rows, const ConvEpilogue& epilogue) const {
  const detail::TimeMajorConvCall call{input,     packed_.data(), bias_.data(), in_channels_,   out_channels_,
                                       kernel_,   dilation_,      rows,         block_columns_, epilogue};
#if defined(RVC_HAVE_AVX512_KERNELS)
  if (transform_ != nullptr) {
    detail::winograd_conv_avx512(call, *transform_, pieces_);
  } else {
    detail::time_major_conv_avx512(call);
  }
#else
  (void)call;
  throw std::logic_error("TimeMajorConv: built without the AVX-512 kernel");
#endif
}

static_assert(ImageConv3x3::kTileColumns == kTileOutputs, "image tiles are F(4, 3) tiles");

bool ImageConv3x3::supported(int64_t in_channels, int64_t out_channels, int64_t columns) {
  return TimeMajorConv::supported(in_channels, out_channels) && in_channels % 16 == 0 && columns > 0 &&
         columns % kTileColumns == 0;
}

ImageConv3x3::ImageConv3x3(const float* weight, const float* bias, int64_t out_channels, int64_t in_channels)
    : out_channels_(out_channels),
      in_channels_(in_channels),
      block_columns_(block_columns_for(out_channels)),
      bias_(bias, bias + out_channels) {
  if (out_channels % kNarrowestBlock != 0 || in_channels % 16 != 0)
    throw std::invalid_argument("ImageConv3x3: channels must be multiples of 16");
  // Kernel row = tap of the convolution over transformed rows; kernel columns go into the points.
  packed_ = pack_weights(kWinograd4x3.points, 3, in_channels, out_channels, block_columns_,
                         [&](int64_t point, int64_t row, int64_t c, int64_t o) {
                           const float* taps = weight + ((o * in_channels + c) * 3 + row) * 3;
                           return transformed_tap(kWinograd4x3, point, taps, 3);
                         });
}

void ImageConv3x3::run(const float* input, int64_t rows, int64_t columns, const ConvEpilogue& epilogue,
                       int64_t begin, int64_t end) const {
  const detail::TimeMajorConvCall call{input, packed_.data(), bias_.data(), in_channels_,   out_channels_,
                                       3,     1,              rows,         block_columns_, epilogue};
#if defined(RVC_HAVE_AVX512_KERNELS)
  detail::image_conv3x3_avx512(call, columns, std::max<int64_t>(begin, 0), std::min(end, rows));
#else
  (void)call;
  (void)columns;
  (void)begin;
  (void)end;
  throw std::logic_error("ImageConv3x3: built without the AVX-512 kernel");
#endif
}

bool RowLinear::supported(int64_t in_features, int64_t out_features) {
  return TimeMajorConv::supported(in_features, out_features);
}

RowLinear::RowLinear(const float* weight, const float* bias, int64_t out_features, int64_t in_features)
    : out_features_(out_features),
      in_features_(in_features),
      block_columns_(block_columns_for(out_features)),
      bias_(bias, bias + out_features) {
  if (out_features % kNarrowestBlock != 0) throw std::invalid_argument("RowLinear: out_features % 16 != 0");
  packed_ = pack_weights(1, 1, in_features, out_features, block_columns_,
                         [&](int64_t, int64_t, int64_t c, int64_t o) { return weight[o * in_features + c]; });
  std::vector<uint16_t> half(packed_.size());
  for (std::size_t i = 0; i < packed_.size(); ++i) {
    if (!exact_half_bits(packed_[i], &half[i])) return;
  }
  packed_half_ = std::move(half);
  std::vector<float>().swap(packed_);
}

void RowLinear::run(const float* input, int64_t rows, const float* add, float* store, int64_t input_stride) const {
#if defined(RVC_HAVE_AVX512_KERNELS)
  const int64_t stride = input_stride > 0 ? input_stride : in_features_;
  detail::TimeMajorConvCall call{input, packed_.data(), bias_.data(), in_features_, out_features_, 1, 1, 0,
                                 block_columns_, ConvEpilogue{}, packed_half_.empty() ? nullptr : packed_half_.data(),
                                 stride};
  call.epilogue.add = add;
  call.epilogue.store = store;
  // The kernel computes whole blocks of kRowMultiple rows; the last, partial one goes through
  // zero-padded copies.
  call.rows = rows / TimeMajorConv::kRowMultiple * TimeMajorConv::kRowMultiple;
  if (call.rows > 0) detail::time_major_conv_avx512(call);
  const int64_t tail = rows - call.rows;
  if (tail == 0) return;
  const auto padded = static_cast<std::size_t>(TimeMajorConv::kRowMultiple);
  std::vector<float> tail_input(padded * in_features_, 0.0f), tail_add, tail_store(padded * out_features_);
  for (int64_t t = 0; t < tail; ++t)
    std::copy_n(input + (call.rows + t) * stride, in_features_, tail_input.begin() + t * in_features_);
  if (add != nullptr) {
    tail_add.assign(padded * out_features_, 0.0f);
    std::copy_n(add + call.rows * out_features_, tail * out_features_, tail_add.begin());
  }
  call.input = tail_input.data();
  call.input_stride = in_features_;
  call.epilogue.add = add != nullptr ? tail_add.data() : nullptr;
  call.epilogue.store = tail_store.data();
  call.rows = TimeMajorConv::kRowMultiple;
  detail::time_major_conv_avx512(call);
  std::copy_n(tail_store.begin(), tail * out_features_, store + (rows - tail) * out_features_);
#else
  (void)input;
  (void)rows;
  (void)add;
  (void)store;
  (void)input_stride;
  throw std::logic_error("RowLinear: built without the AVX-512 kernel");
#endif
}

TimeMajorResBlocks::TimeMajorResBlocks(std::vector<Block> blocks, int64_t channels)
    : blocks_(std::move(blocks)), channels_(channels) {
  for (const Block& block : blocks_) {
    for (const auto* convs : {&block.convs1, &block.convs2})
      for (const TimeMajorConv& conv : *convs) max_reach_ = std::max(max_reach_, conv.reach());
  }
}

int64_t TimeMajorResBlocks::output_rows(int64_t rows) { return round_up(rows, TimeMajorConv::kRowMultiple); }

void TimeMajorResBlocks::run(const float* x, int64_t rows, int64_t valid_begin, int64_t valid_end,
                             float* average) const {
  const int64_t out_rows = output_rows(rows), pad = max_reach_, width = channels_;
  valid_begin = std::clamp<int64_t>(valid_begin, 0, rows);
  valid_end = std::clamp<int64_t>(valid_end, valid_begin, rows);
  // Activated buffers hold `pad` zero rows each side so that every tap reads inside them; the
  // epilogues write all out_rows interior rows (zeros outside the valid range). The buffers are
  // kept per thread: tiles of one size reuse them instead of allocating and clearing ~30 MB each.
  const std::size_t padded = static_cast<std::size_t>((out_rows + 2 * pad) * width);
  const std::size_t plain = static_cast<std::size_t>(out_rows * width);
  thread_local std::vector<float> shared_input, block_input, middle, residual;
  for (std::vector<float>* buffer : {&shared_input, &block_input, &middle}) {
    buffer->resize(padded);
    std::fill_n(buffer->begin(), pad * width, 0.0f);
    std::fill(buffer->end() - pad * width, buffer->end(), 0.0f);
  }
  residual.resize(plain);
  auto interior = [&](std::vector<float>& buffer) { return buffer.data() + pad * width; };
  auto taps_from = [&](std::vector<float>& buffer, const TimeMajorConv& conv) {
    return buffer.data() + (pad - conv.reach()) * width;
  };

  // leaky_relu(x), masked: the first convolution's input, the same for every block.
  const float slope = ConvEpilogue{}.slope;
  float* shared = interior(shared_input);
  std::fill(shared, shared + valid_begin * width, 0.0f);
  std::fill(shared + valid_end * width, shared + out_rows * width, 0.0f);
  for (int64_t t = valid_begin; t < valid_end; ++t) {
    const float* from = x + t * width;
    float* to = shared + t * width;
    for (int64_t c = 0; c < width; ++c) to[c] = from[c] > 0.0f ? from[c] : from[c] * slope;
  }
  // Rows past the input only ever feed scratch output rows; keep them finite.
  std::fill(residual.begin() + rows * width, residual.end(), 0.0f);

  const float inverse_count = 1.0f / static_cast<float>(blocks_.size());
  for (std::size_t b = 0; b < blocks_.size(); ++b) {
    const Block& block = blocks_[b];
    std::memcpy(residual.data(), x, static_cast<std::size_t>(rows * width) * sizeof(float));
    for (std::size_t i = 0; i < block.convs1.size(); ++i) {
      ConvEpilogue first;
      first.activated = interior(middle);
      first.valid_begin = valid_begin;
      first.valid_end = valid_end;
      block.convs1[i].run(taps_from(i == 0 ? shared_input : block_input, block.convs1[i]), out_rows, first);

      ConvEpilogue second;
      second.add = residual.data();
      if (i + 1 < block.convs1.size()) {
        second.store = residual.data();
        second.activated = interior(block_input);
        second.valid_begin = valid_begin;
        second.valid_end = valid_end;
      } else {
        second.sum = average;
        second.sum_initialized = b > 0;
        second.sum_scale = b + 1 == blocks_.size() ? inverse_count : 1.0f;
      }
      block.convs2[i].run(taps_from(middle, block.convs2[i]), out_rows, second);
    }
  }
}

}  // namespace rvc::synth
