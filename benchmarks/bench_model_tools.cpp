// Model tools at full size (a v2 40k voice model with random weights, written by rvc's test
// support): checksums, bundling, loading through a bundle (checksum included) and merging.
#include <benchmark/benchmark.h>

#include <filesystem>
#include <vector>

#include "io/sha256.hpp"
#include "rvc/model/model_info.hpp"
#include "rvc/model/model_tools.hpp"
#include "rvc/model/voice_bundle.hpp"
#include "support/random_voice_model.hpp"

namespace {

std::string temp_file(const std::string& name) {
  return (std::filesystem::temp_directory_path() / name).string();
}

const std::string& full_size_model() {
  static const std::string path = [] {
    const std::string file = temp_file("rvc_bench_tools_v2_40k.pth");
    rvc::test::write_random_voice_model(file, "v2", true, rvc::model::ModelConfig::standard("v2", 40000), 7);
    return file;
  }();
  return path;
}

void BM_Sha256(benchmark::State& state) {
  const std::vector<std::uint8_t> bytes(64 << 20, 0x5a);
  for (auto _ : state) benchmark::DoNotOptimize(rvc::io::sha256_hex(bytes.data(), bytes.size()));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(bytes.size()));
}
BENCHMARK(BM_Sha256)->Unit(benchmark::kMillisecond);

void BM_BundleFullSizeModel(benchmark::State& state) {
  const std::string model = full_size_model();
  const std::string bundle = temp_file("rvc_bench_tools.rvcz");
  for (auto _ : state) rvc::model::write_voice_bundle(model, bundle);
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(std::filesystem::file_size(model)));
}
BENCHMARK(BM_BundleFullSizeModel)->Unit(benchmark::kMillisecond);

// Reading a model's metadata straight from the .pth and through a bundle (whose model is
// checksum-verified first): the difference is what a bundle adds to every load.
void BM_ReadModelInfo(benchmark::State& state) {
  const std::string model = full_size_model();
  const std::string bundle = temp_file("rvc_bench_tools_read.rvcz");
  rvc::model::write_voice_bundle(model, bundle);
  const std::string& path = state.range(0) == 0 ? model : bundle;
  for (auto _ : state) benchmark::DoNotOptimize(rvc::model::read_model_info(path));
  state.SetLabel(state.range(0) == 0 ? ".pth" : ".rvcz");
}
BENCHMARK(BM_ReadModelInfo)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

void BM_MergeFullSizeModels(benchmark::State& state) {
  const std::string a = full_size_model();
  const std::string b = temp_file("rvc_bench_tools_v2_40k_b.pth");
  rvc::test::write_random_voice_model(b, "v2", true, rvc::model::ModelConfig::standard("v2", 40000), 8);
  const std::string out = temp_file("rvc_bench_tools_merged.pth");
  for (auto _ : state) rvc::model::merge_voice_models(a, b, out);
}
BENCHMARK(BM_MergeFullSizeModels)->Unit(benchmark::kMillisecond);

}  // namespace
