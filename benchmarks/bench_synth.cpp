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

// How the ResBlocks run: the time-major kernel in Winograd tiles (the default), the same kernel
// direct, or oneDNN.
enum class ResBlocks { kWinograd, kDirect, kOneDnn };

// The kernel choice is made when the model is loaded.
rvc::synth::Synthesizer load(rvc::synth::Precision precision, ResBlocks resblocks) {
  using rvc::synth::ConvAlgorithm;
  using rvc::synth::TimeMajorConv;
  rvc::synth::SynthesizerConfig config;
  config.precision = precision;
  TimeMajorConv::set_enabled(resblocks != ResBlocks::kOneDnn);
  TimeMajorConv::set_preferred_algorithm(resblocks == ResBlocks::kDirect ? ConvAlgorithm::kDirect
                                                                         : ConvAlgorithm::kWinograd);
  rvc::synth::Synthesizer synth(model_path(), config);
  TimeMajorConv::set_enabled(true);
  TimeMajorConv::set_preferred_algorithm(ConvAlgorithm::kWinograd);
  return synth;
}

void run(benchmark::State& state, rvc::synth::Precision precision, ResBlocks resblocks = ResBlocks::kWinograd) {
  torch::set_num_threads(2);
  const rvc::synth::Synthesizer synth = load(precision, resblocks);
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

// The same with the ResBlock kernel direct, and with every ResBlock on oneDNN: what Winograd
// tiles and the kernel gain on this machine.
void BM_SynthesizeTenSecondsFp32Direct(benchmark::State& state) {
  run(state, rvc::synth::Precision::kFloat32, ResBlocks::kDirect);
}
BENCHMARK(BM_SynthesizeTenSecondsFp32Direct)->Unit(benchmark::kSecond)->Iterations(2)->UseRealTime();

void BM_SynthesizeTenSecondsFp32OneDnn(benchmark::State& state) {
  run(state, rvc::synth::Precision::kFloat32, ResBlocks::kOneDnn);
}
BENCHMARK(BM_SynthesizeTenSecondsFp32OneDnn)->Unit(benchmark::kSecond)->Iterations(2)->UseRealTime();

void BM_SynthesizeTenSecondsBf16(benchmark::State& state) { run(state, rvc::synth::Precision::kBFloat16); }
BENCHMARK(BM_SynthesizeTenSecondsBf16)->Unit(benchmark::kSecond)->Iterations(1)->UseRealTime();

// SNR and largest difference of `candidate`'s output against `reference`'s, same noise, 3 s.
void compare(benchmark::State& state, const rvc::synth::Synthesizer& reference,
             const rvc::synth::Synthesizer& candidate) {
  const Inputs& in = inputs();
  rvc::synth::InferOptions options;
  options.seed = 1;
  const int64_t frames = 300;
  double snr_db = 0, largest = 0;
  for (auto _ : state) {
    const auto a = reference.infer(in.features.data(), frames, 768, in.pitch.data(), in.pitchf.data(), options).audio;
    const auto b = candidate.infer(in.features.data(), frames, 768, in.pitch.data(), in.pitchf.data(), options).audio;
    double signal = 0, error = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
      signal += double(a[i]) * a[i];
      error += (double(a[i]) - b[i]) * (double(a[i]) - b[i]);
      largest = std::max(largest, std::abs(double(a[i]) - b[i]));
    }
    snr_db = 10 * std::log10(signal / std::max(error, 1e-30));
  }
  state.counters["snr_dB"] = snr_db;
  state.counters["max_abs_diff"] = largest;
}

// Quality of the opt-in bf16 path against fp32.
void BM_Bf16SnrAgainstFp32(benchmark::State& state) {
  compare(state, load(rvc::synth::Precision::kFloat32, ResBlocks::kWinograd),
          load(rvc::synth::Precision::kBFloat16, ResBlocks::kWinograd));
}
BENCHMARK(BM_Bf16SnrAgainstFp32)->Iterations(1)->Unit(benchmark::kSecond);

// What Winograd's rounding costs against the direct kernel, both fp32.
void BM_WinogradSnrAgainstDirect(benchmark::State& state) {
  compare(state, load(rvc::synth::Precision::kFloat32, ResBlocks::kDirect),
          load(rvc::synth::Precision::kFloat32, ResBlocks::kWinograd));
}
BENCHMARK(BM_WinogradSnrAgainstDirect)->Iterations(1)->Unit(benchmark::kSecond);

// One vocoder stage's ResBlocks (kernels 3/7/11, dilations 1/3/5) on one 128-frame tile of a 40k
// model, the way each synthesis thread runs them: stage widths 256/128/64/32 at 1280/12800/25600/
// 51200 rows. Counter: GFLOP/s of the direct convolutions' arithmetic, so the two algorithms
// compare on time.
void BM_ResBlockStage(benchmark::State& state) {
  using rvc::synth::ConvAlgorithm;
  using rvc::synth::TimeMajorConv;
  using rvc::synth::TimeMajorResBlocks;
  const int64_t channels = state.range(0), rows = channels == 256 ? 1280 : 12800 * 128 / channels;
  const auto algorithm = state.range(1) != 0 ? ConvAlgorithm::kWinograd : ConvAlgorithm::kDirect;
  if (!TimeMajorConv::supported(channels, channels)) {
    state.SkipWithError("this CPU has no AVX-512");
    return;
  }
  std::mt19937 random(5);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<TimeMajorResBlocks::Block> blocks;
  int64_t taps = 0;
  for (int64_t kernel : {3, 7, 11}) {
    std::vector<float> weight(static_cast<std::size_t>(channels * channels * kernel)), bias(channels);
    TimeMajorResBlocks::Block block;
    for (int64_t dilation : {1, 3, 5}) {
      for (auto* convs : {&block.convs1, &block.convs2}) {
        for (float& v : weight) v = normal(random) * 0.05f;
        convs->emplace_back(weight.data(), bias.data(), channels, channels, kernel,
                            convs == &block.convs1 ? dilation : 1, algorithm);
        taps += kernel;
      }
    }
    blocks.push_back(std::move(block));
  }
  const TimeMajorResBlocks stage(std::move(blocks), channels);
  std::vector<float> x(static_cast<std::size_t>(rows * channels));
  for (float& v : x) v = normal(random);
  std::vector<float> average(static_cast<std::size_t>(TimeMajorResBlocks::output_rows(rows) * channels));
  for (auto _ : state) {
    stage.run(x.data(), rows, 0, rows, average.data());
    benchmark::DoNotOptimize(average.data());
  }
  state.counters["rows"] = static_cast<double>(rows);
  state.counters["GFLOPs"] = benchmark::Counter(2.0 * channels * channels * taps * rows * 1e-9 *
                                                    static_cast<double>(state.iterations()),
                                                benchmark::Counter::kIsRate);
}
BENCHMARK(BM_ResBlockStage)
    ->ArgsProduct({{256, 128, 64, 32}, {0, 1}})
    ->ArgNames({"channels", "winograd"})
    ->Unit(benchmark::kMillisecond);

}  // namespace
