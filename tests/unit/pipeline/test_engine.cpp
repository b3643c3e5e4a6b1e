// The offline conversion against RVC's own output: the 2026 pipeline (short input, and a long one
// that is split) and the classic release (rmvpe with protect acting, harvest with filter_radius,
// pm with a v1 model and no index), all in zero-noise mode.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "rvc/audio/audio_file.hpp"
#include "rvc/io/npy.hpp"
#include "rvc/pipeline/engine.hpp"
#include "test_util.hpp"

namespace rvc::pipeline {
namespace {

using test::data_path;

constexpr const char* kIndex = "index/added_IVF17_Flat_nprobe_1_fixture_v2.index";

EngineConfig engine_config(const std::string& model, const std::string& hubert, const std::string& index,
                           const std::string& rmvpe = "models/rmvpe.pt") {
  EngineConfig config;
  config.model_path = data_path(model);
  config.hubert_path = data_path(hubert);
  if (!index.empty()) config.index_path = data_path(index);
  config.rmvpe_path = data_path(rmvpe);
  config.assets_dir = data_path("no assets here");
  config.device = test::test_device();
  config.precision = Precision::kFloat32;
  return config;
}

// RVC's int16 samples of a float output.
std::vector<int> as_int16(const std::vector<float>& audio) {
  std::vector<int> samples;
  samples.reserve(audio.size());
  for (const float x : audio) samples.push_back(static_cast<int>(std::trunc(x * 32768.0f)));
  return samples;
}

std::vector<int> reference_int16(const std::string& path) {
  return as_int16(audio::read_audio(data_path(path)).samples);
}

struct Case {
  std::string folder;  // under tests/data
  std::string input;
  ConvertOptions options;
};

// The fixture input at `input` (below tests/data) converted in the fixtures' zero-noise mode.
ConversionResult convert_fixture(const Engine& engine, const std::string& input, ConvertOptions options) {
  const audio::AudioBuffer audio = audio::read_audio(data_path(input));
  options.zero_noise = true;
  options.capture_intermediates = true;
  return engine.convert(audio.samples.data(), static_cast<std::int64_t>(audio.samples.size()), audio.sample_rate_hz,
                        options);
}

void expect_matches_rvc(const Engine& engine, const Case& c) {
  const ConversionResult result = convert_fixture(engine, c.input, c.options);
  EXPECT_EQ(result.sample_rate_hz, 40000);

  const std::vector<std::int64_t> pitch = io::load_npy(data_path(c.folder + "/pitch.npy")).to_int64s();
  const std::vector<float> pitchf = io::load_npy(data_path(c.folder + "/pitchf.npy")).to_floats();
  EXPECT_EQ(result.pitch, pitch) << c.folder;
  EXPECT_LE(test::max_abs_diff(result.pitchf, pitchf), 1e-2) << c.folder;

  const std::vector<int> expected = reference_int16(c.folder + "/output.wav");
  const std::vector<int> actual = as_int16(result.audio);
  ASSERT_EQ(actual.size(), expected.size()) << c.folder;
  EXPECT_LE(test::max_abs_diff(actual, expected), 2) << c.folder << ": int16 output differs by more than 2 LSB";
}

// One v2 engine (model, encoder, index, rmvpe) shared by a suite's tests: loading takes a while.
class V2EngineTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    engine_ = new Engine(engine_config("models/v2_f0_40k.pth", "hubert/hubert_base_768", kIndex));
  }
  static void TearDownTestSuite() {
    delete engine_;
    engine_ = nullptr;
  }
  static Engine* engine_;
};
Engine* V2EngineTest::engine_ = nullptr;

class Rvc2026Pipeline : public V2EngineTest {
 protected:
  static ConvertOptions options(double key) {
    ConvertOptions options;
    options.f0_up_key = key;
    options.compat = Compat::kRvc2026;
    return options;
  }
};

TEST_F(Rvc2026Pipeline, ShortInputKey0) {
  expect_matches_rvc(*engine_, {"pipeline/short/key+0", "pipeline/short/input.wav", options(0)});
}

TEST_F(Rvc2026Pipeline, ShortInputKey12) {
  expect_matches_rvc(*engine_, {"pipeline/short/key+12", "pipeline/short/input.wav", options(12)});
}

