#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "rvc/audio/audio_file.hpp"
#include "rvc/audio/resample.hpp"
#include "rvc/error.hpp"
#include "test_util.hpp"

namespace rvc::audio {
namespace {

using test::data_path;
using test::ScratchDir;

constexpr double kPi = 3.14159265358979323846;

ErrorCode read_error(const std::string& path) {
  try {
    read_audio(path);
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
    return e.code();
  }
  return ErrorCode::kOk;
}

// A mono 32-bit float WAV written byte by byte, so tests can hold values write_audio refuses.
void write_float_wav(const std::string& path, const std::vector<float>& samples, int rate) {
  auto u32 = [](std::string& out, std::uint32_t v) { out.append(reinterpret_cast<const char*>(&v), 4); };
  auto u16 = [](std::string& out, std::uint16_t v) { out.append(reinterpret_cast<const char*>(&v), 2); };
  const auto data_bytes = static_cast<std::uint32_t>(samples.size() * 4);
  std::string out = "RIFF";
  u32(out, 36 + data_bytes);
  out += "WAVEfmt ";
  u32(out, 16);
  u16(out, 3);  // IEEE float
  u16(out, 1);
  u32(out, static_cast<std::uint32_t>(rate));
  u32(out, static_cast<std::uint32_t>(rate * 4));
  u16(out, 4);
  u16(out, 32);
  out += "data";
  u32(out, data_bytes);
  out.append(reinterpret_cast<const char*>(samples.data()), data_bytes);
  std::ofstream(path, std::ios::binary) << out;
}

TEST(ReadAudio, FlacDecodesExactlyLikeTheWav) {
  const AudioBuffer wav = read_audio(data_path("audio/speech_male_44k1.wav"));
  const AudioBuffer flac = read_audio(data_path("audio/speech_male_44k1.flac"));
  EXPECT_EQ(wav.sample_rate_hz, 44100);
  EXPECT_EQ(wav.samples.size(), 220500u);
  EXPECT_EQ(flac.samples, wav.samples);
}

TEST(ReadAudio, Mp3DecodesToTheSameSpeechApproximately) {
  const AudioBuffer wav = read_audio(data_path("audio/speech_male_44k1.wav"));
  const AudioBuffer mp3 = read_audio(data_path("audio/speech_male_44k1.mp3"));
  EXPECT_EQ(mp3.sample_rate_hz, 44100);
  EXPECT_NEAR(static_cast<double>(mp3.samples.size()), 220500.0, 2000.0);
  auto rms = [](const std::vector<float>& x) {
    double sum = 0;
    for (float v : x) sum += static_cast<double>(v) * v;
    return std::sqrt(sum / static_cast<double>(x.size()));
  };
  EXPECT_NEAR(rms(mp3.samples) / rms(wav.samples), 1.0, 0.05);
}

TEST(ReadAudio, PathsWithSpacesParenthesesAndCjkWork) {
  const AudioBuffer odd = read_audio(data_path("audio/odd name (测试 音频) v1.wav"));
  const AudioBuffer full = read_audio(data_path("audio/speech_male_16k.wav"));
  ASSERT_EQ(odd.samples.size(), 32000u);
  EXPECT_TRUE(std::equal(odd.samples.begin(), odd.samples.end(), full.samples.begin()));
}

TEST(ReadAudio, ResamplesToTheRequestedRate) {
  AudioReadConfig config;
  config.sample_rate_hz = 16000;
  const AudioBuffer audio = read_audio(data_path("audio/speech_male_44k1.wav"), config);
  EXPECT_EQ(audio.sample_rate_hz, 16000);
  EXPECT_EQ(audio.samples.size(), 80000u);
}

TEST(Resample, KeepsASineInPhaseAndAmplitude) {
  const int in_rate = 44100, out_rate = 16000;
  std::vector<float> sine(44100);
  for (std::size_t i = 0; i < sine.size(); ++i) sine[i] = 0.5f * static_cast<float>(std::sin(2 * kPi * 1000.0 * i / in_rate));
  const std::vector<float> out = resample(sine.data(), sine.size(), in_rate, out_rate);
  ASSERT_EQ(out.size(), 16000u);
  double worst = 0;
  for (std::size_t i = 400; i + 400 < out.size(); ++i) {
    worst = std::max(worst, std::abs(out[i] - 0.5 * std::sin(2 * kPi * 1000.0 * i / out_rate)));
  }
  EXPECT_LT(worst, 1e-3);
  EXPECT_THROW(resample(sine.data(), sine.size(), 0, 16000), Error);
}

TEST(WriteAudio, RoundTripsEachEncoding) {
  ScratchDir dir;
  std::vector<float> samples(4000);
  for (std::size_t i = 0; i < samples.size(); ++i) samples[i] = 0.8f * static_cast<float>(std::sin(i * 0.01));
  samples[10] = 1.5f;  // clipped by integer encodings
  struct Case {
    const char* name;
    AudioEncoding encoding;
    float tolerance;
  };
  for (const Case& c : {Case{"f.wav", AudioEncoding::kFloat32, 0.0f}, Case{"p16.wav", AudioEncoding::kPcm16, 1.0f / 32768},
                        Case{"p24.flac", AudioEncoding::kPcm24, 1.0f / 8388608}, Case{"auto.flac", AudioEncoding::kAuto, 1.0f / 32768}}) {
    AudioWriteConfig config;
    config.encoding = c.encoding;
    write_audio(dir.file(c.name), samples.data(), samples.size(), 40000, config);
    const AudioBuffer back = read_audio(dir.file(c.name));
    ASSERT_EQ(back.samples.size(), samples.size()) << c.name;
    EXPECT_EQ(back.sample_rate_hz, 40000);
    for (std::size_t i = 0; i < samples.size(); ++i) {
      const float expected = c.encoding == AudioEncoding::kFloat32 ? samples[i] : std::clamp(samples[i], -1.0f, 1.0f);
      ASSERT_NEAR(back.samples[i], expected, c.tolerance + 1e-7f) << c.name << " sample " << i;
    }
  }
  write_audio(dir.file("v.ogg"), samples.data(), samples.size(), 40000);
  EXPECT_NEAR(static_cast<double>(read_audio(dir.file("v.ogg")).samples.size()), 4000.0, 100.0);
  // Only the finished files are left: no temporary names.
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path()), {}), 5);
}

