// The content encoder at full size: HuBERT-Base/ContentVec (random weights, fairseq layout written
// by tests/support) on 10 s of 16 kHz audio, CPU. Counters: seconds, RTF, frames, peak resident
// memory.
#include <benchmark/benchmark.h>
#include <sys/resource.h>
#include <torch/torch.h>

#include <cmath>
#include <filesystem>
#include <random>

#include "rvc/features/content_encoder.hpp"
#include "support/random_voice_model.hpp"

namespace {

constexpr int64_t kSamples = 10 * rvc::features::kContentSampleRateHz;

const std::string& encoder_path() {
  static const std::string path = [] {
    const std::string file = (std::filesystem::temp_directory_path() / "rvc_bench_hubert_base_random.pt").string();
    rvc::test::write_random_content_encoder(file, 11);
    return file;
  }();
  return path;
}

// A voiced, speech-like test signal: a gliding harmonic tone with pauses and a little noise.
std::vector<float> test_audio() {
  std::vector<float> samples(kSamples);
  std::mt19937 random(5);
  std::normal_distribution<float> noise(0.0f, 0.01f);
  double phase = 0;
  for (int64_t i = 0; i < kSamples; ++i) {
    const double t = static_cast<double>(i) / rvc::features::kContentSampleRateHz;
    const double f0 = 130 + 30 * std::sin(2 * M_PI * 0.7 * t);
    phase += 2 * M_PI * f0 / rvc::features::kContentSampleRateHz;
    const bool voiced = std::fmod(t, 2.0) < 1.6;
    double value = 0;
    for (int h = 1; h <= 8; ++h) value += std::sin(h * phase) / h;
    samples[i] = static_cast<float>((voiced ? 0.2 * value : 0.0)) + noise(random);
  }
  return samples;
}

double peak_rss_mb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss / 1024.0;
}

void run(benchmark::State& state, const char* version) {
  torch::set_num_threads(2);
  const rvc::features::ContentEncoder encoder(encoder_path());
  const std::vector<float> audio = test_audio();
  rvc::features::ExtractOptions options;
  options.version = version;
  encoder.extract(audio.data(), kSamples, rvc::features::kContentSampleRateHz, options);  // warm-up
  int64_t frames = 0;
  double network_ms = 0;
  for (auto _ : state) {
    const auto result = encoder.extract(audio.data(), kSamples, rvc::features::kContentSampleRateHz, options);
    frames = result.features.shape()[0];
    network_ms += result.elapsed_ms;
    benchmark::DoNotOptimize(result.features.storage());
  }
  state.counters["frames"] = static_cast<double>(frames);
  state.counters["RTF"] = network_ms / static_cast<double>(state.iterations()) / 1000.0 / 10.0;
  state.counters["peak_MB"] = peak_rss_mb();
}

void BM_ContentFeaturesTenSecondsV2(benchmark::State& state) { run(state, "v2"); }
BENCHMARK(BM_ContentFeaturesTenSecondsV2)->Unit(benchmark::kSecond)->Iterations(3)->UseRealTime();

void BM_ContentFeaturesTenSecondsV1(benchmark::State& state) { run(state, "v1"); }
BENCHMARK(BM_ContentFeaturesTenSecondsV1)->Unit(benchmark::kSecond)->Iterations(3)->UseRealTime();

}  // namespace
