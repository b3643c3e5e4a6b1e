// The synthesizer at full size: a v2 40k pitch model (RVC's layout, random weights written by
// tests/support) converting 10 s of audio (1000 frames) on the CPU. Counters: seconds of work per
// second of audio (RTF), time per stage, peak resident memory, and bf16 quality against fp32.
#include <benchmark/benchmark.h>
#include <torch/torch.h>

#include <chrono>
#include <cstdlib>
#include <cmath>
#include <random>

#include "bench_util.hpp"
#include "rvc/synth/synthesizer.hpp"
#include "support/random_voice_model.hpp"
#include "synth/time_major_conv.hpp"

namespace {

constexpr int64_t kFrames = 1000;  // 10 s at 100 frames per second

const std::string& model_path() {
  static const std::string path = rvc::bench::write_model_in_child(
      "rvc_bench_v2_40k_random.pth", [](const std::string& file) {
        rvc::test::write_random_voice_model(file, "v2", true, rvc::model::ModelConfig::standard("v2", 40000), 7);
      });
  return path;
}

struct Inputs {
  std::vector<float> features;
  std::vector<int64_t> pitch;
  std::vector<float> pitchf;
};

const Inputs& inputs() {
  static const Inputs in = [] {
    Inputs result;
    std::mt19937 random(3);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    result.features.resize(kFrames * 768);
    for (float& v : result.features) v = normal(random);
    for (int64_t t = 0; t < kFrames; ++t) {
      const bool voiced = (t / 50) % 4 != 3;  // pauses like speech
      const float f0 = voiced ? 140.0f + 40.0f * static_cast<float>(std::sin(t * 0.03)) : 0.0f;
      result.pitchf.push_back(f0);
      const double mel = 1127.0 * std::log(1.0 + f0 / 700.0);
      const double lo = 1127.0 * std::log(1.0 + 50.0 / 700.0), hi = 1127.0 * std::log(1.0 + 1100.0 / 700.0);
      result.pitch.push_back(voiced ? std::clamp<int64_t>(std::lround((mel - lo) * 254 / (hi - lo) + 1), 1, 255) : 1);
    }
    return result;
  }();
  return in;
}

void run(benchmark::State& state, rvc::synth::Precision precision, bool resblock_kernel = true) {
  torch::set_num_threads(2);

  rvc::synth::SynthesizerConfig config;
  config.precision = precision;
  // The kernel choice is made when the model is loaded.
  rvc::synth::TimeMajorConv::set_enabled(resblock_kernel);
  const rvc::synth::Synthesizer synth(model_path(), config);
  rvc::synth::TimeMajorConv::set_enabled(true);
  const Inputs& in = inputs();
  rvc::synth::InferOptions options;
  options.seed = 1;
  if (const char* tile = std::getenv("RVC_BENCH_TILE_FRAMES")) options.vocoder_tile_frames = std::atoi(tile);
  // The first call builds oneDNN's kernels for the tile shapes; it is reported on its own.
  const auto cold_start = std::chrono::steady_clock::now();
  synth.infer(in.features.data(), kFrames, 768, in.pitch.data(), in.pitchf.data(), options);
  state.counters["first_call_s"] =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - cold_start).count();
  double encoder = 0, flow = 0, decoder = 0;
  for (auto _ : state) {
    const rvc::synth::SynthesisResult result =
        synth.infer(in.features.data(), kFrames, 768, in.pitch.data(), in.pitchf.data(), options);
    encoder += result.encoder_ms;
    flow += result.flow_ms;
    decoder += result.decoder_ms;
    benchmark::DoNotOptimize(result.audio.data());
  }
  const double n = static_cast<double>(state.iterations());
  state.counters["encoder_ms"] = encoder / n;
  state.counters["flow_ms"] = flow / n;
  state.counters["decoder_ms"] = decoder / n;
  state.counters["RTF"] = (encoder + flow + decoder) / n / 1000.0 / (kFrames / 100.0);
  state.counters["peak_MB"] = rvc::bench::peak_rss_mb();
}

void BM_SynthesizeTenSecondsFp32(benchmark::State& state) { run(state, rvc::synth::Precision::kFloat32); }
BENCHMARK(BM_SynthesizeTenSecondsFp32)->Unit(benchmark::kSecond)->Iterations(2)->UseRealTime();

// The same with every ResBlock on oneDNN: what the AVX-512 kernel gains on this machine.
void BM_SynthesizeTenSecondsFp32OneDnn(benchmark::State& state) { run(state, rvc::synth::Precision::kFloat32, false); }
BENCHMARK(BM_SynthesizeTenSecondsFp32OneDnn)->Unit(benchmark::kSecond)->Iterations(2)->UseRealTime();

void BM_SynthesizeTenSecondsBf16(benchmark::State& state) { run(state, rvc::synth::Precision::kBFloat16); }
BENCHMARK(BM_SynthesizeTenSecondsBf16)->Unit(benchmark::kSecond)->Iterations(1)->UseRealTime();

// Quality of the opt-in bf16 path: SNR of its output against fp32, same noise.
void BM_Bf16SnrAgainstFp32(benchmark::State& state) {
  const Inputs& in = inputs();
  rvc::synth::InferOptions options;
  options.seed = 1;
  const int64_t frames = 300;
  rvc::synth::SynthesizerConfig fp32, bf16;
  fp32.precision = rvc::synth::Precision::kFloat32;
  bf16.precision = rvc::synth::Precision::kBFloat16;
  const rvc::synth::Synthesizer reference(model_path(), fp32), reduced(model_path(), bf16);
  double snr_db = 0;
  for (auto _ : state) {
    const auto a = reference.infer(in.features.data(), frames, 768, in.pitch.data(), in.pitchf.data(), options).audio;
    const auto b = reduced.infer(in.features.data(), frames, 768, in.pitch.data(), in.pitchf.data(), options).audio;
    double signal = 0, error = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
      signal += double(a[i]) * a[i];
      error += (double(a[i]) - b[i]) * (double(a[i]) - b[i]);
    }
    snr_db = 10 * std::log10(signal / std::max(error, 1e-30));
  }
  state.counters["snr_dB"] = snr_db;
}
BENCHMARK(BM_Bf16SnrAgainstFp32)->Iterations(1)->Unit(benchmark::kSecond);

}  // namespace
