// The f0 estimators on 16 kHz audio, CPU, 2 threads: the networks at full size on 10 s (RMVPE's
// E2E(4, 1, (2,2)) and FCPE's conv-only CFNaiveMelPE (hidden 512, 6 layers), with random weights
// written by tests/support, as no real weights exist here), and pm, harvest and dio on a minute of
// recorded speech.
// Counters: seconds per call, real-time factor, frames, peak resident memory; the RMVPE stage
// benchmark splits the time into log-mel, network and decoding.
#include <benchmark/benchmark.h>
#include <torch/torch.h>

#include <chrono>

#include "bench_util.hpp"
#include "f0/rmvpe.hpp"
#include "rvc/audio/audio_file.hpp"
#include "rvc/f0/estimator.hpp"
#include "support/random_voice_model.hpp"
#include "synth/time_major_conv.hpp"

namespace {

constexpr double kSeconds = 10.0;

const std::string& rmvpe_path() {
  static const std::string path = rvc::bench::write_model_in_child(
      "rvc_bench_rmvpe_random.pt", [](const std::string& file) { rvc::test::write_random_rmvpe(file, 13); });
  return path;
}

rvc::f0::EstimatorConfig rmvpe_config() {
  rvc::f0::EstimatorConfig config;
  config.model_path = rmvpe_path();
  return config;
}

const std::string& fcpe_path() {
  static const std::string path = rvc::bench::write_model_in_child(
      "rvc_bench_fcpe_random.pt", [](const std::string& file) { rvc::test::write_random_fcpe(file, 17); });
  return path;
}

// Real speech (the male and female fixture recordings, alternating) repeated to `seconds`.
std::vector<float> recorded_speech(double seconds) {
  std::vector<std::vector<float>> takes;
  for (const char* name : {"speech_male_16k.wav", "speech_female_16k.wav"}) {
    takes.push_back(rvc::audio::read_audio(std::string(RVC_BENCH_DATA_DIR) + "/audio/" + name).samples);
  }
  const auto count = static_cast<std::size_t>(seconds * rvc::f0::kF0SampleRateHz);
  std::vector<float> audio;
  for (std::size_t take = 0; audio.size() < count; ++take) {
    const std::vector<float>& next = takes[take % takes.size()];
    audio.insert(audio.end(), next.begin(), next.begin() + std::min(next.size(), count - audio.size()));
  }
  return audio;
}

// `winograd` false: RMVPE's 3×3 convolutions all on oneDNN (the kernel choice is made at load).
void run_estimator(benchmark::State& state, rvc::f0::F0Method method, const std::string& model, double seconds,
                   bool recorded = false, bool winograd = true) {
  torch::set_num_threads(2);
  rvc::f0::EstimatorConfig config;
  config.model_path = model;
  rvc::synth::TimeMajorConv::set_enabled(winograd);
  const auto estimator = rvc::f0::make_f0_estimator(method, config);
  rvc::synth::TimeMajorConv::set_enabled(true);
  const std::vector<float> audio =
      recorded ? recorded_speech(seconds) : rvc::bench::speech_like_audio(seconds, rvc::f0::kF0SampleRateHz);
  const auto n = static_cast<std::int64_t>(audio.size());
  estimator->estimate(audio.data(), n, rvc::f0::kF0SampleRateHz);  // warm-up
  std::size_t frames = 0;
  for (auto _ : state) {
    const rvc::f0::F0Track track = estimator->estimate(audio.data(), n, rvc::f0::kF0SampleRateHz);
    frames = track.hz.size();
    benchmark::DoNotOptimize(track.hz.data());
  }
  state.counters["frames"] = static_cast<double>(frames);
  state.counters["RTF"] = benchmark::Counter(static_cast<double>(state.iterations()) * seconds,
                                             benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  state.counters["peak_MB"] = rvc::bench::peak_rss_mb();
}

void BM_RmvpeTenSeconds(benchmark::State& state) {
  run_estimator(state, rvc::f0::F0Method::kRmvpe, rmvpe_path(), kSeconds);
}
BENCHMARK(BM_RmvpeTenSeconds)->Unit(benchmark::kSecond)->Iterations(3)->UseRealTime();

// The same with every convolution on oneDNN: what the Winograd image kernel gains.
void BM_RmvpeTenSecondsOneDnn(benchmark::State& state) {
  run_estimator(state, rvc::f0::F0Method::kRmvpe, rmvpe_path(), kSeconds, false, false);
}
BENCHMARK(BM_RmvpeTenSecondsOneDnn)->Unit(benchmark::kSecond)->Iterations(3)->UseRealTime();

// How far the Winograd kernel's salience is from oneDNN's (the fixtures' tolerance is 1e-4).
void BM_RmvpeWinogradSalienceAgainstOneDnn(benchmark::State& state) {
  torch::set_num_threads(2);
  rvc::synth::TimeMajorConv::set_enabled(false);
  const rvc::f0::RmvpeEstimator reference(rmvpe_config());
  rvc::synth::TimeMajorConv::set_enabled(true);
  const rvc::f0::RmvpeEstimator winograd(rmvpe_config());
  const std::vector<float> audio = rvc::bench::speech_like_audio(kSeconds, rvc::f0::kF0SampleRateHz);
  const torch::Tensor mel = reference.log_mel(audio.data(), static_cast<std::int64_t>(audio.size()));
  double largest = 0;
  for (auto _ : state) largest = (reference.salience(mel) - winograd.salience(mel)).abs().max().item<double>();
  state.counters["max_abs_diff"] = largest;
}
BENCHMARK(BM_RmvpeWinogradSalienceAgainstOneDnn)->Unit(benchmark::kSecond)->Iterations(1)->UseRealTime();

// A song's length, in one piece (run it alone, --benchmark_filter=ThreeMinutes, for its own peak).
void BM_RmvpeThreeMinutes(benchmark::State& state) {
  run_estimator(state, rvc::f0::F0Method::kRmvpe, rmvpe_path(), 180.0);
}
BENCHMARK(BM_RmvpeThreeMinutes)->Unit(benchmark::kSecond)->Iterations(1)->UseRealTime();

void BM_FcpeTenSeconds(benchmark::State& state) {
  run_estimator(state, rvc::f0::F0Method::kFcpe, fcpe_path(), kSeconds);
}
BENCHMARK(BM_FcpeTenSeconds)->Unit(benchmark::kSecond)->Iterations(3)->UseRealTime();

// The signal-processing methods on a minute of recorded speech (targets: harvest ≥ 20× real
// time, pm ≥ 200×).
void BM_PmOneMinute(benchmark::State& state) { run_estimator(state, rvc::f0::F0Method::kPm, "", 60.0, true); }
BENCHMARK(BM_PmOneMinute)->Unit(benchmark::kSecond)->Iterations(3)->UseRealTime();

void BM_HarvestOneMinute(benchmark::State& state) {
  run_estimator(state, rvc::f0::F0Method::kHarvest, "", 60.0, true);
}
BENCHMARK(BM_HarvestOneMinute)->Unit(benchmark::kSecond)->Iterations(3)->UseRealTime();

void BM_DioOneMinute(benchmark::State& state) { run_estimator(state, rvc::f0::F0Method::kDio, "", 60.0, true); }
BENCHMARK(BM_DioOneMinute)->Unit(benchmark::kSecond)->Iterations(3)->UseRealTime();

void BM_RmvpeStagesTenSeconds(benchmark::State& state) {
  torch::set_num_threads(2);
  const rvc::f0::RmvpeEstimator estimator(rmvpe_config());
  const std::vector<float> audio = rvc::bench::speech_like_audio(kSeconds, rvc::f0::kF0SampleRateHz);
  const auto n = static_cast<std::int64_t>(audio.size());
  using Clock = std::chrono::steady_clock;
  auto ms = [](Clock::time_point from, Clock::time_point to) {
    return std::chrono::duration<double, std::milli>(to - from).count();
  };
  double mel_ms = 0, network_ms = 0, decode_ms = 0;
  estimator.salience(estimator.log_mel(audio.data(), n));  // warm-up
  for (auto _ : state) {
    const auto start = Clock::now();
    const torch::Tensor mel = estimator.log_mel(audio.data(), n);
    const auto after_mel = Clock::now();
    const torch::Tensor salience = estimator.salience(mel);
    const auto after_network = Clock::now();
    const rvc::f0::F0Track track =
        rvc::f0::decode_rmvpe_salience(salience.data_ptr<float>(), salience.size(0), rvc::f0::kRmvpeThreshold);
    benchmark::DoNotOptimize(track.hz.data());
    mel_ms += ms(start, after_mel);
    network_ms += ms(after_mel, after_network);
    decode_ms += ms(after_network, Clock::now());
  }
  const auto iterations = static_cast<double>(state.iterations());
  state.counters["mel_ms"] = mel_ms / iterations;
  state.counters["network_ms"] = network_ms / iterations;
  state.counters["decode_ms"] = decode_ms / iterations;
}
BENCHMARK(BM_RmvpeStagesTenSeconds)->Unit(benchmark::kSecond)->Iterations(3)->UseRealTime();

}  // namespace
