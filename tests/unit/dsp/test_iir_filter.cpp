// The 48 Hz Butterworth high-pass against scipy's butter, lfilter and filtfilt.
#include <gtest/gtest.h>

#include <cmath>

#include "dsp/iir_filter.hpp"
#include "rvc/audio/audio_file.hpp"
#include "rvc/error.hpp"
#include "rvc/io/npy.hpp"
#include "test_util.hpp"

namespace rvc::dsp {
namespace {

using test::data_path;

std::vector<double> fixture(const std::string& name) {
  return io::load_npy(data_path("dsp/" + name + ".npy")).to_doubles();
}

double max_relative_diff(const std::vector<double>& a, const std::vector<double>& b) {
  EXPECT_EQ(a.size(), b.size());
  double scale = 0, worst = 0;
  for (double v : b) scale = std::max(scale, std::abs(v));
  for (std::size_t i = 0; i < std::min(a.size(), b.size()); ++i) worst = std::max(worst, std::abs(a[i] - b[i]));
  return worst / scale;
}

std::vector<double> speech() {
  const audio::AudioBuffer audio = audio::read_audio(data_path("audio/speech_male_16k.wav"));
  return std::vector<double>(audio.samples.begin(), audio.samples.end());
}

TEST(ButterworthHighpass, MatchesScipyAtEveryRvcRate) {
  for (int rate : {16, 32, 40, 48}) {
    const IirFilter filter = butterworth_highpass(5, 48.0, rate * 1000.0);
    const std::string name = "butter_hp48_" + std::to_string(rate) + "k_";
    EXPECT_LT(max_relative_diff(filter.b, fixture(name + "b")), 1e-12) << rate << "k";
    EXPECT_LT(max_relative_diff(filter.a, fixture(name + "a")), 1e-12) << rate << "k";
  }
}

// The high-pass's poles sit close to 1, so the last-bit differences of the coefficients (and of
// lfilter_zi's solve) reach the output at a few 1e-8 of full scale: below float32 resolution,
// which is the precision of the audio it filters.
constexpr double kFilterTolerance = 1e-7;

TEST(ButterworthHighpass, FiltersLikeScipyLfilterAndFiltfilt) {
  const IirFilter filter = butterworth_highpass(5, 48.0, 16000.0);
  const std::vector<double> x = speech();
  EXPECT_LT(max_relative_diff(lfilter(filter, x), fixture("speech_male_16k_lfilter")), kFilterTolerance);
  EXPECT_LT(max_relative_diff(filtfilt(filter, x), fixture("speech_male_16k_filtfilt")), kFilterTolerance);
  EXPECT_LT(max_relative_diff(filtfilt(filter, fixture("short19_in")), fixture("short19_filtfilt")), kFilterTolerance);
}

TEST(ButterworthHighpass, RefusesSignalsShorterThanTheExtensionAndBadDesigns) {
  const IirFilter filter = butterworth_highpass(5, 48.0, 16000.0);
  EXPECT_EQ(test::thrown_error([&] { filtfilt(filter, std::vector<double>(18, 0.0)); }).code(),
            ErrorCode::kInvalidAudio);
  EXPECT_EQ(test::thrown_error([] { butterworth_highpass(5, 9000.0, 16000.0); }).code(), ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace rvc::dsp