TEST_F(Rvc2026Pipeline, LongInputIsSplitWhereRvcSplitsIt) {
  const ConversionResult result = convert_fixture(*engine_, "pipeline/long/input.wav", options(0));
  EXPECT_EQ(result.split_points, io::load_npy(data_path("pipeline/long/key+0/split_points.npy")).to_int64s());
  EXPECT_EQ(result.pitch, io::load_npy(data_path("pipeline/long/key+0/pitch.npy")).to_int64s());
  const std::vector<int> expected = reference_int16("pipeline/long/key+0/output.wav");
  const std::vector<int> actual = as_int16(result.audio);
  ASSERT_EQ(actual.size(), expected.size());
  EXPECT_LE(test::max_abs_diff(actual, expected), 2);
}

// RVC's is_half: fp16 networks on the GPU. Not bit-close to the fp32 original, but the same voice:
// the same pitch and length, and the waveform near it.
TEST(HalfPrecision, OnCudaStaysCloseToTheOriginal) {
  if (!test::testing_on_cuda()) GTEST_SKIP() << "fp16 runs on CUDA only; set RVC_TEST_DEVICE=cuda";
  EngineConfig config = engine_config("models/v2_f0_40k.pth", "hubert/hubert_base_768", kIndex);
  config.precision = Precision::kFloat16;
  const Engine engine(config);
  ConvertOptions options;
  options.compat = Compat::kRvc2026;
  const ConversionResult result = convert_fixture(engine, "pipeline/short/input.wav", options);
  // The fp16 preset pads 3 s at each end where fp32's pads 1 s: the same frames, 200 further in.
  const std::vector<std::int64_t> pitch = io::load_npy(data_path("pipeline/short/key+0/pitch.npy")).to_int64s();
  const std::size_t offset = 200;
  ASSERT_EQ(result.pitch.size(), pitch.size() + 2 * offset);
  std::size_t same_pitch = 0;
  for (std::size_t i = 0; i < pitch.size(); ++i) {
    same_pitch += std::abs(result.pitch[offset + i] - pitch[i]) <= 1 ? 1 : 0;
  }
  EXPECT_GE(same_pitch, pitch.size() * 95 / 100);

  const std::vector<float> expected = audio::read_audio(data_path("pipeline/short/key+0/output.wav")).samples;
  ASSERT_EQ(result.audio.size(), expected.size());
  double signal = 0, error = 0;
  for (std::size_t i = 0; i < expected.size(); ++i) {
    signal += static_cast<double>(expected[i]) * expected[i];
    error += static_cast<double>(result.audio[i] - expected[i]) * (result.audio[i] - expected[i]);
  }
  const double snr_db = 10 * std::log10(signal / std::max(error, 1e-30));
  RecordProperty("fp16_snr_db", std::to_string(snr_db));
  EXPECT_GE(snr_db, 12.0);  // 16 dB measured on an H100: fp16 rounding shifts the harmonic source's phase
}

class ClassicPipeline : public ::testing::Test {
 protected:
  static ConvertOptions options(f0::F0Method method, double key, double protect, double rms_mix_rate) {
    ConvertOptions options;
    options.f0_method = method;
    options.f0_up_key = key;
    options.protect = protect;
    options.rms_mix_rate = rms_mix_rate;
    return options;
  }
};

TEST_F(ClassicPipeline, RmvpeVoicingEveryFrame) {
  const Engine engine(engine_config("models/v2_f0_40k.pth", "hubert/hubert_base_768", kIndex));
  expect_matches_rvc(engine, {"pipeline_classic/v2/a_rmvpe_key+0", "pipeline_classic/input.wav",
                              options(f0::F0Method::kRmvpe, 0, 0.33, 0.25)});
}

TEST_F(ClassicPipeline, ProtectActsOnUnvoicedFrames) {
  const Engine engine(engine_config("models/v2_f0_40k.pth", "hubert/hubert_base_768", kIndex,
                                    "pipeline_classic/rmvpe_voicing.pt"));
  expect_matches_rvc(engine, {"pipeline_classic/v2/a_rmvpe_voicing_key+0_protect0.33", "pipeline_classic/input.wav",
                              options(f0::F0Method::kRmvpe, 0, 0.33, 0.25)});
  expect_matches_rvc(engine, {"pipeline_classic/v2/a_rmvpe_voicing_key+0_protect0.5", "pipeline_classic/input.wav",
                              options(f0::F0Method::kRmvpe, 0, 0.5, 0.25)});
}

