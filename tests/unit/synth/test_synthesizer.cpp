// Parity of the C++ synthesizer with the original RVC on every fixture model (zero-noise mode),
// and its handling of bad input.
#include <gtest/gtest.h>

#include <cmath>

#include "rvc/error.hpp"
#include "rvc/io/checkpoint.hpp"
#include "rvc/io/npy.hpp"
#include "rvc/model/model_tools.hpp"
#include "rvc/synth/synthesizer.hpp"
#include "test_util.hpp"

namespace rvc::synth {
namespace {

using test::data_path;
using test::max_abs_diff;

struct Inputs {
  std::vector<float> phone;
  std::int64_t frames = 0, dim = 0;
  std::vector<std::int64_t> pitch;
  std::vector<float> pitchf;
  int speaker = 0;
};

std::string fixture(const std::string& model, const std::string& file) {
  return data_path("synth/" + model + "/" + file);
}

Inputs load_inputs(const std::string& model, bool has_pitch) {
  Inputs in;
  const io::TensorData phone = io::load_npy(fixture(model, "inputs/phone.npy"));
  in.phone = phone.to_floats();
  in.frames = phone.shape()[1];
  in.dim = phone.shape()[2];
  in.speaker = static_cast<int>(io::load_npy(fixture(model, "inputs/sid.npy")).to_int64s()[0]);
  if (has_pitch) {
    in.pitch = io::load_npy(fixture(model, "inputs/pitch.npy")).to_int64s();
    in.pitchf = io::load_npy(fixture(model, "inputs/pitchf.npy")).to_floats();
  }
  return in;
}

SynthesizerConfig on_test_device() {
  SynthesizerConfig config;
  config.device = test::test_device();
  config.precision = Precision::kFloat32;
  return config;
}

// A fixture model with its recorded inputs, run in the fixtures' zero-noise mode.
struct FixtureRun {
  explicit FixtureRun(const std::string& model)
      : synth(data_path("models/" + model + ".pth"), on_test_device()), in(load_inputs(model, synth.info().has_pitch)) {}
  SynthesisResult infer(InferOptions options) const {
    const bool has_pitch = synth.info().has_pitch;
    options.zero_noise = true;
    options.speaker_id = in.speaker;
    return synth.infer(in.phone.data(), in.frames, in.dim, has_pitch ? in.pitch.data() : nullptr,
                       has_pitch ? in.pitchf.data() : nullptr, options);
  }
  Synthesizer synth;
  Inputs in;
};

class SynthesizerParity : public ::testing::TestWithParam<std::string> {};

TEST_P(SynthesizerParity, ZeroNoiseOutputMatchesTheOriginal) {
  const std::string model = GetParam();
  const FixtureRun run(model);
  const Synthesizer& synth = run.synth;
  const Inputs& in = run.in;
  const bool has_pitch = synth.info().has_pitch;
  InferOptions options;
  options.capture_intermediates = true;
  const SynthesisResult result = run.infer(options);
  const double tolerance = 1e-4;  // fixtures README: audio, z, m_p, har_source to max abs 1e-4
  EXPECT_LE(max_abs_diff(result.m_p.to_floats(), io::load_npy(fixture(model, "outputs/m_p.npy")).to_floats()), tolerance);
  EXPECT_LE(max_abs_diff(result.logs_p.to_floats(), io::load_npy(fixture(model, "outputs/logs_p.npy")).to_floats()), tolerance);
  EXPECT_LE(max_abs_diff(result.z.to_floats(), io::load_npy(fixture(model, "outputs/z.npy")).to_floats()), tolerance);
  if (has_pitch) {
    EXPECT_LE(max_abs_diff(result.har_source.to_floats(),
                           io::load_npy(fixture(model, "outputs/har_source.npy")).to_floats()), tolerance);
  }
  const double audio_error = max_abs_diff(result.audio, io::load_npy(fixture(model, "outputs/audio.npy")).to_floats());
  EXPECT_LE(audio_error, tolerance);
  RecordProperty("audio_max_abs_error", std::to_string(audio_error));
  EXPECT_EQ(result.audio.size(), static_cast<std::size_t>(in.frames * synth.hop_samples()));
}

INSTANTIATE_TEST_SUITE_P(AllFixtureModels, SynthesizerParity,
                         ::testing::Values("v2_f0_40k", "v2_f0_48k", "v2_f0_32k", "v1_f0_40k", "v2_nof0_40k",
                                           "v1_nof0_48k"));

class SynthesizerStreaming : public ::testing::TestWithParam<std::string> {};

TEST_P(SynthesizerStreaming, RealTimeEntryPointMatchesTheOriginal) {
  const std::string model = GetParam();
  const FixtureRun run(model);
  InferOptions options;
  options.skip_head = 30;
  options.return_length = 16;
  for (const auto& [length2, file] : {std::pair<int, const char*>{16, "outputs/stream_a_audio.npy"},
                                     std::pair<int, const char*>{19, "outputs/stream_b_audio.npy"}}) {
    options.return_length2 = length2;
    const SynthesisResult result = run.infer(options);
    EXPECT_LE(max_abs_diff(result.audio, io::load_npy(fixture(model, file)).to_floats()), 1e-4) << file;
  }
}

INSTANTIATE_TEST_SUITE_P(StreamFixtureModels, SynthesizerStreaming, ::testing::Values("v2_f0_40k", "v2_nof0_40k"));

// `rvc extract` on a training checkpoint gives a model that sounds like the checkpoint's generator:
// the same output up to the fp16 rounding of the weights.
TEST(Synthesizer, ExtractedModelSoundsLikeItsTrainingCheckpoint) {
  test::ScratchDir dir;
  const std::string model = "v2_f0_40k";
  const io::Value small = test::write_generator_checkpoint(data_path("models/" + model + ".pth"),
                                                           dir.file("G_2333333.pth"), 0.02f);
  test::write_experiment_config(dir.path().string(), small);
  model::extract_voice_model(dir.file("G_2333333.pth"), dir.file("extracted.pth"));

  // The generator at full precision: the checkpoint's fp32 weights (no enc_q) under the model's config.
  io::Value generator = io::Value::dict();
  const io::Value training = io::load_checkpoint(dir.file("G_2333333.pth"));
  for (const auto& [key, value] : training.at("model").as_dict()) {
    if (key.as_string().find("enc_q") == std::string::npos) generator.as_dict_mut().emplace_back(key, value);
  }
  io::Value full = io::Value::dict();
  full.set("weight", generator);
  full.set("config", small.at("config"));
  full.set("version", small.at("version"));
  full.set("f0", small.at("f0"));
  io::save_checkpoint(dir.file("generator fp32.pth"), full);

  const Inputs in = load_inputs(model, true);
  InferOptions options;
  options.zero_noise = true;
  options.speaker_id = in.speaker;
  auto run = [&](const std::string& path) {
    return Synthesizer(path).infer(in.phone.data(), in.frames, in.dim, in.pitch.data(), in.pitchf.data(), options).audio;
  };
  const std::vector<float> expected = run(dir.file("generator fp32.pth"));
  const std::vector<float> extracted = run(dir.file("extracted.pth"));
  double peak = 0;
  for (float v : expected) peak = std::max(peak, static_cast<double>(std::abs(v)));
  ASSERT_GT(peak, 1e-3);
  EXPECT_LE(max_abs_diff(extracted, expected), 5e-3 * peak);
  EXPECT_GT(max_abs_diff(extracted, run(data_path("models/" + model + ".pth"))), 0.0);  // the checkpoint's own weights
}

TEST(Synthesizer, VocoderTilesDoNotChangeTheResult) {
  // Tiles of any size give the whole-signal result: each tile reads enough context and zeroes
  // what lies outside the signal, exactly as the one-piece convolutions pad.
  for (const char* model : {"v2_f0_48k", "v1_nof0_48k"}) {
    const Synthesizer synth(data_path(std::string("models/") + model + ".pth"));
    const int dim = synth.info().feature_dim();
    const std::int64_t frames = 203;
    std::vector<float> features(frames * dim);
    std::vector<std::int64_t> pitch(frames);
    std::vector<float> pitchf(frames);
    for (std::int64_t t = 0; t < frames; ++t) {
      for (int c = 0; c < dim; ++c) features[t * dim + c] = static_cast<float>(std::sin(0.37 * t + 0.11 * c));
      pitchf[t] = t % 40 < 30 ? 110.0f + t : 0.0f;
      pitch[t] = pitchf[t] > 0 ? 40 + t % 100 : 1;
    }
    InferOptions options;
    options.zero_noise = true;
    options.vocoder_tile_frames = frames;  // one tile: the whole signal at once
    const std::vector<float> whole = synth.infer(features.data(), frames, dim, pitch.data(), pitchf.data(), options).audio;
    for (std::int64_t tile : {1, 7, 64, 0}) {  // 0: the default, one tile per thread here
      options.vocoder_tile_frames = tile;
      const std::vector<float> tiled = synth.infer(features.data(), frames, dim, pitch.data(), pitchf.data(), options).audio;
      EXPECT_LE(max_abs_diff(tiled, whole), 1e-5) << model << " tile " << tile;
    }
  }
}

TEST(Synthesizer, TrimmedEndsLeaveTheWholeSynthesisCut) {
  // With noise, so that the kept part also has to draw the same noise as the whole synthesis.
  const FixtureRun run("v2_f0_40k");
  InferOptions options;
  options.seed = 5;
  options.speaker_id = run.in.speaker;
  const auto infer = [&](const InferOptions& o) {
    return run.synth.infer(run.in.phone.data(), run.in.frames, run.in.dim, run.in.pitch.data(), run.in.pitchf.data(), o)
        .audio;
  };
  const std::vector<float> whole = infer(options);
  const std::int64_t hop = run.synth.hop_samples();
  options.trim_head_frames = 30;
  options.trim_tail_frames = 17;
  options.vocoder_tile_frames = 8;  // several tiles, none aligned with the whole synthesis' tiles
  const std::vector<float> trimmed = infer(options);
  const std::vector<float> expected(whole.begin() + 30 * hop, whole.end() - 17 * hop);
  EXPECT_LE(max_abs_diff(trimmed, expected), 1e-5);
  options.trim_tail_frames = run.in.frames - 30;
  EXPECT_TRUE(infer(options).empty());
}

TEST(Synthesizer, SameSeedSameOutputAndNoiseMatters) {
  const Synthesizer synth(data_path("models/v2_f0_40k.pth"));
  const Inputs in = load_inputs("v2_f0_40k", true);
  InferOptions options;
  options.seed = 7;
  auto run = [&](const InferOptions& o) {
    return synth.infer(in.phone.data(), in.frames, in.dim, in.pitch.data(), in.pitchf.data(), o).audio;
  };
  const std::vector<float> first = run(options);
  EXPECT_EQ(run(options), first);
  options.seed = 8;
  EXPECT_GT(max_abs_diff(run(options), first), 1e-4);
}

ErrorCode infer_error(const Synthesizer& synth, const Inputs& in, std::int64_t dim, const InferOptions& options,
                      std::string* message = nullptr) {
  try {
    synth.infer(in.phone.data(), in.frames, dim, in.pitch.empty() ? nullptr : in.pitch.data(),
                in.pitchf.empty() ? nullptr : in.pitchf.data(), options);
  } catch (const Error& e) {
    if (message) *message = e.what();
    return e.code();
  }
  return ErrorCode::kOk;
}

TEST(Synthesizer, BadInputsGiveClearErrors) {
  const Synthesizer v1(data_path("models/v1_f0_40k.pth"));
  Inputs v2_inputs = load_inputs("v2_f0_40k", true);
  std::string message;
  EXPECT_EQ(infer_error(v1, v2_inputs, 768, {}, &message), ErrorCode::kInvalidArgument);
  EXPECT_NE(message.find("256-d"), std::string::npos) << message;

  const Synthesizer v2(data_path("models/v2_f0_40k.pth"));
  Inputs in = v2_inputs;
  in.frames = 0;
  EXPECT_EQ(infer_error(v2, in, 768, {}), ErrorCode::kInvalidAudio);
  in = v2_inputs;
  in.pitch[3] = 300;
  EXPECT_EQ(infer_error(v2, in, 768, {}, &message), ErrorCode::kInvalidArgument);
  EXPECT_NE(message.find("1..255"), std::string::npos) << message;
  in = v2_inputs;
  in.phone[10] = std::nanf("");
  EXPECT_EQ(infer_error(v2, in, 768, {}), ErrorCode::kInvalidAudio);
  InferOptions options;
  options.speaker_id = 3;  // the fixture models have 3 speakers: 0..2
  EXPECT_EQ(infer_error(v2, v2_inputs, 768, options, &message), ErrorCode::kInvalidArgument);
  EXPECT_NE(message.find("speaker"), std::string::npos) << message;
  options = {};
  options.skip_head = 40;
  options.return_length = 16;
  EXPECT_EQ(infer_error(v2, v2_inputs, 768, options), ErrorCode::kInvalidArgument);
}

TEST(Synthesizer, OtherFilesAreRefusedWithTheirKind) {
  for (const char* file : {"models/rmvpe.pt", "models/hubert_base.pt"}) {
    try {
      Synthesizer synth(data_path(file));
      ADD_FAILURE() << file << " loaded as a voice model";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::kWrongModelKind) << e.what();
    }
  }
  SynthesizerConfig config;
  config.device = "tpu:0";
  EXPECT_THROW(Synthesizer(data_path("models/v2_f0_40k.pth"), config), Error);
}

}  // namespace
}  // namespace rvc::synth
