// Helpers the benchmarks share: a speech-like test signal, the peak resident memory, and writing
// the random full-size models outside the measured process.
#pragma once

#include <torch/torch.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "bench_memory.hpp"

namespace rvc::bench {

/// `seconds` of a voiced, speech-like signal at `sample_rate_hz`: a gliding harmonic tone around
/// 130 Hz with pauses (0.4 s in every 2 s) and a little noise. The same for every call.
inline std::vector<float> speech_like_audio(double seconds, int sample_rate_hz) {
  const auto count = static_cast<std::int64_t>(seconds * sample_rate_hz);
  std::vector<float> samples(static_cast<std::size_t>(count));
  std::mt19937 random(5);
  std::normal_distribution<float> noise(0.0f, 0.01f);
  double phase = 0;
  for (std::int64_t i = 0; i < count; ++i) {
    const double t = static_cast<double>(i) / sample_rate_hz;
    const double f0 = 130 + 30 * std::sin(2 * M_PI * 0.7 * t);
    phase += 2 * M_PI * f0 / sample_rate_hz;
    const bool voiced = std::fmod(t, 2.0) < 1.6;
    double value = 0;
    for (int h = 1; h <= 8; ++h) value += std::sin(h * phase) / h;
    samples[static_cast<std::size_t>(i)] = static_cast<float>((voiced ? 0.2 * value : 0.0)) + noise(random);
  }
  return samples;
}

/// Writes a random full-size model to `file_name` in the temporary folder by calling
/// `write(path)` in a child process, so that building it does not count in this process's peak
/// resident memory; returns the path. Throws if the child fails.
template <typename Write>
std::string write_model_in_child(const std::string& file_name, Write&& write) {
  const std::string path = (std::filesystem::temp_directory_path() / file_name).string();
  const pid_t child = fork();
  if (child == 0) {
    // The parent's OpenMP threads do not exist in the child: a parallel region there would wait
    // for them forever. One thread never opens one.
    torch::set_num_threads(1);
    try {
      write(path);
    } catch (...) {
      _exit(1);
    }
    _exit(0);
  }
  int status = 0;
  if (child < 0 || waitpid(child, &status, 0) != child || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    throw std::runtime_error("writing the benchmark model " + path + " failed");
  }
  return path;
}

}  // namespace rvc::bench
