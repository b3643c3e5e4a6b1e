// The time-major AVX-512 ResBlock kernel against the LibTorch ResBlocks it replaces on the CPU.
#include <gtest/gtest.h>

#include <torch/torch.h>

#include "synth/synthesizer_net.hpp"
#include "synth/time_major_conv.hpp"

namespace rvc::synth {
namespace {

struct StageCase {
  int channels;
  int64_t width, valid_begin, valid_end;
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

class TimeMajorStage : public ::testing::TestWithParam<StageCase> {};

TEST_P(TimeMajorStage, MatchesTheLibTorchResBlocks) {
  const StageCase c = GetParam();
  if (!TimeMajorConv::supported(c.channels, c.channels)) GTEST_SKIP() << "this CPU has no AVX-512";
  const c10::InferenceMode inference;
  const auto blocks = random_stage(c.channels);
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

INSTANTIATE_TEST_SUITE_P(Widths, TimeMajorStage,
                         ::testing::Values(StageCase{32, 150, 0, 150}, StageCase{32, 97, 9, 80},
                                           StageCase{64, 133, 0, 120}, StageCase{96, 60, 5, 60},
                                           StageCase{128, 200, 30, 200}, StageCase{256, 49, 3, 40}));

TEST(TimeMajorConv, WidthsOutsideItsBlocksStayOnLibTorch) {
  EXPECT_FALSE(TimeMajorConv::supported(16, 16));
  EXPECT_FALSE(TimeMajorConv::supported(48, 48));
  const auto blocks = random_stage(16);
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
