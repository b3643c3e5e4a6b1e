// The time-major AVX-512 kernel against LibTorch and float64: the vocoder's ResBlocks direct and in
// Winograd tiles, RMVPE's 3×3 image convolution and the linear layer of HuBERT.
#include <gtest/gtest.h>

#include <torch/torch.h>

#include <random>
#include <string>
#include <tuple>

#include "synth/synthesizer_net.hpp"
#include "synth/time_major_conv.hpp"

namespace rvc::synth {
namespace {

struct StageCase {
  int channels;
  int64_t width, valid_begin, valid_end;
};

std::string algorithm_name(ConvAlgorithm algorithm) {
  return algorithm == ConvAlgorithm::kWinograd ? "winograd" : "direct";
}

// Sets the algorithm for the convolutions built in a scope.
class PreferredAlgorithm {
 public:
  explicit PreferredAlgorithm(ConvAlgorithm algorithm) : saved_(TimeMajorConv::preferred_algorithm()) {
    TimeMajorConv::set_preferred_algorithm(algorithm);
  }
  ~PreferredAlgorithm() { TimeMajorConv::set_preferred_algorithm(saved_); }
  PreferredAlgorithm(const PreferredAlgorithm&) = delete;
  PreferredAlgorithm& operator=(const PreferredAlgorithm&) = delete;

