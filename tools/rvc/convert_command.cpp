// `rvc convert` and `rvc infer`: voice conversion of files and folders.
#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "cli_util.hpp"
#include "rvc/rvc.hpp"

namespace rvc::cli {
namespace {

namespace fs = std::filesystem;

// What one `rvc convert` or `rvc infer` asks for.
struct ConvertRequest {
  std::string input;
  std::string output;
  std::string model;
  std::string index;
  std::string hubert;
  std::string rmvpe;
  std::string fcpe;
  std::string assets;
  std::string device = "cpu";
  std::string f0_file;
  std::string format = "wav";  // container of outputs written into a folder
  bool half = false;
  bool no_index = false;  // a bundle's own index is not used
  int32_t threads = 0;
  capi::ConvertParams params;
};

const char* or_null(const std::string& text) { return text.empty() ? nullptr : text.c_str(); }

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

bool is_audio_file(const fs::path& path) {
  static const std::vector<std::string> kExtensions = {".wav", ".flac", ".mp3", ".ogg", ".opus", ".aiff", ".aif"};
  const std::string extension = lower(path.extension().u8string());
  return std::find(kExtensions.begin(), kExtensions.end(), extension) != kExtensions.end();
}

bool parse_flag(const std::string& text, const std::string& option) {
  const std::string value = lower(text);
  if (value == "true" || value == "1" || value == "yes") return true;
  if (value == "false" || value == "0" || value == "no") return false;
  throw UsageError(option + " is true or false, got '" + text + "'");
}

int32_t f0_method_from_name(const std::string& name) {
  int32_t method = 0;
  capi::check(rvc_f0_method_from_name(name.c_str(), &method));
  return method;
}

void print_stats(const std::string& input, const std::string& output, const capi::ConversionStats& stats) {
  const double output_seconds = static_cast<double>(stats.num_samples) / stats.sample_rate_hz;
  std::printf("converted   %s (%.2f s) -> %s (%.2f s at %d Hz)\n", input.c_str(), stats.input_seconds, output.c_str(),
              output_seconds, stats.sample_rate_hz);
  std::printf("time        %.2f s = %.2fx real time (pitch %.0f ms, features %.0f ms, index %.0f ms, "
              "synthesis %.0f ms)\n",
              stats.total_ms / 1000, stats.total_ms / 1000 / std::max(stats.input_seconds, 1e-9), stats.pitch_ms,
              stats.features_ms, stats.index_ms, stats.synth_ms);
}

int run_conversion(ConvertRequest request) {
  if (request.model.empty()) throw UsageError("convert needs the voice model: -m MODEL.pth");
  if (request.input.empty() || request.output.empty()) throw UsageError("convert needs -i INPUT and -o OUTPUT");
  rvc_engine_config config;
  rvc_engine_config_init(&config);
  config.model_path = request.model.c_str();
  config.index_path = or_null(request.index);
  config.hubert_path = or_null(request.hubert);
  config.rmvpe_path = or_null(request.rmvpe);
  config.fcpe_path = or_null(request.fcpe);
  config.assets_dir = or_null(request.assets);
  config.device = request.device.c_str();
  config.num_threads = request.threads;
  config.no_bundled_index = request.no_index ? 1 : 0;
  // RVC runs fp32 off CUDA whatever is_half says.
  const bool on_cuda = request.device.rfind("cuda", 0) == 0;
  config.precision = request.half && on_cuda ? RVC_PRECISION_FLOAT16 : RVC_PRECISION_AUTO;
  const capi::Engine engine(config);
  std::printf("%s", engine.description().c_str());
  request.params.f0_file = or_null(request.f0_file);
  std::string last_stage;
  request.params.progress = print_progress;
  request.params.progress_user_data = &last_stage;
  auto finish_line = [&] {
    if (!last_stage.empty()) std::fprintf(stderr, "\n");
    last_stage.clear();
  };

  const fs::path input = fs::u8path(request.input);
  if (!fs::is_directory(input)) {
    const capi::ConversionStats stats = engine.convert_file(request.input, request.output, request.params);
    finish_line();
    print_stats(request.input, request.output, stats);
    return 0;
  }
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(input)) {
    if (entry.is_regular_file() && is_audio_file(entry.path())) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  if (files.empty()) throw UsageError("no audio files (.wav .flac .mp3 .ogg .opus .aiff) in '" + request.input + "'");
  const fs::path output_dir = fs::u8path(request.output);
  fs::create_directories(output_dir);
  int failed = 0;
  for (std::size_t k = 0; k < files.size(); ++k) {
    const std::string source = files[k].u8string();
    fs::path target = output_dir / files[k].filename();
    target.replace_extension("." + request.format);
    std::printf("[%zu/%zu] %s\n", k + 1, files.size(), files[k].filename().u8string().c_str());
    try {
      const capi::ConversionStats stats = engine.convert_file(source, target.u8string(), request.params);
      finish_line();
      print_stats(source, target.u8string(), stats);
    } catch (const capi::Error& e) {
      finish_line();
      std::fprintf(stderr, "rvc: error (%s): %s\n", rvc_status_name(e.status()), e.what());
      ++failed;
    }
  }
  std::printf("%zu of %zu files converted into %s\n", files.size() - static_cast<std::size_t>(failed), files.size(),
              output_dir.u8string().c_str());
  return failed == 0 ? 0 : 1;
}

// A model named without a folder is looked for where RVC keeps models, as RVC's CLI does.
std::string resolve_model(const std::string& name) {
  if (name.find('/') != std::string::npos || fs::exists(fs::u8path(name))) return name;
  for (const char* folder : {"assets/weights", "weights"}) {
    const fs::path candidate = fs::u8path(folder) / fs::u8path(name);
    if (fs::exists(candidate)) return candidate.u8string();
  }
  return name;
}

}  // namespace

double parse_number(const std::string& text, const std::string& option) {
  char* end = nullptr;
  errno = 0;
  const double value = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0' || errno != 0) throw UsageError(option + " needs a number, got '" + text + "'");
  return value;
}

int64_t parse_integer(const std::string& text, const std::string& option) {
  char* end = nullptr;
  errno = 0;
  const long long value = std::strtoll(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || errno != 0) throw UsageError(option + " needs an integer, got '" + text + "'");
  return value;
}

int command_convert(const std::vector<std::string>& args) {
  ConvertRequest request;
  rvc_convert_params& params = request.params;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& option = args[i];
    if (option == "--half") {
      request.half = true;
      continue;
    }
    if (option == "--zero-noise") {
      params.zero_noise = 1;
      continue;
    }
    if (option == "--no-index") {
      request.no_index = true;
      continue;
    }
    if (i + 1 >= args.size()) throw UsageError("convert: '" + option + "' needs a value (or is unknown)");
    const std::string& value = args[++i];
    if (option == "-m" || option == "--model") request.model = value;
    else if (option == "-i" || option == "--input") request.input = value;
    else if (option == "-o" || option == "--output") request.output = value;
    else if (option == "--index") request.index = value;
    else if (option == "--hubert") request.hubert = value;
    else if (option == "--rmvpe") request.rmvpe = value;
    else if (option == "--fcpe") request.fcpe = value;
    else if (option == "--assets") request.assets = value;
    else if (option == "--device") request.device = value;
    else if (option == "--f0-file") request.f0_file = value;
    else if (option == "--format") request.format = lower(value);
    else if (option == "--f0-method") params.f0_method = f0_method_from_name(value);
    else if (option == "--pitch" || option == "--f0-up-key") params.f0_up_key = parse_number(value, option);
    else if (option == "--index-rate") params.index_rate = parse_number(value, option);
    else if (option == "--filter-radius") params.filter_radius = static_cast<int32_t>(parse_integer(value, option));
    else if (option == "--rms-mix-rate") params.rms_mix_rate = parse_number(value, option);
    else if (option == "--protect") params.protect = parse_number(value, option);
    else if (option == "--resample-sr") params.resample_sr = static_cast<int32_t>(parse_integer(value, option));
    else if (option == "--speaker") params.speaker_id = static_cast<int32_t>(parse_integer(value, option));
    else if (option == "--noise-scale") params.noise_scale = static_cast<float>(parse_number(value, option));
    else if (option == "--seed") params.seed = parse_integer(value, option);
    else if (option == "--threads") request.threads = static_cast<int32_t>(parse_integer(value, option));
    else if (option == "--compat") {
      const std::string name = lower(value);
      if (name == "classic") params.compat = RVC_COMPAT_CLASSIC;
      else if (name == "2026") params.compat = RVC_COMPAT_2026;
      else throw UsageError("--compat is 'classic' or '2026'");
    } else {
      throw UsageError("convert: unknown option '" + option + "'");
    }
  }
  if (request.format != "wav" && request.format != "flac" && request.format != "ogg") {
    throw UsageError("--format is wav, flac or ogg");
  }
  return run_conversion(std::move(request));
}

