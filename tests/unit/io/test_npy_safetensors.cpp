#include <gtest/gtest.h>

#include <cstring>
#include <fstream>

#include "rvc/audio/audio_file.hpp"
#include "rvc/error.hpp"
#include "rvc/io/npy.hpp"
#include "rvc/io/safetensors.hpp"
#include "test_util.hpp"

namespace rvc::io {
namespace {

using test::data_path;
using test::ScratchDir;

TEST(Npy, ReadsANumpyFileThatAgreesWithTheDecodedAudio) {
  // numpy wrote this array from the same int16 samples that libsndfile decodes here.
  const TensorData reference = load_npy(data_path("audio/speech_stereo_48k_mono_f32.npy"));
  ASSERT_EQ(reference.dtype(), DType::kFloat32);
  ASSERT_EQ(reference.shape(), std::vector<std::int64_t>{240000});
  const audio::AudioBuffer decoded = audio::read_audio(data_path("audio/speech_stereo_48k.wav"));
  const std::vector<float> expected = reference.to_floats();
  ASSERT_EQ(decoded.samples.size(), expected.size());
  float worst = 0.0f;
  for (std::size_t i = 0; i < expected.size(); ++i) {
    worst = std::max(worst, std::abs(decoded.samples[i] - expected[i]));
  }
  EXPECT_LE(worst, 1e-7f);
}

TEST(Npy, RoundTripsEveryDtypeAndLayout) {
  ScratchDir dir;
  const std::vector<float> values{1, 2, 3, 4, 5, 6};
  const TensorData matrix = TensorData::from_floats({2, 3}, values);
  const TensorData transposed(DType::kFloat32, {3, 2}, {1, 3}, 0, matrix.storage());
  save_npy(dir.file("t.npy"), transposed);
  const TensorData loaded = load_npy(dir.file("t.npy"));
  EXPECT_EQ(loaded.shape(), (std::vector<std::int64_t>{3, 2}));
  EXPECT_EQ(loaded.to_floats(), transposed.to_floats());

  for (DType dtype : {DType::kFloat16, DType::kFloat64, DType::kInt64, DType::kInt32, DType::kInt16,
                      DType::kInt8, DType::kUInt8, DType::kBool}) {
    std::vector<std::uint8_t> bytes(5 * dtype_size(dtype));
    for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<std::uint8_t>(i % 2);
    const TensorData tensor = TensorData::from_bytes(dtype, {5}, bytes);
    save_npy(dir.file("d.npy"), tensor);
    const TensorData back = load_npy(dir.file("d.npy"));
    EXPECT_EQ(back.dtype(), dtype) << dtype_name(dtype);
    EXPECT_EQ(back.contiguous_bytes(), bytes) << dtype_name(dtype);
  }
  save_npy(dir.file("scalar.npy"), TensorData::from_floats({}, {4.0f}));
  EXPECT_EQ(load_npy(dir.file("scalar.npy")).to_floats(), std::vector<float>{4.0f});
}

TEST(Npy, TruncatedAndForeignFilesAreCorrupt) {
  ScratchDir dir;
  save_npy(dir.file("full.npy"), TensorData::from_floats({100}, std::vector<float>(100, 1.0f)));
  std::ifstream in(dir.file("full.npy"), std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), {});
  std::ofstream(dir.file("cut.npy"), std::ios::binary) << bytes.substr(0, bytes.size() - 4);
  std::ofstream(dir.file("text.npy"), std::ios::binary) << "not numpy";
  for (const char* name : {"cut.npy", "text.npy"}) {
    try {
      load_npy(dir.file(name));
      ADD_FAILURE() << name << " loaded";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::kCorruptFile);
      EXPECT_NE(std::string(e.what()).find(name), std::string::npos);
    }
  }
}

TEST(Safetensors, RoundTripsTensorsAndMetadata) {
  ScratchDir dir;
  SafetensorsFile file;
  file.metadata.emplace_back("format", "pt");
  file.metadata.emplace_back("note", "声音 \"quoted\"");
  file.tensors.emplace_back("enc_p.emb_phone.weight", TensorData::from_floats({2, 2}, {1, 2, 3, 4}));
  std::vector<std::uint8_t> halves(6);
  for (int i = 0; i < 3; ++i) {
    const std::uint16_t bits = float_to_half(static_cast<float>(i) * 0.5f);
    std::memcpy(halves.data() + 2 * i, &bits, 2);
  }
  file.tensors.emplace_back("half", TensorData::from_bytes(DType::kFloat16, {3}, halves));
  save_safetensors(dir.file("m.safetensors"), file);

  const SafetensorsFile back = load_safetensors(dir.file("m.safetensors"));
  ASSERT_EQ(back.tensors.size(), 2u);
  EXPECT_EQ(back.find("enc_p.emb_phone.weight")->to_floats(), (std::vector<float>{1, 2, 3, 4}));
  EXPECT_EQ(back.find("half")->to_floats(), (std::vector<float>{0.0f, 0.5f, 1.0f}));
  EXPECT_EQ(back.find("missing"), nullptr);
  ASSERT_EQ(back.metadata.size(), 2u);
  EXPECT_EQ(back.metadata[1].second, "声音 \"quoted\"");
}

TEST(Safetensors, RejectsOutOfRangeOffsets) {
  ScratchDir dir;
  const std::string header = R"({"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}})";
  std::string bytes(8, '\0');
  bytes[0] = static_cast<char>(header.size());
  bytes += header + std::string(8, '\0');  // only 8 of the 16 data bytes
  std::ofstream(dir.file("bad.safetensors"), std::ios::binary) << bytes;
  try {
    load_safetensors(dir.file("bad.safetensors"));
    ADD_FAILURE() << "loaded";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kCorruptFile);
  }
}

}  // namespace
}  // namespace rvc::io