 private:
  ConvAlgorithm saved_;
};

std::vector<std::shared_ptr<ResBlock>> random_stage(int channels) {
  torch::manual_seed(channels);
  std::vector<std::shared_ptr<ResBlock>> blocks;
  for (int kernel : {3, 7, 11}) {
    auto block = std::make_shared<ResBlock>(channels, kernel, std::vector<int>{1, 3, 5});
    const torch::NoGradGuard no_grad;
    for (auto& parameter : block->parameters()) parameter.normal_(0.0, 1.0 / std::sqrt(channels * kernel));
    block->prepare();
    blocks.push_back(block);
  }
  return blocks;
}

class TimeMajorStage : public ::testing::TestWithParam<std::tuple<StageCase, ConvAlgorithm>> {};

TEST_P(TimeMajorStage, MatchesTheLibTorchResBlocks) {
  const auto [c, algorithm] = GetParam();
  if (!TimeMajorConv::supported(c.channels, c.channels)) GTEST_SKIP() << "this CPU has no AVX-512";
  const c10::InferenceMode inference;
  const auto blocks = random_stage(c.channels);
  const PreferredAlgorithm preferred(algorithm);
  const auto kernel = time_major_resblocks(blocks);
  ASSERT_NE(kernel, nullptr);

  const ValidRange valid{c.valid_begin, c.valid_end};
  torch::Tensor x = torch::randn({1, c.channels, c.width});
  valid.apply(x);
  const torch::Tensor activated = torch::leaky_relu(x, 0.1);
  torch::Tensor expected = blocks[0]->forward(x, activated, valid);
  for (std::size_t j = 1; j < blocks.size(); ++j) expected.add_(blocks[j]->forward(x, activated, valid));
  expected.div_(static_cast<double>(blocks.size()));

  const torch::Tensor actual = run_time_major(*kernel, x, valid);
  ASSERT_EQ(actual.sizes(), expected.sizes());
  const double scale = expected.abs().max().item<double>();
  EXPECT_LT((actual - expected).abs().max().item<double>(), 1e-5 * scale + 1e-6) << "scale " << scale;
}

// The long cases span several Winograd chunks at every dilation.
INSTANTIATE_TEST_SUITE_P(Widths, TimeMajorStage,
                         ::testing::Combine(::testing::Values(StageCase{16, 150, 0, 150}, StageCase{48, 97, 9, 80},
                                                              StageCase{64, 133, 0, 120}, StageCase{96, 60, 5, 60},
                                                              StageCase{128, 200, 30, 200}, StageCase{256, 49, 3, 40},
                                                              StageCase{32, 6001, 17, 5990},
                                                              StageCase{256, 803, 0, 790}),
                                            ::testing::Values(ConvAlgorithm::kDirect, ConvAlgorithm::kWinograd)),
                         [](const auto& info) {
                           const StageCase& c = std::get<0>(info.param);
                           return "c" + std::to_string(c.channels) + "_rows" + std::to_string(c.width) + "_" +
                                  algorithm_name(std::get<1>(info.param));
                         });

struct ConvCase {
  int64_t channels, kernel, dilation, rows;
};

class TimeMajorSingleConv : public ::testing::TestWithParam<std::tuple<ConvCase, ConvAlgorithm>> {};

// One convolution against float64 sums: Winograd's error bound, and that it writes exactly `rows`
// rows of the output, the bias and the residual included.
TEST_P(TimeMajorSingleConv, MatchesAFloat64Convolution) {
  const auto [c, algorithm] = GetParam();
  if (!TimeMajorConv::supported(c.channels, c.channels)) GTEST_SKIP() << "this CPU has no AVX-512";
  std::mt19937 random(static_cast<unsigned>(c.kernel * 100 + c.dilation));
  std::normal_distribution<float> normal(0.0f, 1.0f);
  const int64_t width = c.channels, span = (c.kernel - 1) * c.dilation;
  std::vector<float> weight(static_cast<std::size_t>(width * width * c.kernel)), bias(width), residual;
  std::vector<float> input(static_cast<std::size_t>((c.rows + span) * width));
  for (float& v : weight) v = normal(random) / std::sqrt(static_cast<float>(width * c.kernel));
  for (float& v : bias) v = normal(random);
  for (float& v : input) v = normal(random);
  residual.resize(static_cast<std::size_t>(c.rows * width));
  for (float& v : residual) v = normal(random);

  const TimeMajorConv conv(weight.data(), bias.data(), width, width, c.kernel, c.dilation, algorithm);
  EXPECT_EQ(conv.algorithm(), algorithm);
  constexpr float kUntouched = 12345.0f;
  std::vector<float> output(static_cast<std::size_t>((c.rows + 1) * width), kUntouched);
  ConvEpilogue epilogue;
  epilogue.add = residual.data();
  epilogue.store = output.data();
  conv.run(input.data(), c.rows, epilogue);

  double worst = 0.0, scale = 0.0;
  for (int64_t t = 0; t < c.rows; ++t) {
    for (int64_t o = 0; o < width; ++o) {
      double sum = bias[o] + static_cast<double>(residual[t * width + o]);
      for (int64_t k = 0; k < c.kernel; ++k)
        for (int64_t i = 0; i < width; ++i)
          sum += static_cast<double>(weight[(o * width + i) * c.kernel + k]) * input[(t + k * c.dilation) * width + i];
      worst = std::max(worst, std::abs(sum - output[t * width + o]));
      scale = std::max(scale, std::abs(sum));
    }
  }
  EXPECT_LT(worst, (algorithm == ConvAlgorithm::kWinograd ? 1e-5 : 2e-6) * scale) << "scale " << scale;
  for (int64_t o = 0; o < width; ++o) EXPECT_EQ(output[c.rows * width + o], kUntouched);
}

INSTANTIATE_TEST_SUITE_P(Shapes, TimeMajorSingleConv,
                         ::testing::Combine(::testing::Values(ConvCase{32, 3, 1, 1200}, ConvCase{64, 7, 3, 420},
                                                              ConvCase{32, 11, 5, 2400}, ConvCase{128, 5, 1, 96},
                                                              ConvCase{96, 7, 5, 108}),
                                            ::testing::Values(ConvAlgorithm::kDirect, ConvAlgorithm::kWinograd)),
                         [](const auto& info) {
                           const ConvCase& c = std::get<0>(info.param);
                           return "c" + std::to_string(c.channels) + "_k" + std::to_string(c.kernel) + "_d" +
                                  std::to_string(c.dilation) + "_" + algorithm_name(std::get<1>(info.param));
                         });

struct ImageCase {
  int64_t rows, columns, in_channels, out_channels;
};

class ImageConv : public ::testing::TestWithParam<ImageCase> {};

// RMVPE's convolution block step: relu(conv3x3(x) + bias) + residual, against LibTorch's conv2d.
TEST_P(ImageConv, MatchesLibTorchConv2d) {
  const ImageCase c = GetParam();
  if (!ImageConv3x3::supported(c.in_channels, c.out_channels, c.columns)) GTEST_SKIP() << "this CPU has no AVX-512";
  const c10::InferenceMode inference;
  torch::manual_seed(c.rows * 7 + c.in_channels);
  const torch::Tensor x = torch::randn({1, c.in_channels, c.rows, c.columns});
  const torch::Tensor weight = torch::randn({c.out_channels, c.in_channels, 3, 3}) / std::sqrt(9.0 * c.in_channels);
  const torch::Tensor bias = torch::randn({c.out_channels}) * 0.1;
  const torch::Tensor residual = torch::randn({1, c.out_channels, c.rows, c.columns});
  const torch::Tensor expected = torch::conv2d(x, weight, bias, 1, 1).relu() + residual;

  const ImageConv3x3 conv(weight.data_ptr<float>(), bias.data_ptr<float>(), c.out_channels, c.in_channels);
  const torch::Tensor pixels = x[0].permute({1, 2, 0}).contiguous();  // NHWC
  const torch::Tensor residual_pixels = residual[0].permute({1, 2, 0}).contiguous();
  torch::Tensor output = torch::full({c.rows, c.columns, c.out_channels}, 12345.0f);
  ConvEpilogue epilogue;
  epilogue.rectify = true;
  epilogue.add = residual_pixels.data_ptr<float>();
  epilogue.store = output.data_ptr<float>();
  // In two calls, as two threads split an image.
  const int64_t half = c.rows / 2;
  conv.run(pixels.data_ptr<float>(), c.rows, c.columns, epilogue, 0, half);
  conv.run(pixels.data_ptr<float>(), c.rows, c.columns, epilogue, half, c.rows);

  const torch::Tensor actual = output.permute({2, 0, 1}).unsqueeze(0);
  const double scale = expected.abs().max().item<double>();
  EXPECT_LT((actual - expected).abs().max().item<double>(), 1e-5 * scale) << "scale " << scale;
}

// Image sizes of RMVPE's levels (128 mel columns halved per level), with row counts that do and
// do not fill the kernel's chunks.
INSTANTIATE_TEST_SUITE_P(Shapes, ImageConv,
                         ::testing::Values(ImageCase{37, 64, 32, 32}, ImageCase{64, 32, 64, 64},
                                           ImageCase{200, 128, 16, 32}, ImageCase{33, 16, 128, 128},
                                           ImageCase{17, 8, 256, 256}, ImageCase{9, 4, 512, 512},
                                           ImageCase{12, 4, 256, 512}, ImageCase{5, 32, 64, 32},
                                           ImageCase{70, 128, 16, 16}, ImageCase{40, 128, 32, 16}),
                         [](const auto& info) {
                           const ImageCase& c = info.param;
                           return std::to_string(c.rows) + "x" + std::to_string(c.columns) + "_" +
                                  std::to_string(c.in_channels) + "to" + std::to_string(c.out_channels);
                         });

TEST(ImageConv3x3, RefusesShapesOutsideItsTiles) {
  EXPECT_FALSE(ImageConv3x3::supported(32, 32, 6));
  EXPECT_FALSE(ImageConv3x3::supported(8, 32, 8));
  EXPECT_FALSE(ImageConv3x3::supported(32, 8, 8));
}

class RowLinearCase : public ::testing::TestWithParam<std::tuple<int64_t, bool>> {};

// A linear layer over any number of rows, with fp16-exact weights (held in fp16) and with
// arbitrary fp32 ones, against LibTorch's.
TEST_P(RowLinearCase, MatchesLibTorchLinear) {
  const auto [rows, half_exact] = GetParam();
  const int64_t in = 96, out = 80;
  if (!RowLinear::supported(in, out)) GTEST_SKIP() << "this CPU has no AVX-512";
  const c10::InferenceMode inference;
  torch::manual_seed(rows);
  torch::Tensor weight = torch::randn({out, in}) / std::sqrt(96.0);
  weight[0][0] = 3e-6f;  // an fp16 subnormal once rounded
  weight[0][1] = -0.0f;
  if (half_exact) weight = weight.to(torch::kHalf).to(torch::kFloat);
  const torch::Tensor bias = torch::randn({out}), x = torch::randn({rows, in}), residual = torch::randn({rows, out});
  const RowLinear linear(weight.data_ptr<float>(), bias.data_ptr<float>(), out, in);
  EXPECT_EQ(linear.holds_half(), half_exact);
  torch::Tensor output = torch::full({rows + 1, out}, 12345.0f);
  linear.run(x.data_ptr<float>(), rows, residual.data_ptr<float>(), output.data_ptr<float>());
  const torch::Tensor expected = torch::linear(x, weight, bias) + residual;
  EXPECT_LT((output.narrow(0, 0, rows) - expected).abs().max().item<double>(), 1e-5);
  EXPECT_EQ(output[rows].eq(12345.0f).all().item<bool>(), true) << "wrote past the last row";
}

INSTANTIATE_TEST_SUITE_P(Rows, RowLinearCase,
                         ::testing::Combine(::testing::Values(1, 12, 37, 240), ::testing::Bool()));

// Overlapping input rows: HuBERT's kernel-3, stride-2 convolution over time-major frames.
TEST(RowLinear, OverlappingRowsMakeAStridedConvolution) {
  const int64_t channels = 32, kernel = 3, stride = 2, frames = 41;
  if (!RowLinear::supported(kernel * channels, channels)) GTEST_SKIP() << "this CPU has no AVX-512";
  const c10::InferenceMode inference;
  torch::manual_seed(3);
  const torch::Tensor x = torch::randn({1, channels, frames}), weight = torch::randn({channels, channels, kernel});
  const torch::Tensor expected = torch::conv1d(x, weight, {}, stride)[0].t();  // [out frames, channels]
  // Row t of the linear layer reads frames 2t .. 2t + 2, channel-minor: weight as [out, kernel, in].
  const torch::Tensor frames_major = x[0].t().contiguous();
  const torch::Tensor linear_weight = weight.permute({0, 2, 1}).contiguous(), bias = torch::zeros({channels});
  const RowLinear linear(linear_weight.data_ptr<float>(), bias.data_ptr<float>(), channels, kernel * channels);
  torch::Tensor output = torch::empty({expected.size(0), channels});
  linear.run(frames_major.data_ptr<float>(), expected.size(0), nullptr, output.data_ptr<float>(), stride * channels);
  EXPECT_LT((output - expected).abs().max().item<double>(), 1e-4);
}

TEST(TimeMajorConv, OnePointKernelsAndOddWidthsRunDirect) {
  const std::vector<float> weight(32 * 24 * 3, 0.5f), bias(32, 0.0f);
  EXPECT_EQ(TimeMajorConv(weight.data(), bias.data(), 32, 32, 1, 1, ConvAlgorithm::kWinograd).algorithm(),
            ConvAlgorithm::kDirect);
  EXPECT_EQ(TimeMajorConv(weight.data(), bias.data(), 32, 24, 3, 1, ConvAlgorithm::kWinograd).algorithm(),
            ConvAlgorithm::kDirect);
}

TEST(TimeMajorConv, WidthsOutsideItsBlocksStayOnLibTorch) {
  EXPECT_FALSE(TimeMajorConv::supported(8, 8));
  EXPECT_FALSE(TimeMajorConv::supported(24, 24));
  const auto blocks = random_stage(8);
  EXPECT_EQ(time_major_resblocks(blocks), nullptr);
}

TEST(TimeMajorConv, CanBeTurnedOff) {
  TimeMajorConv::set_enabled(false);
  EXPECT_FALSE(TimeMajorConv::supported(64, 64));
  EXPECT_EQ(time_major_resblocks(random_stage(64)), nullptr);
  TimeMajorConv::set_enabled(true);
}

}  // namespace
}  // namespace rvc::synth
