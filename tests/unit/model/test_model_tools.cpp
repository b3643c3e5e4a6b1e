// Model tools and voice bundles: checksums, round trips, extraction from a training checkpoint,
// and a clear refusal for each wrong kind of file. (The PyTorch-oracle comparisons live in the
// Python tests, test_model_tools.py.)
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "io/file_util.hpp"
#include "io/sha256.hpp"
#include "rvc/error.hpp"
#include "rvc/io/checkpoint.hpp"
#include "rvc/model/model_tools.hpp"
#include "rvc/model/voice_bundle.hpp"
#include "test_util.hpp"

namespace rvc::model {
namespace {

using test::data_path;
using test::ScratchDir;
using test::thrown_error;

const std::string kIndex = "index/added_IVF17_Flat_nprobe_1_fixture_v2.index";

std::string file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

TEST(Sha256, MatchesTheStandardVectors) {
  EXPECT_EQ(io::sha256_hex("", 0), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(io::sha256_hex("abc", 3), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  const std::string two_blocks = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
  EXPECT_EQ(io::sha256_hex(two_blocks.data(), two_blocks.size()),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  // Fed in uneven pieces, the digest is the same.
  const std::string million(1000000, 'a');
  io::Sha256 pieces;
  for (std::size_t at = 0; at < million.size(); at += 777) pieces.update(million.data() + at, std::min<std::size_t>(777, million.size() - at));
  EXPECT_EQ(pieces.hex_digest(), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(VoiceBundle, RoundTripsByteForByte) {
  ScratchDir dir;
  const std::string bundle = dir.file("voice (声音).rvcz");
  const BundleManifest written =
      write_voice_bundle(data_path("models/v2_f0_40k.pth"), bundle, BundleConfig{data_path(kIndex), "voice"});
  EXPECT_TRUE(is_voice_bundle(bundle));
  EXPECT_FALSE(is_voice_bundle(data_path("models/v2_f0_40k.pth")));
  const BundleManifest read = read_voice_bundle(bundle);
  EXPECT_EQ(read.to_json(), written.to_json());
  EXPECT_EQ(read.name, "voice");
  EXPECT_EQ(read.index_dim, 768);
  EXPECT_EQ(read_model_info(bundle).version, "v2");  // every model loader takes a bundle

  const UnpackedBundle files = unpack_voice_bundle(bundle, dir.file("out"));
  EXPECT_EQ(file_bytes(files.model_path), file_bytes(data_path("models/v2_f0_40k.pth")));
  EXPECT_EQ(file_bytes(files.index_path), file_bytes(data_path(kIndex)));
  EXPECT_EQ(thrown_error([&] { unpack_voice_bundle(bundle, dir.file("out")); }).code(), ErrorCode::kInvalidArgument);
  EXPECT_NO_THROW(unpack_voice_bundle(bundle, dir.file("out"), /*overwrite=*/true));
}

TEST(VoiceBundle, DamagedBundlesAreRefusedAndNothingIsWritten) {
  ScratchDir dir;
  const std::string bundle = dir.file("v.rvcz");
  write_voice_bundle(data_path("models/v2_f0_40k.pth"), bundle, BundleConfig{data_path(kIndex), ""});
  std::string bytes = file_bytes(bundle);
  // A flipped byte in the middle of the stored model: the zip CRC (and the checksum) catch it.
  bytes[bytes.size() / 3] = static_cast<char>(bytes[bytes.size() / 3] ^ 0x5a);
  write_bytes(dir.file("flipped.rvcz"), bytes);
  const Error flipped = thrown_error([&] { unpack_voice_bundle(dir.file("flipped.rvcz"), dir.file("out")); });
  EXPECT_EQ(flipped.code(), ErrorCode::kCorruptFile);
  EXPECT_NE(std::string(flipped.what()).find("flipped.rvcz"), std::string::npos) << flipped.what();
  EXPECT_FALSE(io::path_exists(dir.file("out")));
  // Cut short.
  write_bytes(dir.file("cut.rvcz"), file_bytes(bundle).substr(0, bytes.size() / 2));
  EXPECT_NE(thrown_error([&] { read_voice_bundle(dir.file("cut.rvcz")); }).code(), ErrorCode::kOk);
}

TEST(VoiceBundle, RefusesWhatIsNotAVoiceModelOrDoesNotFitIt) {
  ScratchDir dir;
  test::write_generator_checkpoint(data_path("models/v2_f0_40k.pth"), dir.file("G_100.pth"));
  const Error training = thrown_error([&] { write_voice_bundle(dir.file("G_100.pth"), dir.file("x.rvcz")); });
  EXPECT_EQ(training.code(), ErrorCode::kWrongModelKind);
  EXPECT_NE(std::string(training.what()).find("G_*.pth"), std::string::npos) << training.what();
  const Error width = thrown_error(
      [&] { write_voice_bundle(data_path("models/v1_f0_40k.pth"), dir.file("x.rvcz"), {data_path(kIndex), ""}); });
  EXPECT_EQ(width.code(), ErrorCode::kInvalidArgument);
  EXPECT_FALSE(io::path_exists(dir.file("x.rvcz")));
}

TEST(ModelTools, SetInfoOnABundleKeepsItsIndexAndChecksums) {
  ScratchDir dir;
  const std::string bundle = dir.file("v.rvcz");
  write_voice_bundle(data_path("models/v2_f0_40k.pth"), bundle, BundleConfig{data_path(kIndex), ""});
  EXPECT_EQ(set_model_info(bundle, "new text").info, "new text");
  const BundleManifest manifest = read_voice_bundle(bundle);  // verifies the new checksums
  EXPECT_EQ(manifest.info, "new text");
  EXPECT_TRUE(manifest.has_index());
  EXPECT_EQ(read_model_info(bundle).info, "new text");
}

TEST(ModelTools, ExtractGivesBackTheModelTheCheckpointWasMadeFrom) {
  ScratchDir dir;
  const io::Value small = test::write_generator_checkpoint(data_path("models/v1_nof0_48k.pth"), dir.file("G_7.pth"));
  test::write_experiment_config(dir.path().string(), small);
  const ModelInfo info = extract_voice_model(dir.file("G_7.pth"), dir.file("v.pth"));
  EXPECT_EQ(info.version, "v1");
  EXPECT_FALSE(info.has_pitch);
  EXPECT_EQ(info.config.sample_rate_hz, 48000);
  EXPECT_EQ(info.info, "Extracted model.");
  // fp16 -> fp32 -> fp16 is exact: the weights are the original model's, enc_q is gone.
  const io::Value extracted = io::load_checkpoint(dir.file("v.pth"));
  const io::ValueDict& weights = extracted.at("weight").as_dict();
  ASSERT_EQ(weights.size(), small.at("weight").as_dict().size());
  for (const auto& [key, value] : weights) {
    const io::TensorData& original = small.at("weight").at(key.as_string()).as_tensor();
    EXPECT_EQ(value.as_tensor().dtype(), io::DType::kFloat16) << key.as_string();
    EXPECT_EQ(value.as_tensor().contiguous_bytes(), original.contiguous_bytes()) << key.as_string();
  }
  EXPECT_EQ(ModelConfig::from_list(extracted.at("config"), "x").to_json(),
            ModelConfig::from_list(small.at("config"), "x").to_json());
}

TEST(ModelTools, InspectReportsTrainingCheckpointsAndWhatToDo) {
  ScratchDir dir;
  test::write_generator_checkpoint(data_path("models/v2_f0_32k.pth"), dir.file("G_2333333.pth"), 0.0f, 40);
  const FileReport report = inspect_file(dir.file("G_2333333.pth"));
  EXPECT_EQ(report.kind, FileKind::kGeneratorCheckpoint);
  EXPECT_NE(report.summary.find("epoch:       40"), std::string::npos) << report.summary;
  EXPECT_NE(report.json.find("\"extractable\":true"), std::string::npos) << report.json;
  EXPECT_NE(report.advice.find("rvc extract"), std::string::npos) << report.advice;
  EXPECT_EQ(inspect_file(data_path("index/trained_IVF17_Flat_nprobe_1_fixture_v2.index")).kind, FileKind::kTrainedIndex);
  EXPECT_EQ(thrown_error([&] { inspect_file(dir.file("absent.pth")); }).code(), ErrorCode::kFileNotFound);
}

TEST(ModelTools, MergeRefusesATrainingCheckpointAsA) {
  ScratchDir dir;
  test::write_generator_checkpoint(data_path("models/v2_f0_40k.pth"), dir.file("G_1.pth"));
  const Error error = thrown_error(
      [&] { merge_voice_models(dir.file("G_1.pth"), data_path("models/v2_f0_40k.pth"), dir.file("c.pth")); });
  EXPECT_EQ(error.code(), ErrorCode::kWrongModelKind);
  EXPECT_NE(std::string(error.what()).find("swap A and B"), std::string::npos) << error.what();
  EXPECT_EQ(thrown_error([&] {
              merge_voice_models(data_path("models/v2_f0_40k.pth"), data_path("models/v2_f0_40k.pth"),
                                 dir.file("c.pth"), MergeConfig{1.5, "", "", -1, ""});
            }).code(),
            ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace rvc::model
