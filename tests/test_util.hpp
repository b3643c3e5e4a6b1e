// Helpers shared by the C++ tests: fixture paths and scratch folders.
#pragma once

#include <ftw.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "rvc/error.hpp"
#include "rvc/io/checkpoint.hpp"
#include "rvc/io/value.hpp"

namespace rvc::test {

/// The rvc::Error that `action` throws (its message must not be empty); records a failure (and
/// returns a kOk error) if none.
template <typename Action>
Error thrown_error(Action&& action) {
  try {
    action();
  } catch (const Error& e) {
    EXPECT_FALSE(std::string(e.what()).empty()) << "an rvc::Error must say what went wrong";
    return e;
  }
  ADD_FAILURE() << "expected an rvc::Error";
  return Error(ErrorCode::kOk, "");
}

/// Largest |a[i] - b[i]|; a size mismatch fails the test.
template <typename T>
double max_abs_diff(const std::vector<T>& a, const std::vector<T>& b) {
  EXPECT_EQ(a.size(), b.size());
  double worst = 0;
  for (std::size_t i = 0; i < std::min(a.size(), b.size()); ++i) {
    worst = std::max(worst, std::abs(static_cast<double>(a[i]) - static_cast<double>(b[i])));
  }
  return worst;
}

/// The device the network tests run on: the environment variable RVC_TEST_DEVICE ("cuda",
/// "cuda:1"), else "cpu". Those tests ask for fp32, so the fixtures' tolerances hold on either.
inline std::string test_device() {
  const char* device = std::getenv("RVC_TEST_DEVICE");
  return device != nullptr && *device != '\0' ? device : "cpu";
}

inline bool testing_on_cuda() { return test_device().rfind("cuda", 0) == 0; }

inline std::string data_path(const std::string& relative) {
  return std::string(RVC_TEST_DATA_DIR) + "/" + relative;
}

/// Removes `path` and everything below it, if it exists. Through POSIX rather than
/// std::filesystem::remove_all: pip's libtorch.so exports a remove_all of its own that crashes when
/// the dynamic linker binds it (the CUDA test runs link against that LibTorch).
inline void remove_tree(const std::filesystem::path& path) {
  auto remove_entry = [](const char* name, const struct stat*, int, struct FTW*) { return std::remove(name); };
  ::nftw(path.c_str(), remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/// A fresh folder removed at the end of the test. Its name holds spaces, parentheses and CJK
/// characters, so every test that writes files also proves that such paths work.
class ScratchDir {
 public:
  ScratchDir() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string leaf = std::string("rvc test (") + info->test_suite_name() + "." + info->name() +
                       ") 声音 " + std::to_string(::getpid());
    path_ = std::filesystem::temp_directory_path() / leaf;
    remove_tree(path_);
    std::filesystem::create_directories(path_);
  }
  ~ScratchDir() { remove_tree(path_); }
  std::string file(const std::string& name) const { return (path_ / name).string(); }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

/// Writes what RVC's training saves as `G_<step>.pth` (model, iteration, optimizer, learning rate),
/// with an empty model: a training checkpoint where a voice model is expected.
inline void write_training_checkpoint(const std::string& path) {
  io::Value training = io::Value::dict();
  training.set("model", io::Value::dict());
  training.set("iteration", io::Value::integer(2333));
  training.set("optimizer", io::Value::dict());
  training.set("learning_rate", io::Value::floating(1e-4));
  io::save_checkpoint(path, training);
}

/// Writes what RVC's training saves as `G_<iteration>.pth`, made from the weights of the voice model
/// at `voice_model`: every tensor fp32, shifted by `perturbation` times a fixed pattern (so that the
/// values are not fp16-exact when it is not 0), plus a posterior encoder (enc_q) that extraction
/// drops. Returns the voice model's tree.
inline io::Value write_generator_checkpoint(const std::string& voice_model, const std::string& path,
                                           float perturbation = 0.0f, std::int64_t iteration = 12) {
  const io::Value small = io::load_checkpoint(voice_model);
  io::Value state = io::Value::dict();
  const io::ValueList& config = small.at("config").as_list();
  const std::int64_t hidden = small.at("weight").at("enc_p.emb_phone.weight").as_tensor().shape()[0];
  const std::int64_t spec_channels = config[0].as_int();
  state.set("enc_q.pre.weight", io::Value::tensor(io::TensorData::from_floats(
                                    {hidden, spec_channels, 1},
                                    std::vector<float>(static_cast<std::size_t>(hidden * spec_channels), 0.25f))));
  std::uint32_t pattern = 12345;
  for (const auto& [key, value] : small.at("weight").as_dict()) {
    const io::TensorData& tensor = value.as_tensor();
    std::vector<float> values = tensor.to_floats();
    for (float& v : values) {
      pattern = pattern * 1664525u + 1013904223u;
      v += perturbation * (static_cast<float>(pattern >> 8) / 16777216.0f - 0.5f);
    }
    state.set(key.as_string(), io::Value::tensor(io::TensorData::from_floats(tensor.shape(), values)));
  }
  io::Value training = io::Value::dict();
  training.set("model", state);
  training.set("iteration", io::Value::integer(iteration));
  training.set("optimizer", io::Value::dict());
  training.set("learning_rate", io::Value::floating(1e-4));
  io::save_checkpoint(path, training);
  return small;
}

/// Writes `folder`/config.json in the layout of RVC's config templates, with the sizes of the
/// voice model tree `small` (its `config` list).
inline void write_experiment_config(const std::string& folder, const io::Value& small) {
  const io::ValueList& c = small.at("config").as_list();
  auto ints = [](const io::Value& list) {
    std::string out = "[";
    for (const io::Value& item : list.as_list()) {
      out += (out.size() > 1 ? ", " : "") +
             (item.is_sequence() ? std::string("[...]") : std::to_string(item.as_int()));
    }
    return out + "]";
  };
  std::string dilations = "[";
  for (const io::Value& row : c[11].as_list()) dilations += (dilations.size() > 1 ? ", " : "") + ints(row);
  dilations += "]";
  const std::int64_t rate = c[17].as_int();
  const std::string json =
      "{\"data\": {\"filter_length\": " + std::to_string((c[0].as_int() - 1) * 2) + ", \"sampling_rate\": " +
      std::to_string(rate) + ", \"hop_length\": " + std::to_string(rate / 100) + "}, \"model\": {" +
      "\"inter_channels\": " + std::to_string(c[2].as_int()) + ", \"hidden_channels\": " + std::to_string(c[3].as_int()) +
      ", \"filter_channels\": " + std::to_string(c[4].as_int()) + ", \"n_heads\": " + std::to_string(c[5].as_int()) +
      ", \"n_layers\": " + std::to_string(c[6].as_int()) + ", \"kernel_size\": " + std::to_string(c[7].as_int()) +
      ", \"p_dropout\": 0, \"resblock\": \"" + c[9].as_string() + "\", \"resblock_kernel_sizes\": " + ints(c[10]) +
      ", \"resblock_dilation_sizes\": " + dilations + ", \"upsample_rates\": " + ints(c[12]) +
      ", \"upsample_initial_channel\": " + std::to_string(c[13].as_int()) + ", \"upsample_kernel_sizes\": " +
      ints(c[14]) + ", \"use_spectral_norm\": false, \"gin_channels\": " + std::to_string(c[16].as_int()) +
      ", \"spk_embed_dim\": " + std::to_string(c[15].as_int()) + "}}\n";
  std::FILE* file = std::fopen((folder + "/config.json").c_str(), "wb");
  ASSERT_NE(file, nullptr);
  std::fwrite(json.data(), 1, json.size(), file);
  std::fclose(file);
}

/// Runs a command through the shell and returns its exit status.
inline int run_command(const std::string& command) {
  const int status = std::system(command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

inline std::string shell_quote(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') out += "'\\''";
    else out += c;
  }
  return out + "'";
}

}  // namespace rvc::test
