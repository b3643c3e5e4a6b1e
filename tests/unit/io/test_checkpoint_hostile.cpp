// Hand-made pickles that a damaged or malicious file could hold: each must give rvc::Error with
// the file's name, never a crash, a hang, or code execution.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "io/file_util.hpp"
#include "io/zip_archive.hpp"
#include "rvc/error.hpp"
#include "rvc/io/checkpoint.hpp"
#include "test_util.hpp"

namespace rvc::io {
namespace {

using test::ScratchDir;
using namespace std::string_literals;

class HostileCheckpoint : public ::testing::Test {
 protected:
  // Wraps `pickle` (and optional storages) in a torch.save-style zip.
  std::string write(const std::string& pickle, const std::vector<std::pair<std::string, std::string>>& storages = {}) {
    const std::string path = dir_.file("hostile.pth");
    write_stream_atomically(path, [&](const ByteSink& sink) {
      ZipWriter zip(sink);
      zip.add("archive/data.pkl", pickle.data(), pickle.size());
      for (const auto& [key, bytes] : storages) zip.add("archive/data/" + key, bytes.data(), bytes.size());
      zip.add("archive/version", "3\n", 2);
      zip.finish();
    });
    return path;
  }

  ErrorCode error_of(const std::string& pickle,
                     const std::vector<std::pair<std::string, std::string>>& storages = {}) {
    const std::string path = write(pickle, storages);
    try {
      load_checkpoint(path);
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
      return e.code();
    }
    return ErrorCode::kOk;
  }

