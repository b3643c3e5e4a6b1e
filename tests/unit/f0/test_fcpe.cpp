// Parity of the C++ FCPE with torchfcpe as RVC calls it (mel, latent, decoded f0) on the fixture
// model, and its handling of bad input.
#include <gtest/gtest.h>

#include <cmath>

#include "dsp/iir_filter.hpp"
#include "f0/fcpe.hpp"
#include "rvc/error.hpp"
#include "rvc/f0/estimator.hpp"
#include "rvc/io/npy.hpp"
#include "test_util.hpp"
#include "unit/f0/network_fixture.hpp"

namespace rvc::f0 {
namespace {

using rvc::test::data_path;
using rvc::test::max_abs_diff;
using rvc::test::thrown_error;

// Fixtures README: mel to 1e-3, latent to 1e-4, f0 to 1e-2 Hz with identical voicing.
constexpr double kLatentTolerance = 1e-4;
constexpr double kF0ToleranceHz = 1e-2;

const test::NetworkFixture kFixture{"fcpe", "models/fcpe_small.pt"};

TEST(FcpeEstimator, ReadsTheSizesOfTheReducedModelFromTheFile) {
  const FcpeEstimator estimator(kFixture.config());
  const FcpeArchitecture& arch = estimator.architecture();
  EXPECT_EQ(arch.hidden, 64);
  EXPECT_EQ(arch.layers, 2);
  EXPECT_EQ(arch.mel_bins, 128);
  EXPECT_EQ(arch.out_bins, 360);
  EXPECT_EQ(arch.kernel, 31);
  EXPECT_NEAR(arch.f0_min_hz, 32.70, 1e-9);
}

class FcpeParity : public ::testing::TestWithParam<const char*> {};

TEST_P(FcpeParity, MelLatentAndF0MatchTheOriginal) {
  const std::string name = GetParam();
  const std::vector<float> samples = kFixture.input(name);
  const auto n = static_cast<std::int64_t>(samples.size());
  const FcpeEstimator estimator(kFixture.config());

  const torch::Tensor mel = estimator.log_mel(samples.data(), n);
  const io::TensorData mel_expected = kFixture.reference(name, "mel");
  ASSERT_EQ(mel.size(0), mel_expected.shape()[0]);
  ASSERT_EQ(mel.size(1), mel_expected.shape()[1]);
  EXPECT_LT(max_abs_diff(test::tensor_values(mel), mel_expected.to_floats()), test::mel_tolerance());

  // The network on the original's mel, so its error is its own.
  std::vector<float> mel_values = mel_expected.to_floats();
  const torch::Tensor mel_reference = torch::from_blob(mel_values.data(), {mel.size(0), mel.size(1)});
  const std::vector<float> latent_expected = kFixture.reference(name, "latent").to_floats();
  EXPECT_LT(max_abs_diff(test::tensor_values(estimator.latent(mel_reference)), latent_expected), kLatentTolerance);

  const F0Track track = estimator.estimate(samples.data(), n, kF0SampleRateHz);
  const std::vector<double> expected = kFixture.reference(name, "f0_rvc").to_doubles();
  ASSERT_EQ(track.hz.size(), expected.size());
  ASSERT_EQ(static_cast<std::int64_t>(track.hz.size()), f0_frames(n));
  EXPECT_EQ(track.arithmetic, F0Arithmetic::kFloat32);
  int voiced = 0;
  for (std::size_t i = 0; i < expected.size(); ++i) {
    ASSERT_EQ(track.hz[i] == 0, expected[i] == 0) << "voicing differs at frame " << i;
    EXPECT_NEAR(track.hz[i], expected[i], kF0ToleranceHz) << "frame " << i;
    voiced += expected[i] > 0;
  }
  EXPECT_GT(voiced, 0);
  if (name == "speech") EXPECT_LT(voiced, static_cast<int>(expected.size()));  // the pause is unvoiced
}

INSTANTIATE_TEST_SUITE_P(Inputs, FcpeParity, ::testing::Values("speech", "vibrato"));

// RVC 2026's Pipeline.get_f0(audio_pad, p_len, key, "fcpe"): the input high-passed at 48 Hz
// (filtfilt), reflect-padded by 1 s; FCPE; unvoiced frames interpolated; key shift; coarse pitch.
TEST(FcpeEstimator, GivesRvcsGetF0OutputAfterPostProcessing) {
  const std::vector<float> speech = kFixture.input("speech");
  std::vector<double> filtered = dsp::filtfilt(dsp::butterworth_highpass(5, 48.0, kF0SampleRateHz),
                                               std::vector<double>(speech.begin(), speech.end()));
  constexpr std::size_t kPad = kF0SampleRateHz;  // x_pad = 1 s
  std::vector<float> padded;
  for (std::size_t i = kPad; i > 0; --i) padded.push_back(static_cast<float>(filtered[i]));
  for (double v : filtered) padded.push_back(static_cast<float>(v));
  for (std::size_t i = 1; i <= kPad; ++i) padded.push_back(static_cast<float>(filtered[filtered.size() - 1 - i]));
  const auto frames = static_cast<std::size_t>(padded.size() / kHopSamples16k);  // p_len

  const FcpeEstimator estimator(kFixture.config());
  const F0Track raw = estimator.estimate(padded.data(), static_cast<std::int64_t>(padded.size()), kF0SampleRateHz);
  for (int key : {0, 12}) {
    PitchOptions options;
    options.key_semitones = key;
    options.unvoiced = UnvoicedPolicy::kInterpolate;
    const Pitch pitch = postprocess(raw, options);
    const std::string folder = "fcpe/pipeline_get_f0/key+" + std::to_string(key) + "/";
    const std::vector<std::int64_t> coarse = io::load_npy(data_path(folder + "pitch.npy")).to_int64s();
    const std::vector<float> hz = io::load_npy(data_path(folder + "pitchf.npy")).to_floats();
    ASSERT_EQ(coarse.size(), frames);
    EXPECT_EQ(std::vector<std::int64_t>(pitch.coarse.begin(), pitch.coarse.begin() + frames), coarse) << "key " << key;
    EXPECT_LT(max_abs_diff(std::vector<float>(pitch.hz.begin(), pitch.hz.begin() + frames), hz), kF0ToleranceHz)
        << "key " << key;
  }
}

TEST(FcpeDecode, ClampsTheWindowAtTheEdgesAndAppliesTheThreshold) {
  std::vector<float> table(360);
  for (int i = 0; i < 360; ++i) table[static_cast<std::size_t>(i)] = 2051.1487f + 19.7776f * static_cast<float>(i);
  std::vector<float> latent(3 * 360, 0.001f);
  latent[0] = 0.5f;               // frame 0 peaks at bin 0: the window repeats bin 0 five times
  latent[360 + 359] = 0.5f;       // frame 1 at the last bin
  latent[2 * 360 + 100] = 0.006f;  // frame 2 exactly at the threshold: unvoiced
  const F0Track track = decode_fcpe_latent(latent.data(), 3, 360, table.data(), kFcpeThreshold, 32.70);
  const float cents0 = (5 * 0.5f * table[0] + 0.001f * (table[1] + table[2] + table[3] + table[4])) / (2.5f + 0.004f);
  EXPECT_NEAR(track.hz[0], 10.0 * std::pow(2.0, cents0 / 1200.0), 1e-3);
  EXPECT_GT(track.hz[1], 1900.0);
  EXPECT_EQ(track.hz[2], 0.0);
  EXPECT_FLOAT_EQ(track.confidence[2], 0.006f);
}

TEST(FcpeEstimator, ComesFromTheFactoryAndHandlesShortAndBadAudio) {
  const std::unique_ptr<Estimator> estimator = make_f0_estimator(F0Method::kFcpe, kFixture.config());
  EXPECT_EQ(estimator->method(), F0Method::kFcpe);
  std::vector<float> samples = kFixture.input("vibrato");
  // Below 433 samples torchfcpe zero-pads instead of reflecting; one frame per 160 samples + 1.
  EXPECT_EQ(estimator->estimate(samples.data(), 100, 16000).hz.size(), 1u);
  EXPECT_EQ(estimator->estimate(samples.data(), 400, 16000).hz.size(), 3u);
  EXPECT_EQ(thrown_error([&] { estimator->estimate(samples.data(), 0, 16000); }).code(), ErrorCode::kInvalidAudio);
  EXPECT_EQ(thrown_error([&] { estimator->estimate(samples.data(), 4000, 48000); }).code(),
            ErrorCode::kInvalidArgument);
  samples[7] = INFINITY;
  EXPECT_EQ(thrown_error([&] { estimator->estimate(samples.data(), 4000, 16000); }).code(), ErrorCode::kInvalidAudio);
}

TEST(FcpeEstimator, RefusesFilesThatAreNotFcpe) {
  EstimatorConfig config;
  config.model_path = data_path("models/rmvpe.pt");
  Error rmvpe = thrown_error([&] { FcpeEstimator{config}; });
  EXPECT_EQ(rmvpe.code(), ErrorCode::kWrongModelKind);
  EXPECT_NE(std::string(rmvpe.what()).find("RMVPE"), std::string::npos) << rmvpe.what();
  config.model_path = data_path("models/v1_f0_40k.pth");
  EXPECT_EQ(thrown_error([&] { FcpeEstimator{config}; }).code(), ErrorCode::kWrongModelKind);
  config.model_path.clear();
  EXPECT_EQ(thrown_error([&] { FcpeEstimator{config}; }).code(), ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace rvc::f0
