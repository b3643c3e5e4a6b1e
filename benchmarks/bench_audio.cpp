// Audio decode and resampling speed, as real-time factors (seconds of work per second of audio).
#include <benchmark/benchmark.h>

#include <cmath>
#include <filesystem>

#include "rvc/audio/audio_file.hpp"
#include "rvc/audio/resample.hpp"

namespace {

std::vector<float> test_signal(int rate, double seconds) {
  std::vector<float> x(static_cast<std::size_t>(rate * seconds));
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = 0.3f * static_cast<float>(std::sin(0.05 * i) + std::sin(0.0031 * i));
  return x;
}

void BM_Resample(benchmark::State& state) {
  const int in_rate = static_cast<int>(state.range(0));
  const int out_rate = static_cast<int>(state.range(1));
  const double seconds = 60.0;
  const std::vector<float> input = test_signal(in_rate, seconds);
  for (auto _ : state) benchmark::DoNotOptimize(rvc::audio::resample(input.data(), input.size(), in_rate, out_rate));
  state.counters["RTF"] = benchmark::Counter(seconds, benchmark::Counter::kIsIterationInvariantRate |
                                                          benchmark::Counter::kInvert);
}
BENCHMARK(BM_Resample)->Args({44100, 16000})->Args({48000, 16000})->Args({16000, 40000})->Unit(benchmark::kMillisecond);

void BM_ReadWav(benchmark::State& state) {
  const double seconds = 60.0;
  const std::vector<float> signal = test_signal(44100, seconds);
  const std::string path = (std::filesystem::temp_directory_path() / "rvc_bench_read.wav").string();
  rvc::audio::write_audio(path, signal.data(), signal.size(), 44100);
  rvc::audio::AudioReadConfig config;
  config.sample_rate_hz = static_cast<int>(state.range(0));
  for (auto _ : state) benchmark::DoNotOptimize(rvc::audio::read_audio(path, config));
  state.counters["RTF"] = benchmark::Counter(seconds, benchmark::Counter::kIsIterationInvariantRate |
                                                          benchmark::Counter::kInvert);
  std::filesystem::remove(path);
}
BENCHMARK(BM_ReadWav)->Arg(0)->Arg(16000)->Unit(benchmark::kMillisecond);

}  // namespace