  ScratchDir dir_;
};

const std::string kProto = std::string("\x80\x02", 2);

TEST_F(HostileCheckpoint, DeepNestingIsRejectedWithoutStackOverflow) {
  // 200000 nested lists built with the memo: constant stack for the parser, huge depth.
  std::string pickle = kProto + "]q\x00" "0"s;
  for (int i = 0; i < 200000; ++i) pickle += "]h\x00" "aq\x00" "0"s;
  pickle += "h\x00."s;
  EXPECT_EQ(error_of(pickle), ErrorCode::kCorruptFile);
  std::string marks = kProto + std::string(100000, '(') + std::string(100000, 'l') + ".";
  EXPECT_EQ(error_of(marks), ErrorCode::kCorruptFile);
}

TEST_F(HostileCheckpoint, ExponentialSharingIsBounded) {
  // Each level is a pair of the previous one: 2^60 leaves if expanded.
  std::string pickle = kProto + "K\x01q\x00" "0"s;
  for (int i = 0; i < 60; ++i) pickle += "h\x00h\x00\x86q\x00" "0"s;
  pickle += "h\x00."s;
  EXPECT_EQ(error_of(pickle), ErrorCode::kCorruptFile);
}

TEST_F(HostileCheckpoint, SelfReferenceIsRejected) {
  EXPECT_EQ(error_of(kProto + "]q\x00h\x00" "a."s), ErrorCode::kCorruptFile);
}

TEST_F(HostileCheckpoint, CallsAreNeverExecuted) {
  const std::string marker = dir_.file("pwned");
  const std::string command = "touch '" + marker + "'";
  std::string pickle = kProto + "cos\nsystem\nX" + std::string(1, static_cast<char>(command.size())) +
                       std::string(3, '\0') + command + "\x85R.";
  const std::string path = write(pickle);
  const Value root = load_checkpoint(path);
  ASSERT_EQ(root.kind(), Value::Kind::kObject);
  EXPECT_EQ(root.as_object().qualified_name(), "os.system");
  EXPECT_EQ(root.as_object().args->as_list()[0].as_string(), command);
  EXPECT_FALSE(std::filesystem::exists(marker));
}

TEST_F(HostileCheckpoint, MalformedStreamsAreCorrupt) {
  EXPECT_EQ(error_of(kProto + "h\x07."), ErrorCode::kCorruptFile);        // unknown memo key
  EXPECT_EQ(error_of(kProto + "a."), ErrorCode::kCorruptFile);            // stack underflow
  EXPECT_EQ(error_of(kProto + "X\xff\xff\xff\x7f" "abc."), ErrorCode::kCorruptFile);  // long string
  EXPECT_EQ(error_of(kProto + "N"), ErrorCode::kCorruptFile);             // no STOP
  EXPECT_EQ(error_of(kProto + "\xfe."), ErrorCode::kCorruptFile);         // unknown opcode
  EXPECT_EQ(error_of(kProto + "NN."), ErrorCode::kCorruptFile);           // two values left
  EXPECT_EQ(error_of(std::string("\x80\x09N.", 4)), ErrorCode::kCorruptFile);  // protocol 9
}

TEST_F(HostileCheckpoint, TensorsMustStayInsideTheirStorage) {
  // _rebuild_tensor_v2(storage(4 floats), offset 2, size (3,), stride (1,), False, OrderedDict())
  auto tensor_pickle = [](int offset, int size, int stride) {
    std::string p = kProto + "ctorch._utils\n_rebuild_tensor_v2\n((X\x07\0\0\0storage"s +
                    "ctorch\nFloatStorage\nX\x01\0\0\0" "0X\x03\0\0\0cpuK\x04tQ"s;
    p += "K" + std::string(1, static_cast<char>(offset));
    p += "K" + std::string(1, static_cast<char>(size)) + "\x85";
    p += "K" + std::string(1, static_cast<char>(stride)) + "\x85";
    p += "\x89" "ccollections\nOrderedDict\n)RtR.";
    return p;
  };
  const std::vector<std::pair<std::string, std::string>> storage{{"0", std::string(16, '\0')}};
  const std::string inside = write(tensor_pickle(1, 3, 1), storage);
  EXPECT_EQ(load_checkpoint(inside).as_tensor().numel(), 3);
  EXPECT_EQ(error_of(tensor_pickle(2, 3, 1), storage), ErrorCode::kCorruptFile);
  EXPECT_EQ(error_of(tensor_pickle(0, 3, 2), storage), ErrorCode::kCorruptFile);
  const std::vector<std::pair<std::string, std::string>> short_storage{{"0", std::string(8, '\0')}};
  EXPECT_EQ(error_of(tensor_pickle(0, 2, 1), short_storage), ErrorCode::kCorruptFile);
  EXPECT_EQ(error_of(tensor_pickle(0, 2, 1)), ErrorCode::kCorruptFile);  // storage entry missing
}

TEST_F(HostileCheckpoint, MutatedPicklesWithValidChecksumsNeverCrash) {
  // Checksums stop random damage before the parser sees it; here the damage gets past them.
  const std::shared_ptr<const Storage> file = map_file(test::data_path("models/v2_f0_40k.pth"));
  ZipReader original(file, "v2_f0_40k.pth");
  const std::shared_ptr<const Storage> pickle_bytes = original.read("v2_f0_40k/data.pkl");
  std::vector<std::pair<std::string, std::string>> storages;
  for (const std::string& name : original.names()) {
    const std::string prefix = "v2_f0_40k/data/";
    if (name.rfind(prefix, 0) != 0) continue;
    const std::shared_ptr<const Storage> bytes = original.read(name);
    storages.emplace_back(name.substr(prefix.size()),
                          std::string(reinterpret_cast<const char*>(bytes->data), bytes->nbytes));
  }
  const std::string clean(reinterpret_cast<const char*>(pickle_bytes->data), pickle_bytes->nbytes);
  EXPECT_EQ(error_of(clean, storages), ErrorCode::kOk);
  std::uint32_t state = 2024;
  int rejected = 0;
  for (int trial = 0; trial < 300; ++trial) {
    std::string damaged = clean;
    for (int flips = 0; flips < 1 + trial % 4; ++flips) {
      state = state * 1664525u + 1013904223u;
      damaged[state % damaged.size()] = static_cast<char>(state >> 24);
    }
    if (trial % 7 == 0) damaged.resize(state % damaged.size());
    if (error_of(damaged, storages) != ErrorCode::kOk) ++rejected;
  }
  EXPECT_GT(rejected, 100);
}

}  // namespace
}  // namespace rvc::io
