#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "rvc/error.hpp"
#include "rvc/io/checkpoint.hpp"
#include "test_util.hpp"

namespace rvc::io {
namespace {

using test::data_path;
using test::ScratchDir;

ErrorCode load_error(const std::string& path) {
  try {
    load_checkpoint(path);
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << "message must name the file: " << e.what();
    return e.code();
  }
  return ErrorCode::kOk;
}

std::vector<char> read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<char>(std::istreambuf_iterator<char>(in), {});
}

void write_bytes(const std::string& path, const char* data, std::size_t size) {
  std::ofstream out(path, std::ios::binary);
  out.write(data, static_cast<std::streamsize>(size));
}

TEST(Checkpoint, ReadsAVoiceModelWithHalfWeights) {
  const Value root = load_checkpoint(data_path("models/v2_f0_40k.pth"));
  ASSERT_TRUE(root.is_dict());
  EXPECT_EQ(root.at("version").as_string(), "v2");
  EXPECT_EQ(root.at("sr").as_string(), "40k");
  EXPECT_EQ(root.at("f0").as_int(), 1);
  EXPECT_EQ(root.at("info").as_string(), "7epoch");
  EXPECT_EQ(root.at("config").as_list().size(), 18u);
  const Value& weight = root.at("weight");
  EXPECT_GT(weight.as_dict().size(), 100u);
  const TensorData& embedding = weight.at("emb_g.weight").as_tensor();
  EXPECT_EQ(embedding.dtype(), DType::kFloat16);
  EXPECT_EQ(embedding.shape(), (std::vector<std::int64_t>{3, 16}));
  for (const auto& [key, value] : weight.as_dict()) {
    EXPECT_EQ(key.as_string().find("enc_q"), std::string::npos);
    EXPECT_EQ(value.as_tensor().dtype(), DType::kFloat16) << key.as_string();
  }
}

TEST(Checkpoint, ReadsAFairseqCheckpointWithOpaqueObjects) {
  const Value root = load_checkpoint(data_path("models/hubert_base.pt"));
  EXPECT_TRUE(root.at("args").is_none());
  EXPECT_EQ(root.at("cfg").at("model").at("encoder_layers").as_int(), 12);
  EXPECT_EQ(root.at("model").at("label_embs_concat").as_tensor().shape(),
            (std::vector<std::int64_t>{504, 256}));
  // task_state holds a pickled fairseq Dictionary: kept as data, never executed.
  bool found_dictionary = false;
  std::function<void(const Value&)> visit = [&](const Value& v) {
    if (v.kind() == Value::Kind::kObject && v.as_object().qualified_name() == "fairseq.data.dictionary.Dictionary") {
      found_dictionary = v.as_object().is_instance && v.as_object().state != nullptr;
    } else if (v.is_dict()) {
      for (const auto& [k, item] : v.as_dict()) visit(item);
    } else if (v.is_sequence()) {
      for (const auto& item : v.as_list()) visit(item);
    }
  };
  visit(root.at("task_state"));
  EXPECT_TRUE(found_dictionary);
}

TEST(Checkpoint, ReadsAPlainStateDict) {
  const Value root = load_checkpoint(data_path("models/rmvpe.pt"));
  const Value* tracked = nullptr;
  for (const auto& [key, value] : root.as_dict()) {
    if (key.as_string().find("num_batches_tracked") != std::string::npos) tracked = &value;
  }
  ASSERT_NE(tracked, nullptr);
  EXPECT_EQ(tracked->as_tensor().dtype(), DType::kInt64);
  EXPECT_EQ(tracked->as_tensor().shape().size(), 0u);
}

TEST(Checkpoint, SaveThenLoadKeepsEveryValue) {
  ScratchDir dir;
  std::vector<float> values{1.5f, -2.0f, 3.25f, 0.0f, 1e-3f, 7.0f};
  const TensorData matrix = TensorData::from_floats({2, 3}, values);
  const TensorData transposed(DType::kFloat32, {3, 2}, {1, 3}, 0, matrix.storage());
  Value root = Value::dict();
  root.set("matrix", Value::tensor(matrix));
  root.set("transposed", Value::tensor(transposed));
  root.set("nested", Value::list({Value::integer(-5), Value::integer(1LL << 40), Value::floating(0.1),
                                  Value::boolean(true), Value::none(), Value::string("声音 (v2)"),
                                  Value::bytes(std::string("\x00\xff\x80", 3)),
                                  Value::tuple({Value::integer(1), Value::integer(300), Value::integer(70000)})}));
  const std::string path = dir.file("model (copy).pth");
  save_checkpoint(path, root);

  const Value loaded = load_checkpoint(path);
  EXPECT_EQ(loaded.at("matrix").as_tensor().to_floats(), values);
  EXPECT_EQ(loaded.at("transposed").as_tensor().shape(), (std::vector<std::int64_t>{3, 2}));
  EXPECT_EQ(loaded.at("transposed").as_tensor().to_floats(), transposed.to_floats());
  const ValueList& nested = loaded.at("nested").as_list();
  ASSERT_EQ(nested.size(), 8u);
  EXPECT_EQ(nested[0].as_int(), -5);
  EXPECT_EQ(nested[1].as_int(), 1LL << 40);
  EXPECT_DOUBLE_EQ(nested[2].as_float(), 0.1);
  EXPECT_EQ(nested[3].kind(), Value::Kind::kBool);
  EXPECT_TRUE(nested[4].is_none());
  EXPECT_EQ(nested[5].as_string(), "声音 (v2)");
  EXPECT_EQ(nested[6].kind(), Value::Kind::kBytes);
  EXPECT_EQ(nested[6].as_string(), std::string("\x00\xff\x80", 3));
  EXPECT_EQ(nested[7].kind(), Value::Kind::kTuple);
  EXPECT_EQ(nested[7].as_list()[2].as_int(), 70000);
  // Nothing but the file itself is left in the folder (the temporary name was renamed).
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path()), {}), 1);
}

