// The whole offline conversion at full size on the CPU (2 threads): v2 40k voice model, HuBERT and
// RMVPE with random weights in RVC's layouts, an index of 10 000 vectors, speech-like input of
// 60 s and of 10 minutes. Each conversion runs in a child process of its own, so its peak
// resident memory (weights included) is its own and the two lengths can be compared.
// Counters: RTF (conversion time / input length), seconds per stage, peak MB.
// RVC_BENCH_DEVICE=cuda runs the networks on a GPU instead (fp16 there, as RVC's is_half).
#include <benchmark/benchmark.h>
#include <torch/torch.h>

#include <cstdlib>
#include <random>

#include "bench_util.hpp"
#include "rvc/index/index_builder.hpp"
#include "rvc/pipeline/engine.hpp"
#include "support/random_voice_model.hpp"

namespace {

constexpr int kRate16k = 16000;

struct Assets {
  std::string model;
  std::string hubert;
  std::string rmvpe;
  std::string index;
};

const Assets& assets() {
  static const Assets paths = [] {
    Assets a;
    a.model = rvc::bench::write_model_in_child("rvc_bench_pipeline_v2_40k.pth", [](const std::string& file) {
      rvc::test::write_random_voice_model(file, "v2", true, rvc::model::ModelConfig::standard("v2", 40000), 3);
    });
    a.hubert = rvc::bench::write_model_in_child("rvc_bench_hubert_base_random.pt", [](const std::string& file) {
      rvc::test::write_random_content_encoder(file, 11);
    });
    a.rmvpe = rvc::bench::write_model_in_child("rvc_bench_rmvpe_random.pt",
                                               [](const std::string& file) { rvc::test::write_random_rmvpe(file, 7); });
    // Built in a child too: the parent must not start OpenMP threads before it forks conversions.
    a.index = rvc::bench::write_model_in_child("rvc_bench_pipeline_index", [](const std::string& folder) {
      rvc::index::FeatureMatrix features;
      features.rows = 10000;
      features.dim = 768;
      features.values.resize(static_cast<std::size_t>(features.rows * features.dim));
      std::mt19937 random(9);
      std::normal_distribution<float> normal;
      for (float& v : features.values) v = normal(random);
      rvc::index::IndexBuildConfig config;
      config.name = "bench";
      rvc::index::build_index(std::move(features), folder, config);
    });
    a.index += "/" + rvc::index::index_file_name("added", rvc::index::ivf_list_count(10000), "bench", "v2");
    return a;
  }();
  return paths;
}

// What a child reports back through a pipe.
struct ChildReport {
  double convert_ms = 0;
  double pitch_ms = 0;
  double features_ms = 0;
  double index_ms = 0;
  double synth_ms = 0;
  double peak_mb = 0;
  double output_seconds = 0;
};

ChildReport convert_in_child(double seconds) {
  const Assets& paths = assets();
  int channel[2];
  if (pipe(channel) != 0) throw std::runtime_error("pipe failed");
  const pid_t child = fork();
  if (child == 0) {
    close(channel[0]);
    ChildReport report;
    try {
      torch::set_num_threads(2);
      rvc::pipeline::EngineConfig config;
      config.model_path = paths.model;
      config.hubert_path = paths.hubert;
      config.rmvpe_path = paths.rmvpe;
      config.index_path = paths.index;
      if (const char* device = std::getenv("RVC_BENCH_DEVICE")) config.device = device;  // e.g. cuda: fp16 there
      const rvc::pipeline::Engine engine(config);
      const std::vector<float> audio = rvc::bench::speech_like_audio(seconds, kRate16k);
      rvc::pipeline::ConvertOptions options;
      options.seed = 1;
      const rvc::pipeline::ConversionResult result =
          engine.convert(audio.data(), static_cast<std::int64_t>(audio.size()), kRate16k, options);
      report = {result.total_ms, result.pitch_ms, result.features_ms, result.index_ms, result.synth_ms,
                rvc::bench::peak_rss_mb(), static_cast<double>(result.audio.size()) / result.sample_rate_hz};
    } catch (...) {
      _exit(1);
    }
    const bool sent = write(channel[1], &report, sizeof(report)) == static_cast<ssize_t>(sizeof(report));
    _exit(sent ? 0 : 1);
  }
  close(channel[1]);
  ChildReport report;
  const bool received = read(channel[0], &report, sizeof(report)) == static_cast<ssize_t>(sizeof(report));
  close(channel[0]);
  int status = 0;
  waitpid(child, &status, 0);
  if (!received || !WIFEXITED(status) || WEXITSTATUS(status) != 0) throw std::runtime_error("conversion failed");
  return report;
}

void run(benchmark::State& state, double seconds) {
  assets();  // written before timing starts
  ChildReport total;
  double peak = 0;
  for (auto _ : state) {
    const ChildReport report = convert_in_child(seconds);
    state.SetIterationTime(report.convert_ms / 1000.0);
    total.convert_ms += report.convert_ms;
    total.pitch_ms += report.pitch_ms;
    total.features_ms += report.features_ms;
    total.index_ms += report.index_ms;
    total.synth_ms += report.synth_ms;
    peak = std::max(peak, report.peak_mb);
  }
  const auto runs = static_cast<double>(state.iterations());
  state.counters["RTF"] = total.convert_ms / runs / 1000.0 / seconds;
  state.counters["pitch_s"] = total.pitch_ms / runs / 1000.0;
  state.counters["features_s"] = total.features_ms / runs / 1000.0;
  state.counters["index_s"] = total.index_ms / runs / 1000.0;
  state.counters["synth_s"] = total.synth_ms / runs / 1000.0;
  state.counters["peak_MB"] = peak;
}

void BM_ConvertOneMinute(benchmark::State& state) { run(state, 60.0); }
BENCHMARK(BM_ConvertOneMinute)->Unit(benchmark::kSecond)->Iterations(2)->UseManualTime();

void BM_ConvertTenMinutes(benchmark::State& state) { run(state, 600.0); }
BENCHMARK(BM_ConvertTenMinutes)->Unit(benchmark::kSecond)->Iterations(1)->UseManualTime();

}  // namespace
