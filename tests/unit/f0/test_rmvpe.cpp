// Parity of the C++ RMVPE with RVC's (mel, network output, decoded f0) on the fixture model, and
// its handling of bad input.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "f0/gru_kernel.hpp"
#include "f0/rmvpe.hpp"
#include "rvc/error.hpp"
#include "rvc/f0/estimator.hpp"
#include "rvc/io/npy.hpp"
#include "synth/time_major_conv.hpp"
#include "test_util.hpp"
#include "unit/f0/network_fixture.hpp"

namespace rvc::f0 {
namespace {

using rvc::test::data_path;
using rvc::test::max_abs_diff;
using rvc::test::thrown_error;

// Fixtures README: salience to 1e-4, mel to 1e-3, f0 to 1e-2 Hz where the argmax is clear,
// decode_test to 1e-4 Hz.
constexpr double kSalienceTolerance = 1e-4;
constexpr double kF0ToleranceHz = 1e-2;
constexpr double kClearArgmaxMargin = 1e-3;
constexpr double kDecodeToleranceHz = 1e-4;

const test::NetworkFixture kFixture{"rmvpe", "models/rmvpe.pt"};

TEST(RmvpeDecode, MatchesTheOriginalOnTheSyntheticSalience) {
  const io::TensorData salience = io::load_npy(data_path("rmvpe/decode_test/salience.npy"));
  const std::vector<double> expected = io::load_npy(data_path("rmvpe/decode_test/f0.npy")).to_doubles();
  const std::vector<float> values = salience.to_floats();
  const F0Track track = decode_rmvpe_salience(values.data(), salience.shape()[0], kRmvpeThreshold);
  ASSERT_EQ(track.hz.size(), expected.size());
  int unvoiced = 0;
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_NEAR(track.hz[i], expected[i], kDecodeToleranceHz) << "frame " << i;
    unvoiced += track.hz[i] == 0;
  }
  EXPECT_GT(unvoiced, 0);  // the fixture has unvoiced frames, one exactly at the threshold
  EXPECT_EQ(track.arithmetic, F0Arithmetic::kFloat64);
}

TEST(RmvpeEstimator, ReadsTheSizesOfTheReducedModelFromItsShapes) {
  const RmvpeEstimator estimator(kFixture.config());
  const RmvpeArchitecture& arch = estimator.architecture();
  EXPECT_EQ(arch.blocks_per_level, 2);
  EXPECT_EQ(arch.levels, 5);
  EXPECT_EQ(arch.intermediate_layers, 2);
  EXPECT_EQ(arch.in_channels, 1);
  EXPECT_EQ(arch.base_channels, 2);
  EXPECT_EQ(arch.gru_layers, 1);
  EXPECT_EQ(arch.gru_hidden, 256);
}

class RmvpeParity : public ::testing::TestWithParam<const char*> {};

TEST_P(RmvpeParity, MelSalienceAndF0MatchTheOriginal) {
  const std::string name = GetParam();
  const std::vector<float> samples = kFixture.input(name);
  const RmvpeEstimator estimator(kFixture.config());

  const torch::Tensor mel = estimator.log_mel(samples.data(), static_cast<std::int64_t>(samples.size()));
  const io::TensorData mel_expected = kFixture.reference(name, "mel");
  ASSERT_EQ(mel.size(0), mel_expected.shape()[0]);
  ASSERT_EQ(mel.size(1), mel_expected.shape()[1]);
  EXPECT_LT(max_abs_diff(test::tensor_values(mel), mel_expected.to_floats()), test::mel_tolerance());

  // The network is checked on the original's mel, so its error is its own.
  const torch::Tensor mel_reference =
      torch::from_blob(const_cast<float*>(mel_expected.to_floats().data()), {mel.size(0), mel.size(1)}).clone();
  const std::vector<float> salience_expected = kFixture.reference(name, "salience").to_floats();
  const std::vector<float> salience = test::tensor_values(estimator.salience(mel_reference));
  EXPECT_LT(max_abs_diff(salience, salience_expected), kSalienceTolerance);

  const F0Track track = estimator.estimate(samples.data(), static_cast<std::int64_t>(samples.size()), kF0SampleRateHz);
  const std::vector<double> f0_expected = kFixture.reference(name, "f0").to_doubles();
  const std::vector<float> margin = kFixture.reference(name, "argmax_margin").to_floats();
  ASSERT_EQ(track.hz.size(), f0_expected.size());
  ASSERT_EQ(static_cast<std::int64_t>(track.hz.size()), f0_frames(static_cast<std::int64_t>(samples.size())));
  ASSERT_EQ(track.confidence.size(), track.hz.size());
  int checked = 0;
  for (std::size_t i = 0; i < f0_expected.size(); ++i) {
    if (margin[i] <= kClearArgmaxMargin) continue;
    EXPECT_NEAR(track.hz[i], f0_expected[i], kF0ToleranceHz) << "frame " << i;
    ++checked;
  }
  EXPECT_GT(checked, static_cast<int>(f0_expected.size()) * 9 / 10);
}

INSTANTIATE_TEST_SUITE_P(Inputs, RmvpeParity, ::testing::Values("speech", "vibrato"));

// The fixture's 32-channel level and its decoder run in the Winograd image kernel on CPUs with
// AVX-512; with the kernel off, everything runs on LibTorch. Both give the same salience.
TEST(RmvpeEstimator, TheWinogradImageKernelMatchesLibTorch) {
  if (!synth::ImageConv3x3::supported(32, 32, 8)) GTEST_SKIP() << "this CPU has no AVX-512";
  const std::vector<float> samples = kFixture.input("speech");
  EstimatorConfig on_cpu = kFixture.config();
  on_cpu.device = "cpu";
  const RmvpeEstimator winograd(on_cpu);
  synth::TimeMajorConv::set_enabled(false);
  const RmvpeEstimator libtorch(on_cpu);
  synth::TimeMajorConv::set_enabled(true);
  const torch::Tensor mel = winograd.log_mel(samples.data(), static_cast<std::int64_t>(samples.size()));
  const torch::Tensor expected = libtorch.salience(mel), actual = winograd.salience(mel);
  EXPECT_GT(expected.abs().max().item<double>(), 0.1);
  const double difference = (actual - expected).abs().max().item<double>();
  EXPECT_LT(difference, 1e-5);
  EXPECT_GT(difference, 0.0) << "the kernel did not run: its rounding differs from oneDNN's";
}

TEST(RmvpeEstimator, ComesFromTheFactoryAndLoadsFromAPathWithSpacesAndCjk) {
  rvc::test::ScratchDir scratch;
  const std::string copy = scratch.file("音高 (rmvpe) model.pt");
  std::filesystem::copy_file(std::filesystem::u8path(data_path("models/rmvpe.pt")), std::filesystem::u8path(copy));
  EstimatorConfig config;
  config.model_path = copy;
  const std::unique_ptr<Estimator> estimator = make_f0_estimator(parse_f0_method("RMVPE"), config);
  EXPECT_EQ(estimator->method(), F0Method::kRmvpe);
  const std::vector<float> samples = kFixture.input("vibrato");
  const F0Track track = estimator->estimate(samples.data(), static_cast<std::int64_t>(samples.size()), 16000);
  EXPECT_EQ(track.hz.size(), 251u);
}

TEST(RmvpeEstimator, AThresholdAboveEverySalienceLeavesEveryFrameUnvoiced) {
  EstimatorConfig config = kFixture.config();
  config.voicing_threshold = 1.0;
  const RmvpeEstimator estimator(config);
  const std::vector<float> samples = kFixture.input("speech");
  const F0Track track = estimator.estimate(samples.data(), static_cast<std::int64_t>(samples.size()), 16000);
  for (double hz : track.hz) EXPECT_EQ(hz, 0.0);
}

TEST(RmvpeEstimator, RefusesBadAudioWithClearErrors) {
  const RmvpeEstimator estimator(kFixture.config());
  std::vector<float> samples = kFixture.input("speech");
  const auto n = static_cast<std::int64_t>(samples.size());

  Error empty = thrown_error([&] { estimator.estimate(samples.data(), 0, 16000); });
  EXPECT_EQ(empty.code(), ErrorCode::kInvalidAudio);
  EXPECT_NE(std::string(empty.what()).find("rmvpe.pt"), std::string::npos) << empty.what();
  EXPECT_EQ(thrown_error([&] { estimator.estimate(nullptr, n, 16000); }).code(), ErrorCode::kInvalidAudio);
  EXPECT_EQ(thrown_error([&] { estimator.estimate(samples.data(), 512, 16000); }).code(), ErrorCode::kInvalidAudio);
  EXPECT_EQ(estimator.estimate(samples.data(), 513, 16000).hz.size(), 4u);

  Error rate = thrown_error([&] { estimator.estimate(samples.data(), n, 44100); });
  EXPECT_EQ(rate.code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(std::string(rate.what()).find("resample"), std::string::npos) << rate.what();

  samples[1234] = std::nanf("");
  Error nan = thrown_error([&] { estimator.estimate(samples.data(), n, 16000); });
  EXPECT_EQ(nan.code(), ErrorCode::kInvalidAudio);
  EXPECT_NE(std::string(nan.what()).find("1234"), std::string::npos) << nan.what();
}

TEST(RmvpeEstimator, RefusesFilesThatAreNotRmvpeNamingThem) {
  EstimatorConfig config;
  config.model_path = data_path("models/v2_f0_40k.pth");
  Error voice = thrown_error([&] { RmvpeEstimator{config}; });
  EXPECT_EQ(voice.code(), ErrorCode::kWrongModelKind);
  EXPECT_NE(std::string(voice.what()).find("v2_f0_40k.pth"), std::string::npos) << voice.what();
  EXPECT_NE(std::string(voice.what()).find("voice model"), std::string::npos) << voice.what();

  config.model_path = data_path("models/hubert_base.pt");
  EXPECT_EQ(thrown_error([&] { RmvpeEstimator{config}; }).code(), ErrorCode::kWrongModelKind);

  config.model_path = data_path("models/no such rmvpe.pt");
  EXPECT_EQ(thrown_error([&] { RmvpeEstimator{config}; }).code(), ErrorCode::kFileNotFound);

  config.model_path.clear();
  EXPECT_EQ(thrown_error([&] { make_f0_estimator(F0Method::kRmvpe, config); }).code(), ErrorCode::kInvalidArgument);

  rvc::test::ScratchDir scratch;
  const std::string truncated = scratch.file("rmvpe truncated.pt");
  {
    std::ifstream in(data_path("models/rmvpe.pt"), std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::ofstream out(truncated, std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size() / 2));
  }
  config.model_path = truncated;
  Error cut = thrown_error([&] { RmvpeEstimator{config}; });
  EXPECT_EQ(cut.code(), ErrorCode::kCorruptFile);
  EXPECT_NE(std::string(cut.what()).find("rmvpe truncated.pt"), std::string::npos) << cut.what();
}

TEST(F0Methods, NamesParseAndUnknownOnesAreRefused) {
  for (F0Method method : {F0Method::kPm, F0Method::kHarvest, F0Method::kDio, F0Method::kRmvpe, F0Method::kFcpe}) {
    EXPECT_EQ(parse_f0_method(f0_method_name(method)), method);
  }
  Error unknown = thrown_error([] { parse_f0_method("crepe-tiny"); });
  EXPECT_EQ(unknown.code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(std::string(unknown.what()).find("rmvpe"), std::string::npos) << unknown.what();
  EXPECT_EQ(f0_frames(46980), 294);
  EXPECT_TRUE(f0_method_needs_model(F0Method::kRmvpe));
  EXPECT_FALSE(f0_method_needs_model(F0Method::kPm));
}

TEST(EstimatorConfig, RefusesFp16OnTheCpuAndANanThreshold) {
  EstimatorConfig config = kFixture.config();
  config.device = "cpu";
  config.precision = Precision::kFloat16;
  EXPECT_EQ(thrown_error([&] { config.validate(); }).code(), ErrorCode::kUnsupported);
  config = kFixture.config();
  config.voicing_threshold = std::nan("");
  EXPECT_EQ(thrown_error([&] { config.validate(); }).code(), ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace rvc::f0

namespace rvc::f0 {
namespace {

// The log-mel of the fixture's speech `copies` times over: a long input from real speech.
torch::Tensor repeated_speech_mel(const RmvpeEstimator& estimator, int copies) {
  const std::vector<float> speech = kFixture.input("speech");
  std::vector<float> long_input;
  for (int copy = 0; copy < copies; ++copy) long_input.insert(long_input.end(), speech.begin(), speech.end());
  return estimator.log_mel(long_input.data(), static_cast<std::int64_t>(long_input.size()));
}

// Two minutes and more run the U-Net in windows; with the receptive field as context (and window
// edges on the 32-frame pooling grid) the result is the whole-sequence one.
TEST(RmvpeEstimator, LongInputsInWindowsMatchTheWholeSequence) {
  RmvpeEstimator estimator(kFixture.config());
  const torch::Tensor mel = repeated_speech_mel(estimator, 12);
  ASSERT_GT(mel.size(1), 3000);
  // 2 blocks, 5 levels, 2 intermediate layers: 31·5 (encoder) + 32·2·4 (intermediate) + 31·6 (decoder) + 1.
  EXPECT_EQ(estimator.net().receptive_field_frames(), 598);
  const std::vector<float> whole = test::tensor_values(estimator.salience(mel));

  RmvpeWindowing windows;
  windows.max_frames = 512;
  windows.kept_frames = 512;
  estimator.net().set_windowing(windows);
  EXPECT_LT(max_abs_diff(test::tensor_values(estimator.salience(mel)), whole), 1e-5);
  windows.max_frames = 1536;  // the default split: windows of max_frames, each keeping 1536 - 2·608
  windows.kept_frames = 0;
  estimator.net().set_windowing(windows);
  EXPECT_LT(max_abs_diff(test::tensor_values(estimator.salience(mel)), whole), 1e-5);
}

// On the CPU the BiGRU runs a block of 2048 frames at a time: the last layer's reverse direction
// block by block from the end, each block joined to the forward direction and classified, and the
// estimator decodes each block as it comes. Over several blocks that gives what LibTorch's GRU gives
// over the whole sequence, and the f0 that the whole map decodes to.
TEST(RmvpeEstimator, TheBlockwiseGruAndDecodeMatchTheWholeSequence) {
  RmvpeEstimator estimator(kFixture.config());
  const std::vector<float> speech = kFixture.input("speech");
  std::vector<float> long_input;
  while (long_input.size() < 42 * 16000) long_input.insert(long_input.end(), speech.begin(), speech.end());
  const torch::Tensor mel = estimator.log_mel(long_input.data(), static_cast<std::int64_t>(long_input.size()));
  ASSERT_GT(mel.size(1), 2 * 2048);
  const torch::Tensor blockwise = estimator.salience(mel);
  const F0Track track =
      estimator.estimate(long_input.data(), static_cast<std::int64_t>(long_input.size()), kF0SampleRateHz);

  estimator.net().use_libtorch_gru();
  const torch::Tensor whole = estimator.salience(mel);
  EXPECT_LT((blockwise - whole).abs().max().item<double>(), 1e-5);
  const F0Track expected = decode_rmvpe_salience(blockwise.data_ptr<float>(), blockwise.size(0), kRmvpeThreshold);
  ASSERT_EQ(track.hz.size(), expected.hz.size());
  int64_t voiced = 0;
  for (std::size_t frame = 0; frame < track.hz.size(); ++frame) {
    ASSERT_EQ(track.hz[frame], expected.hz[frame]) << "frame " << frame;
    ASSERT_EQ(track.confidence[frame], expected.confidence[frame]) << "frame " << frame;
    voiced += expected.hz[frame] > 0;
  }
  EXPECT_GT(voiced, static_cast<int64_t>(track.hz.size()) / 4);
}

// The finest levels run in tiles of rows, each with its blocks' reach as context: any tile size
// gives what whole images give (the default 512 frames and a small 40 frames split this input).
TEST(RmvpeEstimator, RowTilesMatchWholeImages) {
  RmvpeEstimator estimator(kFixture.config());
  const torch::Tensor mel = repeated_speech_mel(estimator, 4);
  ASSERT_GT(mel.size(1), 1024);
  RmvpeWindowing whole_images;
  whole_images.max_frames = 1 << 20;
  whole_images.tile_frames = 0;
  estimator.net().set_windowing(whole_images);
  const std::vector<float> whole = test::tensor_values(estimator.salience(mel));
  for (const int64_t tile : {int64_t{512}, int64_t{40}}) {
    RmvpeWindowing tiled = whole_images;
    tiled.tile_frames = tile;
    estimator.net().set_windowing(tiled);
    const double difference = max_abs_diff(test::tensor_values(estimator.salience(mel)), whole);
    EXPECT_LT(difference, 1e-5) << "tiles of " << tile << " frames";
  }
}

// Long sequences run the GRU a block of frames at a time; carrying the state gives what one pass
// gives, in both directions.
TEST(GruKernel, BlocksCarryTheHiddenState) {
  const int64_t steps = 100, hidden = 8, width = 3 * hidden;
  torch::manual_seed(3);
  const torch::Tensor gates = torch::randn({steps, width});
  const torch::Tensor weight_t = torch::randn({hidden, width}) * 0.3;
  const torch::Tensor bias = torch::randn({width});
  for (const bool reverse : {false, true}) {
    std::vector<float> whole(steps * hidden), blocked(steps * hidden), state(hidden, 0.0f);
    run_gru_direction(gates.data_ptr<float>(), weight_t.data_ptr<float>(), bias.data_ptr<float>(), steps, hidden,
                      reverse, whole.data(), hidden, state.data());
    std::fill(state.begin(), state.end(), 0.0f);
    for (int64_t block = 0; block < steps; block += 30) {
      const int64_t count = std::min<int64_t>(30, steps - block);
      const int64_t start = reverse ? steps - block - count : block;
      run_gru_direction(gates.data_ptr<float>() + start * width, weight_t.data_ptr<float>(), bias.data_ptr<float>(),
                        count, hidden, reverse, blocked.data() + start * hidden, hidden, state.data());
    }
    EXPECT_EQ(blocked, whole) << (reverse ? "backward" : "forward");
  }
}

}  // namespace
}  // namespace rvc::f0