TEST_F(ClassicPipeline, HarvestWithFilterRadius) {
  const Engine engine(engine_config("models/v2_f0_40k.pth", "hubert/hubert_base_768", kIndex));
  expect_matches_rvc(engine, {"pipeline_classic/v2/b_harvest_fr3_key-3", "pipeline_classic/input.wav",
                              options(f0::F0Method::kHarvest, -3, 0.33, 1)});
}

TEST_F(ClassicPipeline, PmWithV1ModelAndNoIndex) {
  const Engine engine(engine_config("models/v1_f0_40k.pth", "models/hubert_base.pt", ""));
  expect_matches_rvc(engine, {"pipeline_classic/v1/c_pm_key+5", "pipeline_classic/input.wav",
                              options(f0::F0Method::kPm, 5, 0.33, 0.25)});
}

using test::thrown_error;

std::string message_of(const Error& e) { return e.what(); }

using EngineErrors = V2EngineTest;

TEST_F(EngineErrors, TrainingCheckpointAsModelSaysWhatItIs) {
  test::ScratchDir dir;
  const std::string path = dir.file("G_2333.pth");
  test::write_training_checkpoint(path);
  EngineConfig config = engine_config("models/v2_f0_40k.pth", "hubert/hubert_base_768", "");
  config.model_path = path;
  const Error e = thrown_error([&] { Engine engine(config); });
  EXPECT_EQ(e.code(), ErrorCode::kWrongModelKind);
  EXPECT_NE(message_of(e).find("training checkpoint"), std::string::npos) << e.what();
}

TEST_F(EngineErrors, MissingDefaultEncoderSaysWhereItLooked) {
  EngineConfig config = engine_config("models/v2_f0_40k.pth", "", "");
  config.hubert_path.clear();
  const Error e = thrown_error([&] { Engine engine(config); });
  EXPECT_EQ(e.code(), ErrorCode::kFileNotFound);
  EXPECT_NE(message_of(e).find("no assets here/hubert/hubert_base.pt"), std::string::npos) << e.what();
}

TEST_F(EngineErrors, V1ModelWithV2IndexIsRefusedNamingBoth) {
  const Error e = thrown_error([&] { Engine engine(engine_config("models/v1_f0_40k.pth", "models/hubert_base.pt", kIndex)); });
  EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(message_of(e).find("added_IVF17"), std::string::npos) << e.what();
  EXPECT_NE(message_of(e).find("v1_f0_40k.pth"), std::string::npos) << e.what();
}

TEST_F(EngineErrors, TrainedIndexIsReplacedByItsAddedSibling) {
  const Engine engine(engine_config("models/v2_f0_40k.pth", "hubert/hubert_base_768",
                                    "index/trained_IVF17_Flat_nprobe_1_fixture_v2.index"));
  EXPECT_NE(engine.info().index_path.find("added_IVF17"), std::string::npos) << engine.info().index_path;
}

TEST_F(EngineErrors, RmvpeWithoutItsFileNamesWhereItLooked) {
  EngineConfig config = engine_config("models/v2_f0_40k.pth", "hubert/hubert_base_768", "");
  config.rmvpe_path.clear();
  const Engine engine(config);
  EXPECT_TRUE(engine.info().rmvpe_path.empty());
  const std::vector<float> audio(16000, 0.1f);
  const Error e = thrown_error([&] { engine.convert(audio.data(), 16000, 16000); });
  EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(message_of(e).find("no assets here/rmvpe/rmvpe.pt"), std::string::npos) << e.what();
  ConvertOptions harvest;
  harvest.f0_method = f0::F0Method::kHarvest;
  EXPECT_FALSE(engine.convert(audio.data(), 16000, 16000, harvest).audio.empty());
}

TEST_F(EngineErrors, ModelsWithoutPitchNeedNoEstimator) {
  EngineConfig config = engine_config("models/v2_nof0_40k.pth", "hubert/hubert_base_768", kIndex);
  config.rmvpe_path.clear();
  const Engine engine(config);
  EXPECT_FALSE(engine.info().model.has_pitch);
  const audio::AudioBuffer input = audio::read_audio(data_path("pipeline_classic/input.wav"));
  ConvertOptions options;
  options.zero_noise = true;
  options.capture_intermediates = true;
  const ConversionResult result =
      engine.convert(input.samples.data(), static_cast<std::int64_t>(input.samples.size()), 16000, options);
  EXPECT_EQ(result.audio.size(), 183200u);  // the same frames as the pitch models keep
  EXPECT_TRUE(result.pitch.empty());
  EXPECT_EQ(result.pitch_ms, 0);
}

