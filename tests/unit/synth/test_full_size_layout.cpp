// The random-weight writer produces RVC's exact key layout at full size (spec 2.1 counts), and
// the synthesizer loads every variant.
#include <gtest/gtest.h>

#include <cmath>

#include "rvc/synth/synthesizer.hpp"
#include "support/random_voice_model.hpp"
#include "test_util.hpp"

namespace rvc::synth {
namespace {

TEST(FullSizeLayout, KeyCountsMatchRvc) {
  test::ScratchDir dir;
  struct Case {
    const char* version;
    int rate;
    bool pitch;
    int keys;
  };
  // spec/rvc-inference.md 2.1: 457 keys (v2 40k), 446 without pitch, 516 for 5-stage v1 32k/48k.
  for (const Case& c : {Case{"v2", 40000, true, 457}, Case{"v2", 40000, false, 446}, Case{"v1", 48000, true, 516},
                        Case{"v1", 32000, true, 516}, Case{"v2", 48000, true, 457}}) {
    const std::string path = dir.file(std::string(c.version) + "_" + std::to_string(c.rate) + ".pth");
    const int keys = test::write_random_voice_model(path, c.version, c.pitch, model::ModelConfig::standard(c.version, c.rate));
    EXPECT_EQ(keys, c.keys) << c.version << " " << c.rate;
    const Synthesizer synth(path);
    EXPECT_EQ(synth.info().config.sample_rate_hz, c.rate);
    const int dim = synth.info().feature_dim();
    std::vector<float> features(static_cast<std::size_t>(8 * dim), 0.1f);
    std::vector<std::int64_t> pitch(8, 50);
    std::vector<float> pitchf(8, 120.0f);
    InferOptions options;
    options.seed = 1;
    const std::vector<float> audio = synth.infer(features.data(), 8, dim, pitch.data(), pitchf.data(), options).audio;
    ASSERT_EQ(audio.size(), static_cast<std::size_t>(8 * synth.hop_samples()));
    for (float sample : audio) ASSERT_TRUE(std::isfinite(sample));
  }
}

}  // namespace
}  // namespace rvc::synth
