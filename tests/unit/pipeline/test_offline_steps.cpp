// The signal steps of the offline pipeline on their own.
#include <gtest/gtest.h>

#include <vector>

#include "dsp/iir_filter.hpp"
#include "pipeline/offline_steps.hpp"
#include "rvc/audio/audio_file.hpp"
#include "rvc/features/content_encoder.hpp"
#include "rvc/io/npy.hpp"
#include "test_util.hpp"

namespace rvc::pipeline {
namespace {

TEST(ReflectPad, MirrorsAboutTheEndSamplesAsNumpyDoes) {
  const std::vector<double> x = {1, 2, 3, 4};
  // numpy.pad([1, 2, 3, 4], 2, mode="reflect") and, past the signal's length, the repeated mirror
  EXPECT_EQ(reflect_pad(x, 2), (std::vector<double>{3, 2, 1, 2, 3, 4, 3, 2}));
  EXPECT_EQ(reflect_pad(x, 5), (std::vector<double>{2, 3, 4, 3, 2, 1, 2, 3, 4, 3, 2, 1, 2, 3}));
}

TEST(PlanChunks, ReproducesRvcsChunksOfTheLongFixture) {
  // fixtures/pipeline/long: 674497 input samples, one split at 664960, chunks of 697120 and 41537.
  const ChunkSamples geometry = chunk_samples(chunk_geometry(ChunkPreset::kFloat32));
  const std::int64_t padded = 674497 + 2 * geometry.pad;
  const std::vector<ChunkSpan> chunks = plan_chunks(padded, {665000}, geometry.pad);
  ASSERT_EQ(chunks.size(), 2u);
  EXPECT_EQ(chunks[0].end - chunks[0].begin, 697120);
  EXPECT_EQ(chunks[1].end - chunks[1].begin, 41537);
  EXPECT_EQ(chunks[1].first_frame, 664960 / 160);
}

TEST(SplitPoints, CutAtTheQuietestPointNearEachCentre) {
  const ChunkSamples geometry{16000, 6 * 16000, 38 * 16000, 41 * 16000};
  std::vector<double> loud(50 * 16000, 0.5);
  EXPECT_TRUE(find_split_points(std::vector<double>(40 * 16000, 0.5), geometry).empty());
  for (std::int64_t i = 600000; i < 600400; ++i) loud[i] = 0;  // a 25 ms pause near 37.5 s
  const std::vector<std::int64_t> splits = find_split_points(loud, geometry);
  ASSERT_EQ(splits.size(), 1u);
  EXPECT_GE(splits[0], 600000 + 80);
  EXPECT_LE(splits[0], 600400 - 80);
}

TEST(Protect, MixesOnlyUnvoicedFrames) {
  const std::vector<float> blended = {1, 1, 2, 2};  // two 50 fps rows of width 2
  const std::vector<float> raw = {0, 0, 0, 0};
  const std::vector<float> pitchf = {100, 0, 0.5f, 200};
  const std::vector<float> phone = upsample_and_protect(blended, raw, 2, 4, pitchf.data(), 0.25);
  EXPECT_EQ(phone, (std::vector<float>{1, 1, 0.25f, 0.25f, 0.5f, 0.5f, 2, 2}));
  EXPECT_EQ(upsample_and_protect(blended, raw, 2, 3, pitchf.data(), 0.5), (std::vector<float>{1, 1, 1, 1, 2, 2}));
}

TEST(RmsMix, RateOneKeepsTheOutputAndRateZeroFollowsTheInput) {
  std::vector<double> input(32000, 0.0);
  for (std::size_t i = 16000; i < input.size(); ++i) input[i] = (i % 2 ? 0.4 : -0.4);  // silent, then loud
  std::vector<float> out(80000, 0.2f);
  std::vector<float> kept = out;
  const std::vector<double> envelope = input_rms_envelope(input);
  mix_rms_envelope(envelope, kept, 40000, 1.0);
  EXPECT_EQ(kept, out);
  mix_rms_envelope(envelope, out, 40000, 0.0);
  EXPECT_LT(std::abs(out[1000]), 0.05f);          // follows the input's silence
  EXPECT_NEAR(std::abs(out[70000]), 0.4f, 0.05f);  // and its loudness
}

TEST(OutputPeak, LimitsTo099AndQuantisesLikeRvc) {
  std::vector<float> samples = {2.0f, -1.0f, 0.5f};
  limit_output_peak(samples);
  EXPECT_FLOAT_EQ(samples[0], 0.99f);
  std::vector<float> quiet = {0.1f, -0.1f};
  quantize_like_rvc_int16(quiet);
  EXPECT_EQ(quiet[0] * 32768.0f, 3276.0f);  // 3276.8 truncated toward zero
  EXPECT_EQ(quiet[1] * 32768.0f, -3276.0f);
}

// The encoder runs its conv stack in 5 s tiles (with the first layer's GroupNorm statistics from
// the whole input); on RVC's padded input (6.6 s) the features still match RVC's.
TEST(PaddedInput, ContentFeaturesMatchRvc) {
  const audio::AudioBuffer input = audio::read_audio(test::data_path("pipeline_classic/input.wav"));
  const std::vector<double> filtered = dsp::filtfilt(dsp::butterworth_highpass(5, 48, 16000),
                                                     std::vector<double>(input.samples.begin(), input.samples.end()));
  const std::vector<double> padded64 = reflect_pad(filtered, 16000);
  const std::vector<float> padded(padded64.begin(), padded64.end());
  const features::ContentEncoder encoder(test::data_path("hubert/hubert_base_768"));
  const std::vector<float> features =
      encoder.extract(padded.data(), static_cast<std::int64_t>(padded.size()), 16000).features.to_floats();
  const std::vector<float> expected = io::load_npy(test::data_path("pipeline_classic/v2/hubert_feats.npy")).to_floats();
  EXPECT_LE(test::max_abs_diff(features, expected), 1e-4);
}

}  // namespace
}  // namespace rvc::pipeline