TEST(WriteAudio, FailuresLeaveExistingFilesUntouched) {
  ScratchDir dir;
  const std::vector<float> good(100, 0.25f);
  const std::string path = dir.file("keep.wav");
  write_audio(path, good.data(), good.size(), 16000);
  std::vector<float> bad = good;
  bad[50] = std::nanf("");
  try {
    write_audio(path, bad.data(), bad.size(), 16000);
    ADD_FAILURE() << "NaN written";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidAudio);
    EXPECT_NE(std::string(e.what()).find("index 50"), std::string::npos) << e.what();
  }
  EXPECT_EQ(read_audio(path).samples, std::vector<float>(100, 0.25f));
  EXPECT_THROW(write_audio(dir.file("x.mp4"), good.data(), good.size(), 16000), Error);
  EXPECT_THROW(write_audio(dir.file("x.wav"), good.data(), 0, 16000), Error);
  EXPECT_THROW(write_audio(dir.file("no such folder/x.wav"), good.data(), good.size(), 16000), Error);
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path()), {}), 1);
}

TEST(ReadAudio, BadFilesGiveClearErrors) {
  ScratchDir dir;
  EXPECT_EQ(read_error(dir.file("missing.wav")), ErrorCode::kFileNotFound);
  std::ofstream(dir.file("empty.wav"), std::ios::binary);
  EXPECT_EQ(read_error(dir.file("empty.wav")), ErrorCode::kCorruptFile);
  std::ofstream(dir.file("text.wav"), std::ios::binary) << "this is not audio at all, just text";
  EXPECT_EQ(read_error(dir.file("text.wav")), ErrorCode::kCorruptFile);

  write_float_wav(dir.file("no samples.wav"), {}, 16000);
  EXPECT_EQ(read_error(dir.file("no samples.wav")), ErrorCode::kInvalidAudio);
  write_float_wav(dir.file("nan.wav"), {0.1f, std::nanf(""), 0.2f}, 16000);
  EXPECT_EQ(read_error(dir.file("nan.wav")), ErrorCode::kInvalidAudio);
  write_float_wav(dir.file("inf.wav"), {0.1f, INFINITY}, 16000);
  EXPECT_EQ(read_error(dir.file("inf.wav")), ErrorCode::kInvalidAudio);

  std::ifstream in(data_path("audio/speech_male_16k.wav"), std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), {});
  std::ofstream(dir.file("cut.wav"), std::ios::binary) << bytes.substr(0, bytes.size() / 2);
  EXPECT_EQ(read_error(dir.file("cut.wav")), ErrorCode::kCorruptFile);
  std::ofstream(dir.file("header only.wav"), std::ios::binary) << bytes.substr(0, 20);
  EXPECT_EQ(read_error(dir.file("header only.wav")), ErrorCode::kCorruptFile);
}

TEST(ReadAudio, SilenceIsValidAudio) {
  const AudioBuffer silence = read_audio(data_path("audio/silence_16k.wav"));
  EXPECT_EQ(silence.samples.size(), 32000u);
  EXPECT_DOUBLE_EQ(silence.duration_seconds(), 2.0);
}

}  // namespace
}  // namespace rvc::audio