TEST_F(EngineErrors, EmptyShortAndNonFiniteInputAreRefused) {
  const std::vector<float> short_audio(1000, 0.1f);
  EXPECT_EQ(thrown_error([&] { engine_->convert(short_audio.data(), 0, 16000); }).code(), ErrorCode::kInvalidAudio);
  const Error too_short = thrown_error([&] { engine_->convert(short_audio.data(), 1000, 16000); });
  EXPECT_EQ(too_short.code(), ErrorCode::kInvalidAudio);
  EXPECT_NE(message_of(too_short).find("0.1 s"), std::string::npos) << too_short.what();
  std::vector<float> with_nan(16000, 0.1f);
  with_nan[1234] = std::nanf("");
  EXPECT_EQ(thrown_error([&] { engine_->convert(with_nan.data(), 16000, 16000); }).code(), ErrorCode::kInvalidAudio);
}

TEST_F(EngineErrors, BadOptionsNameTheField) {
  const std::vector<float> audio(16000, 0.1f);
  ConvertOptions options;
  options.protect = 0.7;
  EXPECT_NE(message_of(thrown_error([&] { engine_->convert(audio.data(), 16000, 16000, options); })).find("protect"),
            std::string::npos);
  options = {};
  options.speaker_id = 3;  // the fixture model has 3 speakers: 0, 1, 2
  const Error e = thrown_error([&] { engine_->convert(audio.data(), 16000, 16000, options); });
  EXPECT_NE(message_of(e).find("0 to 2"), std::string::npos) << e.what();
}

TEST_F(EngineErrors, ProgressCanCancel) {
  const std::vector<float> audio(16000, 0.1f);
  ConvertOptions options;
  std::vector<std::string> stages;
  options.progress = [&](const std::string& stage, double) {
    stages.push_back(stage);
    return stage != "converting";
  };
  EXPECT_EQ(thrown_error([&] { engine_->convert(audio.data(), 16000, 16000, options); }).code(), ErrorCode::kCancelled);
  EXPECT_EQ(stages.front(), "pitch");
  EXPECT_EQ(stages.back(), "converting");
}

TEST_F(EngineErrors, FilesWithOtherRatesAndCjkPathsConvert) {
  test::ScratchDir dir;
  ConvertOptions options;
  options.zero_noise = true;
  const std::string output = dir.file("输出 (converted).wav");
  const ConversionResult result = engine_->convert_file(data_path("audio/speech_male_44k1.mp3"), output, options);
  const audio::AudioBuffer written = audio::read_audio(output);
  EXPECT_EQ(written.sample_rate_hz, 40000);
  EXPECT_EQ(as_int16(written.samples), as_int16(result.audio)) << "16-bit files hold RVC's truncated samples";
  EXPECT_LE(static_cast<std::int64_t>(result.audio.size()),
            engine_->output_capacity(static_cast<std::int64_t>(result.input_seconds * 44100) + 1, 44100));
  EXPECT_NEAR(result.audio.size() / 40000.0, result.input_seconds, 0.05);

  options.resample_sr = 48000;
  const ConversionResult resampled = engine_->convert_file(data_path("audio/speech_male_16k.wav"),
                                                           dir.file("out 48k.flac"), options);
  EXPECT_EQ(resampled.sample_rate_hz, 48000);
  EXPECT_EQ(audio::read_audio(dir.file("out 48k.flac")).sample_rate_hz, 48000);
}

TEST_F(EngineErrors, SeedsMakeNoisyOutputReproducible) {
  const audio::AudioBuffer input = audio::read_audio(data_path("audio/speech_female_16k.wav"));
  const auto n = static_cast<std::int64_t>(input.samples.size());
  ConvertOptions options;
  options.seed = 7;
  const ConversionResult a = engine_->convert(input.samples.data(), n, 16000, options);
  const ConversionResult b = engine_->convert(input.samples.data(), n, 16000, options);
  EXPECT_EQ(a.audio, b.audio);
  options.seed = 8;
  EXPECT_NE(engine_->convert(input.samples.data(), n, 16000, options).audio, a.audio);
}

}  // namespace
}  // namespace rvc::pipeline