int command_infer(const std::vector<std::string>& args) {
  if (args.size() < 9 || args.size() > 13) {
    throw UsageError("infer takes: f0up_key input index f0method output model index_rate device is_half "
                     "[filter_radius resample_sr rms_mix_rate protect]");
  }
  ConvertRequest request;
  rvc_convert_params& params = request.params;
  params.f0_up_key = parse_number(args[0], "f0up_key");
  request.input = args[1];
  request.index = args[2];
  params.f0_method = f0_method_from_name(args[3]);
  request.output = args[4];
  request.model = resolve_model(args[5]);
  params.index_rate = parse_number(args[6], "index_rate");
  request.device = args[7];
  request.half = parse_flag(args[8], "is_half");
  // RVC's infer_cli defaults for the optional tail: filter_radius 3, resample_sr 0, rms_mix_rate 1, protect 0.33.
  params.rms_mix_rate = 1;
  if (args.size() > 9) params.filter_radius = static_cast<int32_t>(parse_integer(args[9], "filter_radius"));
  if (args.size() > 10) params.resample_sr = static_cast<int32_t>(parse_integer(args[10], "resample_sr"));
  if (args.size() > 11) params.rms_mix_rate = parse_number(args[11], "rms_mix_rate");
  if (args.size() > 12) params.protect = parse_number(args[12], "protect");
  return run_conversion(std::move(request));
}

}  // namespace rvc::cli
