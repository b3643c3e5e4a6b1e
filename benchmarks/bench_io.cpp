// Checkpoint loading at full size: a file shaped like a v2 40k voice model (457 float16 tensors,
// 27,537,346 parameters, as spec/rvc-inference.md counts them), written by rvc itself.
#include <benchmark/benchmark.h>

#include <filesystem>
#include <random>

#include "rvc/io/checkpoint.hpp"

namespace {

constexpr int kTensorCount = 457;
constexpr std::int64_t kParameterCount = 27'537'346;

const std::string& full_size_model_path() {
  static const std::string path = [] {
    const std::string file = (std::filesystem::temp_directory_path() / "rvc_bench_full_size_v2.pth").string();
    std::mt19937 random(42);
    std::uniform_int_distribution<int> byte(0, 255);
    rvc::io::Value weight = rvc::io::Value::dict();
    const std::int64_t per_tensor = kParameterCount / kTensorCount;
    for (int i = 0; i < kTensorCount; ++i) {
      const std::int64_t numel = i == 0 ? kParameterCount - per_tensor * (kTensorCount - 1) : per_tensor;
      std::vector<std::uint8_t> bytes(static_cast<std::size_t>(numel) * 2);
      for (std::size_t b = 0; b < bytes.size(); b += 2) {
        bytes[b] = static_cast<std::uint8_t>(byte(random));
        bytes[b + 1] = static_cast<std::uint8_t>(byte(random) & 0x3b);  // finite halves
      }
      weight.set("layer." + std::to_string(i) + ".weight",
                 rvc::io::Value::tensor(rvc::io::TensorData::from_bytes(rvc::io::DType::kFloat16, {numel}, bytes)));
    }
    rvc::io::Value root = rvc::io::Value::dict();
    root.set("weight", weight);
    root.set("info", rvc::io::Value::string("benchmark"));
    rvc::io::save_checkpoint(file, root);
    return file;
  }();
  return path;
}

void BM_LoadFullSizeModel(benchmark::State& state) {
  const std::string& path = full_size_model_path();
  for (auto _ : state) {
    rvc::io::Value root = rvc::io::load_checkpoint(path);
    benchmark::DoNotOptimize(root);
  }
  state.counters["MB"] = static_cast<double>(std::filesystem::file_size(path)) / 1e6;
}
BENCHMARK(BM_LoadFullSizeModel)->Unit(benchmark::kMillisecond);

void BM_LoadAndWidenToFloat32(benchmark::State& state) {
  const std::string& path = full_size_model_path();
  for (auto _ : state) {
    rvc::io::Value root = rvc::io::load_checkpoint(path);
    std::size_t total = 0;
    for (const auto& [key, tensor] : root.at("weight").as_dict()) total += tensor.as_tensor().to_floats().size();
    benchmark::DoNotOptimize(total);
  }
}
BENCHMARK(BM_LoadAndWidenToFloat32)->Unit(benchmark::kMillisecond);

void BM_SaveFullSizeModel(benchmark::State& state) {
  const rvc::io::Value root = rvc::io::load_checkpoint(full_size_model_path());
  const std::string out = (std::filesystem::temp_directory_path() / "rvc_bench_saved.pth").string();
  for (auto _ : state) rvc::io::save_checkpoint(out, root);
  std::filesystem::remove(out);
}
BENCHMARK(BM_SaveFullSizeModel)->Unit(benchmark::kMillisecond);

}  // namespace
