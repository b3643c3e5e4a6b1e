// pm, harvest and dio behind the Estimator interface: the factory, RVC's references through it,
// and bad input (silence, clipping, DC offset, too short, NaN, another rate).
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "f0/classic_estimators.hpp"
#include "rvc/audio/audio_file.hpp"
#include "rvc/error.hpp"
#include "rvc/f0/estimator.hpp"
#include "rvc/io/npy.hpp"
#include "test_util.hpp"

namespace rvc::f0 {
namespace {

using test::data_path;

constexpr F0Method kMethods[] = {F0Method::kPm, F0Method::kHarvest, F0Method::kDio};

std::vector<float> audio(const std::string& name) { return audio::read_audio(data_path("audio/" + name)).samples; }

F0Track run(F0Method method, const std::vector<float>& samples) {
  return make_f0_estimator(method)->estimate(samples.data(), static_cast<std::int64_t>(samples.size()), 16000);
}

TEST(ClassicEstimators, TracksAreRvcsWithOneFramePerHopPlusOne) {
  const std::vector<float> speech = audio("speech_female_16k.wav");
  const auto n = static_cast<std::int64_t>(speech.size());
  const std::pair<F0Method, std::string> expected_files[] = {
      {F0Method::kPm, "train_pm_padded"}, {F0Method::kHarvest, "train_harvest_f0"}, {F0Method::kDio, "train_dio_f0"}};
  for (const auto& [method, file] : expected_files) {
    const auto estimator = make_f0_estimator(method);
    EXPECT_EQ(estimator->method(), method);
    const F0Track track = estimator->estimate(speech.data(), n, 16000);
    ASSERT_EQ(static_cast<std::int64_t>(track.hz.size()), f0_frames(n)) << f0_method_name(method);
    EXPECT_TRUE(track.confidence.empty());
    EXPECT_EQ(track.arithmetic, F0Arithmetic::kFloat64);
    std::vector<double> expected = io::load_npy(data_path("f0/speech_female_16k." + file + ".npy")).to_doubles();
    expected.resize(track.hz.size(), 0.0);  // pm's padded track is one frame shorter: that frame is 0
    EXPECT_LT(test::max_abs_diff(track.hz, expected), 1e-4) << f0_method_name(method);  // pm: Brent tolerance
  }
}

TEST(ClassicEstimators, SilenceIsUnvoicedEverywhere) {
  const std::vector<float> silence = audio("silence_16k.wav");
  const std::vector<float> zeros(16000, 0.0f);
  for (F0Method method : kMethods) {
    for (const std::vector<float>* input : {&silence, &zeros}) {
      const F0Track track = run(method, *input);
      for (double hz : track.hz) ASSERT_EQ(hz, 0.0) << f0_method_name(method);
    }
  }
}

TEST(ClassicEstimators, ClippedAndOffsetSpeechGiveSaneTracks) {
  const std::vector<float> clipped = audio("clipping_burst_16k.wav");
  const std::vector<float> speech = audio("speech_male_16k.wav");
  std::vector<float> offset = speech;
  for (float& v : offset) v += 0.3f;
  for (F0Method method : kMethods) {
    for (const std::vector<float>* input : {&clipped, static_cast<const std::vector<float>*>(&offset)}) {
      const F0Track track = run(method, *input);
      int voiced = 0;
      for (double hz : track.hz) {
        ASSERT_TRUE(hz == 0.0 || (hz >= 40.0 && hz <= 1200.0)) << f0_method_name(method) << " " << hz;
        voiced += hz > 0;
      }
      EXPECT_GT(voiced, static_cast<int>(track.hz.size()) / 4) << f0_method_name(method);
    }
    // pm and dio remove the offset before analysis, so it changes (almost) nothing. StoneMask, after
    // harvest, reads the raw signal as WORLD does, and the offset's leakage into the first bins
    // moves some frames; RVC never meets this, its 48 Hz high-pass runs first.
    const double required = method == F0Method::kHarvest ? 0.85 : 0.95;
    const F0Track plain = run(method, speech), shifted = run(method, offset);
    int agree = 0;
    for (std::size_t i = 0; i < plain.hz.size(); ++i) {
      agree += (plain.hz[i] > 0) == (shifted.hz[i] > 0) &&
               (plain.hz[i] == 0 || std::fabs(std::log2(plain.hz[i] / shifted.hz[i])) < 0.01);
    }
    EXPECT_GE(agree, required * static_cast<double>(plain.hz.size())) << f0_method_name(method);
  }
}

TEST(ClassicEstimators, BadInputIsRefusedWithTheReason) {
  const std::vector<float> speech = audio("speech_male_16k.wav");
  for (F0Method method : kMethods) {
    const auto estimator = make_f0_estimator(method);
    const Error short_input = test::thrown_error([&] { estimator->estimate(speech.data(), kMinClassicSamples - 1, 16000); });
    EXPECT_EQ(short_input.code(), ErrorCode::kInvalidAudio);
    EXPECT_NE(std::string(short_input.what()).find(f0_method_name(method)), std::string::npos) << short_input.what();
    const F0Track shortest = estimator->estimate(speech.data(), kMinClassicSamples, 16000);
    EXPECT_EQ(static_cast<std::int64_t>(shortest.hz.size()), f0_frames(kMinClassicSamples));

    std::vector<float> with_nan(speech.begin(), speech.begin() + 4000);
    with_nan[1234] = std::numeric_limits<float>::quiet_NaN();
    EXPECT_EQ(test::thrown_error([&] { estimator->estimate(with_nan.data(), 4000, 16000); }).code(),
              ErrorCode::kInvalidAudio);
    EXPECT_EQ(test::thrown_error([&] { estimator->estimate(speech.data(), 4000, 44100); }).code(),
              ErrorCode::kInvalidArgument);
  }
}

}  // namespace
}  // namespace rvc::f0
