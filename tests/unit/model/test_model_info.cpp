#include <gtest/gtest.h>

#include "rvc/error.hpp"
#include "rvc/io/checkpoint.hpp"
#include "rvc/model/model_info.hpp"
#include "test_util.hpp"

namespace rvc::model {
namespace {

using test::data_path;
using test::ScratchDir;

struct Expected {
  const char* file;
  const char* version;
  bool has_pitch;
  int rate;
  std::vector<int> upsample_rates;
};

TEST(ModelInfo, ReadsEveryFixtureModel) {
  const std::vector<Expected> models{
      {"v2_f0_40k.pth", "v2", true, 40000, {10, 10, 2, 2}},
      {"v2_f0_48k.pth", "v2", true, 48000, {12, 10, 2, 2}},
      {"v2_f0_32k.pth", "v2", true, 32000, {10, 8, 2, 2}},
      {"v1_f0_40k.pth", "v1", true, 40000, {10, 10, 2, 2}},
      {"v2_nof0_40k.pth", "v2", false, 40000, {10, 10, 2, 2}},
      {"v1_nof0_48k.pth", "v1", false, 48000, {10, 6, 2, 2, 2}},
  };
  for (const Expected& e : models) {
    const ModelInfo info = read_model_info(data_path(std::string("models/") + e.file));
    EXPECT_EQ(info.version, e.version) << e.file;
    EXPECT_EQ(info.has_pitch, e.has_pitch) << e.file;
    EXPECT_EQ(info.config.sample_rate_hz, e.rate) << e.file;
    EXPECT_EQ(info.config.upsample_rates, e.upsample_rates) << e.file;
    EXPECT_EQ(info.config.hop_samples() * 100, e.rate) << e.file;
    EXPECT_EQ(info.config.inter_channels, 32) << e.file;
    EXPECT_EQ(info.config.spk_embed_dim, 3) << e.file;  // from emb_g.weight, as RVC's loader does
    EXPECT_EQ(info.info, "7epoch") << e.file;
    EXPECT_EQ(info.feature_dim(), std::string(e.version) == "v1" ? 256 : 768);
    EXPECT_NE(info.to_json().find("\"upsample_rates\""), std::string::npos);
  }
}

TEST(ModelInfo, ConfigListRoundTrips) {
  const io::Value root = io::load_checkpoint(data_path("models/v1_nof0_48k.pth"));
  const ModelConfig config = ModelConfig::from_list(root.at("config"), "v1_nof0_48k.pth");
  const ModelConfig again = ModelConfig::from_list(config.to_list(), "copy");
  EXPECT_EQ(again.to_json(), config.to_json());
}

ErrorCode info_error(const std::string& path, std::string* message = nullptr) {
  try {
    read_model_info(path);
  } catch (const Error& e) {
    if (message) *message = e.what();
    return e.code();
  }
  return ErrorCode::kOk;
}

TEST(ModelInfo, OtherKindsOfCheckpointAreNamed) {
  std::string message;
  EXPECT_EQ(info_error(data_path("models/rmvpe.pt"), &message), ErrorCode::kWrongModelKind);
  EXPECT_NE(message.find("RMVPE"), std::string::npos) << message;
  EXPECT_EQ(info_error(data_path("models/hubert_base.pt"), &message), ErrorCode::kWrongModelKind);
  EXPECT_NE(message.find("content encoder"), std::string::npos) << message;

  ScratchDir dir;
  const std::string path = dir.file("G_2333.pth");
  test::write_training_checkpoint(path);
  EXPECT_EQ(info_error(path, &message), ErrorCode::kWrongModelKind);
  EXPECT_NE(message.find("training checkpoint"), std::string::npos) << message;
  EXPECT_NE(message.find(path), std::string::npos) << message;
}

TEST(ModelInfo, DamagedConfigIsCorrupt) {
  ScratchDir dir;
  io::Value root = io::load_checkpoint(data_path("models/v2_f0_40k.pth"));
  io::Value config = root.at("config");
  config.as_list_mut().pop_back();
  io::Value broken = io::Value::dict();
  broken.set("weight", root.at("weight"));
  broken.set("config", config);
  const std::string path = dir.file("broken.pth");
  io::save_checkpoint(path, broken);
  EXPECT_EQ(info_error(path), ErrorCode::kCorruptFile);
}

}  // namespace
}  // namespace rvc::model
