// Pitch post-processing against RVC's own outputs (fixtures f0/): key shift, coarse pitch,
// unvoiced interpolation, and the custom f0 curve file.
#include <gtest/gtest.h>

#include <fstream>

#include "rvc/error.hpp"
#include "rvc/f0/pitch.hpp"
#include "rvc/io/npy.hpp"
#include "test_util.hpp"

namespace rvc::f0 {
namespace {

using test::data_path;

std::vector<double> doubles(const std::string& name) { return io::load_npy(data_path("f0/" + name + ".npy")).to_doubles(); }
std::vector<std::int64_t> ints(const std::string& name) { return io::load_npy(data_path("f0/" + name + ".npy")).to_int64s(); }

TEST(Pitch, CoarseGridMatchesRvcIncludingTheEdges) {
  F0Track track{doubles("coarse_grid_f0"), {}, F0Arithmetic::kFloat64};
  EXPECT_EQ(coarse_pitch(track), ints("coarse_grid_coarse"));
}

TEST(Pitch, KeyShiftsMatchRvc) {
  for (const auto& [key, name] : {std::pair<int, std::string>{12, "key+12"}, {-5, "key-5"}}) {
    F0Track track{doubles("coarse_grid_f0"), {}, F0Arithmetic::kFloat64};
    shift_key(track, key);
    EXPECT_LT(test::max_abs_diff(track.hz, doubles("coarse_grid_" + name + "_f0")), 1e-9) << name;
    EXPECT_EQ(coarse_pitch(track), ints("coarse_grid_" + name + "_coarse")) << name;
  }
}

TEST(Pitch, PipelinePitchFromTheShiftedTrack) {
  for (const std::string signal : {"speech_female_16k", "vibrato_sine_16k"}) {
    const std::vector<double> unshifted = doubles(signal + ".pipe_pm_key0_pitchf");
    for (const auto& [key, name] : {std::pair<int, std::string>{0, "key0"}, {12, "key+12"}, {-5, "key-5"}}) {
      F0Track track{unshifted, {}, F0Arithmetic::kFloat64};
      shift_key(track, key);
      const std::vector<double> expected = doubles(signal + ".pipe_pm_" + name + "_pitchf");
      // The stored tracks are float32 copies of float64 ones: compare in relative terms.
      for (std::size_t i = 0; i < expected.size(); ++i) ASSERT_NEAR(track.hz[i], expected[i], 1e-6 * expected[i]) << i;
      EXPECT_EQ(coarse_pitch(track), ints(signal + ".pipe_pm_" + name + "_pitch")) << signal << " " << name;
    }
  }
}

TEST(Pitch, InterpolationFillsUnvoicedFramesAsTrainingDoes) {
  for (const std::string signal : {"speech_female_16k", "vibrato_sine_16k"}) {
    F0Track track{doubles(signal + ".train_pm_padded"), {}, F0Arithmetic::kFloat32};
    ASSERT_NE(std::count(track.hz.begin(), track.hz.end(), 0.0), 0) << "the fixture should have unvoiced frames";
    interpolate_unvoiced(track);
    EXPECT_EQ(track.arithmetic, F0Arithmetic::kFloat64);
    EXPECT_LT(test::max_abs_diff(track.hz, doubles(signal + ".train_pm_f0")), 1e-9) << signal;
    EXPECT_EQ(coarse_pitch(track), ints(signal + ".train_pm_coarse")) << signal;
  }
}

TEST(Pitch, PostprocessRunsPolicyShiftCurveAndCoarseInOrder) {
  const std::string signal = "vibrato_sine_16k";
  const F0Track padded{doubles(signal + ".train_pm_padded"), {}, F0Arithmetic::kFloat64};
  PitchOptions classic;
  classic.key_semitones = 12;
  const Pitch kept = postprocess(padded, classic);
  F0Track expected = padded;
  shift_key(expected, 12);
  EXPECT_EQ(kept.coarse, coarse_pitch(expected));
  EXPECT_EQ(kept.hz[0], 0.0f);

  PitchOptions modern = classic;
  modern.unvoiced = UnvoicedPolicy::kInterpolate;
  modern.curve = {{0.0, 300.0}, {0.02, 300.0}};
  modern.curve_first_frame = 1;
  const Pitch filled = postprocess(padded, modern);
  F0Track interpolated{doubles(signal + ".train_pm_f0"), {}, F0Arithmetic::kFloat64};
  shift_key(interpolated, 12);
  EXPECT_EQ(filled.hz[0], static_cast<float>(interpolated.hz[0]));
  EXPECT_EQ(filled.hz[1], 300.0f);  // the curve is not transposed
  EXPECT_EQ(filled.hz[3], 300.0f);
  EXPECT_EQ(filled.hz[10], static_cast<float>(interpolated.hz[10]));
  EXPECT_EQ(std::count(filled.hz.begin(), filled.hz.end(), 0.0f), 0);
}

TEST(Pitch, SilenceStaysUnvoicedUnderInterpolation) {
  F0Track track{std::vector<double>(50, 0.0), {}, F0Arithmetic::kFloat32};
  interpolate_unvoiced(track);
  EXPECT_EQ(track.hz, std::vector<double>(50, 0.0));
  EXPECT_EQ(coarse_pitch(track), std::vector<std::int64_t>(50, 1));
}

TEST(Pitch, Float32TracksShiftInFloat32) {
  F0Track track{{0.0, 220.0, 331.7}, {}, F0Arithmetic::kFloat32};
  shift_key(track, -5);
  const float factor = static_cast<float>(std::pow(2.0, -5.0 / 12.0));
  EXPECT_EQ(track.hz[0], 0.0);
  EXPECT_EQ(track.hz[1], static_cast<double>(220.0f * factor));
  EXPECT_EQ(track.hz[2], static_cast<double>(static_cast<float>(331.7) * factor));
  EXPECT_EQ(coarse_pitch(track)[0], 1);
}

TEST(Pitch, CustomCurveReplacesFramesFromTheInputStart) {
  test::ScratchDir dir;
  const std::string path = dir.file("curve (音高).txt");
  std::ofstream(path) << "0.5,200\n0.52,300\r\n\n0.55,300\n";
  const std::vector<F0CurvePoint> curve = read_f0_curve(path);
  ASSERT_EQ(curve.size(), 3u);
  F0Track track{std::vector<double>(120, 100.0), {}, F0Arithmetic::kFloat64};
  apply_f0_curve(track, curve, 100);
  // delta_t = round((0.55 - 0.5)·100 + 1) = 6 frames from frame 100; np.interp over xp = t·100,
  // so frames 0..5 lie before the first point (50) and take its value.
  for (int i = 0; i < 100; ++i) ASSERT_EQ(track.hz[i], 100.0);
  for (int i = 100; i < 106; ++i) EXPECT_EQ(track.hz[i], 200.0) << i;
  for (int i = 106; i < 120; ++i) ASSERT_EQ(track.hz[i], 100.0);

  F0Track shifted{std::vector<double>(10, 100.0), {}, F0Arithmetic::kFloat64};
  apply_f0_curve(shifted, {{0.0, 100.0}, {0.04, 140.0}, {0.2, 140.0}}, 5);
  EXPECT_EQ(shifted.hz[4], 100.0);
  EXPECT_DOUBLE_EQ(shifted.hz[6], 110.0);  // frame 1 of the curve: between 0 and 4
  EXPECT_DOUBLE_EQ(shifted.hz[9], 140.0);  // truncated at the track's end
}

TEST(Pitch, BadCurveFilesNameTheFileAndLine) {
  test::ScratchDir dir;
  const std::string path = dir.file("bad curve.txt");
  std::ofstream(path) << "0.1,200\n0.2;300\n";
  const Error bad_line = test::thrown_error([&] { read_f0_curve(path); });
  EXPECT_EQ(bad_line.code(), ErrorCode::kCorruptFile);
  EXPECT_NE(std::string(bad_line.what()).find("bad curve.txt' line 2"), std::string::npos) << bad_line.what();
  std::ofstream(dir.file("empty.txt")) << "\n";
  EXPECT_EQ(test::thrown_error([&] { read_f0_curve(dir.file("empty.txt")); }).code(), ErrorCode::kCorruptFile);
  EXPECT_EQ(test::thrown_error([&] { read_f0_curve(dir.file("missing.txt")); }).code(), ErrorCode::kFileNotFound);
}

}  // namespace
}  // namespace rvc::f0
