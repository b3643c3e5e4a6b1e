// Parity of the C++ content encoder with RVC's HuBERT on every file form of the fixture encoders,
// and its handling of bad input.
#include <gtest/gtest.h>

#include <dlfcn.h>

#include <cstdlib>
#include <filesystem>

#include "rvc/audio/audio_file.hpp"
#include "rvc/error.hpp"
#include "rvc/features/content_encoder.hpp"
#include "rvc/io/checkpoint.hpp"
#include "rvc/io/npy.hpp"
#include "rvc/io/safetensors.hpp"
#include "test_util.hpp"

namespace rvc::features {
namespace {

namespace fs = std::filesystem;
using test::data_path;
using test::max_abs_diff;

constexpr double kTolerance = 1e-4;  // fixtures README: HuBERT features to max abs 1e-4

std::vector<float> speech(const std::string& name) {
  const audio::AudioBuffer audio = audio::read_audio(data_path("hubert/inputs/" + name + ".wav"));
  EXPECT_EQ(audio.sample_rate_hz, kContentSampleRateHz);
  return audio.samples;
}

std::vector<float> reference(const std::string& model, const std::string& input, const std::string& file) {
  return io::load_npy(data_path("hubert/" + model + "/outputs/" + input + "/" + file + ".npy")).to_floats();
}

// The encoder at `path` on the test device, at fp32.
ContentEncoder encoder_on_test_device(const std::string& path) {
  ContentEncoderConfig config;
  config.device = test::test_device();
  config.precision = Precision::kFloat32;
  return ContentEncoder(path, config);
}

ContentFeatures extract(const ContentEncoder& encoder, const std::vector<float>& samples, const std::string& version,
                        bool capture = false) {
  ExtractOptions options;
  options.version = version;
  options.capture_intermediates = capture;
  return encoder.extract(samples.data(), static_cast<std::int64_t>(samples.size()), kContentSampleRateHz, options);
}

// Three files with the same weights: fp32 Hugging Face folder, fp16 with parametrized weight norm,
// fp16 fairseq checkpoint. They share one set of reference outputs.
class EveryForm : public ::testing::TestWithParam<const char*> {};

TEST_P(EveryForm, MatchesTheOriginalForV1AndV2) {
  const ContentEncoder encoder = encoder_on_test_device(data_path(GetParam()));
  EXPECT_EQ(encoder.info().hidden_size, 64);
  EXPECT_EQ(encoder.info().num_layers, 12);
  EXPECT_EQ(encoder.info().num_heads, 4);
  EXPECT_EQ(encoder.feature_dim("v1"), 256);
  EXPECT_EQ(encoder.feature_dim("v2"), 64);
  for (const char* input : {"speech", "speech_odd"}) {
    const std::vector<float> samples = speech(input);
    const ContentFeatures v2 = extract(encoder, samples, "v2", /*capture=*/true);
    const std::int64_t frames = content_frames(static_cast<std::int64_t>(samples.size()));
    EXPECT_EQ(v2.features.shape(), (std::vector<std::int64_t>{frames, 64})) << input;
    EXPECT_LE(max_abs_diff(v2.features.to_floats(), reference("hubert_base", input, "feats_v2")), kTolerance) << input;
    EXPECT_LE(max_abs_diff(v2.conv_features.to_floats(), reference("hubert_base", input, "conv_features")), kTolerance)
        << input;
    EXPECT_LE(max_abs_diff(v2.hidden_states.to_floats(), reference("hubert_base", input, "hidden_states")), kTolerance)
        << input;
    const ContentFeatures v1 = extract(encoder, samples, "v1");
    EXPECT_EQ(v1.features.shape(), (std::vector<std::int64_t>{frames, 256})) << input;
    EXPECT_LE(max_abs_diff(v1.features.to_floats(), reference("hubert_base", input, "feats_v1")), kTolerance) << input;
  }
}

INSTANTIATE_TEST_SUITE_P(ContentEncoder, EveryForm,
                         ::testing::Values("hubert/hubert_base", "hubert/hubert_base_parametrized",
                                           "models/hubert_base.pt"));

TEST(ContentEncoder, FullWidthEncoderMatchesTheOriginal) {
  const ContentEncoder encoder = encoder_on_test_device(data_path("hubert/hubert_base_768"));
  const ContentFeatures v2 = extract(encoder, speech("speech"), "v2");
  EXPECT_EQ(v2.features.shape()[1], 768);
  EXPECT_LE(max_abs_diff(v2.features.to_floats(), reference("hubert_base_768", "speech", "feats_v2")), kTolerance);
  // One layer: there is no layer 9 for v1 features.
  EXPECT_EQ(test::thrown_error([&] { extract(encoder, speech("speech"), "v1"); }).code(), ErrorCode::kInvalidArgument);
}

TEST(ContentEncoder, LoadsEveryPathUsersGive) {
  const std::vector<float> samples = speech("speech_odd");
  const std::vector<float> expected = reference("hubert_base", "speech_odd", "feats_v2");
  for (const char* path : {"hubert/hubert_base/config.json", "hubert/hubert_base/pytorch_model.bin"}) {
    EXPECT_LE(max_abs_diff(extract(ContentEncoder(data_path(path)), samples, "v2").features.to_floats(), expected),
              kTolerance)
        << path;
  }
  // The safetensors form, in a folder whose name has spaces, parentheses and CJK characters.
  test::ScratchDir scratch;
  io::SafetensorsFile file;
  const io::Value state = io::load_checkpoint(data_path("hubert/hubert_base/pytorch_model.bin"));
  for (const auto& [key, value] : state.as_dict()) file.tensors.emplace_back(key.as_string(), value.as_tensor());
  io::save_safetensors(scratch.file("model.safetensors"), file);
  fs::copy_file(data_path("hubert/hubert_base/config.json"), scratch.file("config.json"));
  const ContentEncoder encoder(scratch.path().string());
  EXPECT_EQ(encoder.info().format, "huggingface");
  EXPECT_LE(max_abs_diff(extract(encoder, samples, "v2").features.to_floats(), expected), kTolerance);
}

TEST(ContentEncoder, FrameCountFollowsTheConvStack) {
  EXPECT_EQ(content_frames(399), 0);
  EXPECT_EQ(content_frames(400), 1);
  EXPECT_EQ(content_frames(719), 1);
  EXPECT_EQ(content_frames(720), 2);
  const ContentEncoder encoder(data_path("models/hubert_base.pt"));
  const std::vector<float> samples = speech("speech");
  for (std::int64_t n : {400, 719, 720, 16000}) {
    const ContentFeatures out = encoder.extract(samples.data(), n, kContentSampleRateHz);
    EXPECT_EQ(out.features.shape()[0], content_frames(n)) << n;
  }
}

// Debian's OpenBLAS runs a thread pool of its own beside LibTorch's OpenMP threads; the first
// network loaded keeps it to the calling thread unless the user chose otherwise.
TEST(ContentEncoder, LoadingKeepsOpenBlasOnTheCallingThread) {
  using GetThreads = int (*)();
  void* get_threads = dlsym(RTLD_DEFAULT, "openblas_get_num_threads");
  if (get_threads == nullptr || std::getenv("OPENBLAS_NUM_THREADS") != nullptr) {
    GTEST_SKIP() << "LibTorch's BLAS here is not OpenBLAS, or OPENBLAS_NUM_THREADS chooses";
  }
  const ContentEncoder encoder(data_path("models/hubert_base.pt"));
  EXPECT_EQ(reinterpret_cast<GetThreads>(get_threads)(), 1);
}

TEST(ContentEncoder, BadInputGetsAClearError) {
  const ContentEncoder encoder(data_path("models/hubert_base.pt"));
  std::vector<float> samples = speech("speech_odd");
  EXPECT_EQ(test::thrown_error([&] { encoder.extract(samples.data(), 399, kContentSampleRateHz); }).code(),
            ErrorCode::kInvalidAudio);
  EXPECT_EQ(test::thrown_error([&] { encoder.extract(nullptr, 0, kContentSampleRateHz); }).code(), ErrorCode::kInvalidAudio);
  EXPECT_EQ(test::thrown_error([&] { encoder.extract(samples.data(), 16000, 44100); }).code(), ErrorCode::kInvalidArgument);
  ExtractOptions v3;
  v3.version = "v3";
  EXPECT_EQ(test::thrown_error([&] { encoder.extract(samples.data(), 16000, kContentSampleRateHz, v3); }).code(),
            ErrorCode::kInvalidArgument);
  samples[1234] = std::nanf("");
  EXPECT_EQ(test::thrown_error([&] { encoder.extract(samples.data(), 16000, kContentSampleRateHz); }).code(),
            ErrorCode::kInvalidAudio);
}

TEST(ContentEncoder, OtherFilesAreRefusedWithWhatTheyAre) {
  struct Refusal {
    ErrorCode code = ErrorCode::kOk;
    std::string message;
  };
  auto refusal_of = [](const std::string& path) {
    Refusal refusal;
    try {
      ContentEncoder encoder(path);
    } catch (const Error& error) {
      refusal = {error.code(), error.what()};
    }
    return refusal;
  };
  const Refusal voice = refusal_of(data_path("models/v2_f0_40k.pth"));
  EXPECT_EQ(voice.code, ErrorCode::kWrongModelKind);
  EXPECT_NE(voice.message.find("voice model"), std::string::npos);
  EXPECT_NE(refusal_of(data_path("models/rmvpe.pt")).message.find("RMVPE"), std::string::npos);
  EXPECT_EQ(refusal_of(data_path("hubert/no such encoder")).code, ErrorCode::kFileNotFound);
  // Weights without their config.json, and a folder without weights.
  test::ScratchDir scratch;
  fs::copy_file(data_path("hubert/hubert_base/pytorch_model.bin"), scratch.file("pytorch_model.bin"));
  EXPECT_NE(refusal_of(scratch.file("pytorch_model.bin")).message.find("config.json"), std::string::npos);
  fs::remove(scratch.file("pytorch_model.bin"));
  EXPECT_EQ(refusal_of(scratch.path().string()).code, ErrorCode::kFileNotFound);
}

TEST(ContentEncoder, Fp16NeedsCuda) {
  ContentEncoderConfig config;
  config.precision = Precision::kFloat16;
  EXPECT_EQ(test::thrown_error([&] { ContentEncoder(data_path("models/hubert_base.pt"), config); }).code(),
            ErrorCode::kUnsupported);
}

}  // namespace
}  // namespace rvc::features
