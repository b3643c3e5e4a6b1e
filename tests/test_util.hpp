// Helpers shared by the C++ tests: fixture paths and scratch folders.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
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

inline std::string data_path(const std::string& relative) {
  return std::string(RVC_TEST_DATA_DIR) + "/" + relative;
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
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~ScratchDir() { std::filesystem::remove_all(path_); }
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
