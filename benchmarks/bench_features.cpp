// The content encoder at full size: HuBERT-Base/ContentVec (random weights, fairseq layout written
// by tests/support) on 10 s of 16 kHz audio, and on 40 s (the longest chunk the CPU conversion
// preset hands it, where attention's quadratic cost shows), CPU. Counters: seconds, RTF, frames,
// peak resident memory.
#include <benchmark/benchmark.h>
#include <torch/torch.h>


#include "bench_util.hpp"
#include "rvc/features/content_encoder.hpp"
#include "support/random_voice_model.hpp"

namespace {

const std::string& encoder_path() {
  static const std::string path = rvc::bench::write_model_in_child(
      "rvc_bench_hubert_base_random.pt",
      [](const std::string& file) { rvc::test::write_random_content_encoder(file, 11); });
  return path;
}

void run(benchmark::State& state, const char* version, int64_t seconds = 10) {
  torch::set_num_threads(2);
  const rvc::features::ContentEncoder encoder(encoder_path());
  const int64_t samples = seconds * rvc::features::kContentSampleRateHz;
  const std::vector<float> audio =
      rvc::bench::speech_like_audio(static_cast<double>(seconds), rvc::features::kContentSampleRateHz);
  rvc::features::ExtractOptions options;
  options.version = version;
  encoder.extract(audio.data(), samples, rvc::features::kContentSampleRateHz, options);  // warm-up
  int64_t frames = 0;
  double network_ms = 0;
  for (auto _ : state) {
    const auto result = encoder.extract(audio.data(), samples, rvc::features::kContentSampleRateHz, options);
    frames = result.features.shape()[0];
    network_ms += result.elapsed_ms;
    benchmark::DoNotOptimize(result.features.storage());
  }
  state.counters["frames"] = static_cast<double>(frames);
  state.counters["RTF"] = network_ms / static_cast<double>(state.iterations()) / 1000.0 / static_cast<double>(seconds);
  state.counters["peak_MB"] = rvc::bench::peak_rss_mb();
}

void BM_ContentFeaturesTenSecondsV2(benchmark::State& state) { run(state, "v2"); }
BENCHMARK(BM_ContentFeaturesTenSecondsV2)->Unit(benchmark::kSecond)->Iterations(3)->UseRealTime();

void BM_ContentFeaturesTenSecondsV1(benchmark::State& state) { run(state, "v1"); }
BENCHMARK(BM_ContentFeaturesTenSecondsV1)->Unit(benchmark::kSecond)->Iterations(3)->UseRealTime();

void BM_ContentFeaturesFortySecondsV2(benchmark::State& state) { run(state, "v2", 40); }
BENCHMARK(BM_ContentFeaturesFortySecondsV2)->Unit(benchmark::kSecond)->Iterations(2)->UseRealTime();

}  // namespace