TEST(Checkpoint, MissingEmptyAndForeignFilesGiveClearErrors) {
  ScratchDir dir;
  EXPECT_EQ(load_error(dir.file("does not exist.pth")), ErrorCode::kFileNotFound);
  const std::string empty = dir.file("empty.pth");
  write_bytes(empty, "", 0);
  EXPECT_EQ(load_error(empty), ErrorCode::kCorruptFile);
  const std::string text = dir.file("notes.pth");
  write_bytes(text, "hello world, not a model", 24);
  EXPECT_EQ(load_error(text), ErrorCode::kCorruptFile);
  const std::string legacy = dir.file("legacy.pth");
  write_bytes(legacy, "\x80\x02\x8a\x0a\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19.", 15);
  EXPECT_EQ(load_error(legacy), ErrorCode::kUnsupported);
}

TEST(Checkpoint, EveryTruncationIsAnErrorNeverACrash) {
  ScratchDir dir;
  const std::vector<char> bytes = read_bytes(data_path("models/v1_nof0_48k.pth"));
  const std::string path = dir.file("cut.pth");
  for (std::size_t length : {std::size_t{1}, std::size_t{30}, std::size_t{100}, bytes.size() / 3,
                             bytes.size() / 2, bytes.size() - 100, bytes.size() - 22, bytes.size() - 1}) {
    write_bytes(path, bytes.data(), length);
    EXPECT_EQ(load_error(path), ErrorCode::kCorruptFile) << "length " << length;
  }
}

TEST(Checkpoint, FlippedBytesAreCaughtByTheChecksumOrTheParser) {
  ScratchDir dir;
  std::vector<char> bytes = read_bytes(data_path("models/v2_nof0_40k.pth"));
  const std::string path = dir.file("flipped.pth");
  std::uint32_t state = 12345;
  int errors = 0;
  for (int trial = 0; trial < 200; ++trial) {
    std::vector<char> damaged = bytes;
    state = state * 1664525u + 1013904223u;
    const std::size_t at = state % damaged.size();
    damaged[at] = static_cast<char>(damaged[at] ^ (1 + (state >> 24) % 255));
    write_bytes(path, damaged.data(), damaged.size());
    try {
      load_checkpoint(path);
    } catch (const Error&) {
      ++errors;  // any rvc::Error is fine; a crash or another exception is not
    }
  }
  EXPECT_GT(errors, 150);  // bytes in padding or unused headers may flip harmlessly
}

}  // namespace
}  // namespace rvc::io
