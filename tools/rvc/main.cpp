// The `rvc` command-line program. It uses the public C ABI (through rvc.hpp) only.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "cli_util.hpp"
#include "rvc/rvc.hpp"

namespace {

constexpr const char* kUsage =
    "usage: rvc <command> [arguments]\n"
    "\n"
    "commands:\n"
    "  convert -m MODEL -i IN -o OUT [options]\n"
    "                                 convert speech or singing into the model's voice; IN and OUT may be\n"
    "                                 folders (every audio file inside is converted). Options, RVC's defaults:\n"
    "                                   --index FILE.index    retrieval index (added_*.index)\n"
    "                                   --hubert PATH --rmvpe PATH --fcpe PATH   assets (default: RVC's\n"
    "                                                         assets/ layout, or $RVC_ASSETS, or --assets DIR)\n"
    "                                   --f0-method rmvpe     pm | harvest | dio | rmvpe | fcpe\n"
    "                                   --pitch 0             transpose in semitones (+12 = an octave up)\n"
    "                                   --index-rate 0.75 --filter-radius 3 --rms-mix-rate 0.25\n"
    "                                   --protect 0.33 --resample-sr 0 --speaker 0 --f0-file FILE\n"
    "                                   --device cpu | cuda:N   --half (fp16 on CUDA)   --threads N (0: all)\n"
    "                                   --noise-scale 0.66666 --seed N --zero-noise\n"
    "                                   --compat classic | 2026   --format wav | flac | ogg (folders)\n"
    "                                   --no-index            ignore the index inside a bundle\n"
    "  infer f0up_key input index f0method output model index_rate device is_half\n"
    "        [filter_radius resample_sr rms_mix_rate protect]\n"
    "                                 RVC's positional command line (FAQ Q7); index may be \"\"\n"
    "  info FILE [--json]             what any RVC file is (voice model, bundle, G_/D_ checkpoint, encoder,\n"
    "                                 pitch model, index) and what to do with it\n"
    "  info --set TEXT MODEL [-o OUT] change a model's (or bundle's) info text; everything else is kept\n"
    "  extract G_N.pth -o NAME.pth [--sr 40k] [--f0 1] [--version v2] [--info TEXT]\n"
    "                                 make the shareable voice model from a training checkpoint as RVC does;\n"
    "                                 options default to the experiment's config.json/train.log, else the weights\n"
    "  merge A.pth B.pth -o C.pth [--alpha 0.5] [--info TEXT] [--sr --f0 --version]\n"
    "                                 RVC's weighted merge (alpha x A + (1 - alpha) x B)\n"
    "  bundle -m MODEL.pth [--index added_*.index] -o NAME.rvcz [--name NAME]\n"
    "                                 one file with the model, its index and checksums; every command that\n"
    "                                 takes a model takes a bundle (convert uses its index unless --index or\n"
    "                                 --no-index)\n"
    "  unbundle NAME.rvcz [-o FOLDER] [--force]\n"
    "                                 write the bundle's model and index back as files\n"
    "  list [FOLDER] [--json]         the voice models and bundles under a folder and the index of each\n"
    "  audio-info FILE                show an audio file's length and rate (read as mono)\n"
    "  resample IN OUT [--sr HZ] [--encoding auto|pcm16|pcm24|float]\n"
    "                                 read any audio file, resample (soxr HQ) and write .wav/.flac/.ogg\n"
    "  index build FEATURES [--name NAME] [--version v1|v2] [-o DIR] [--seed N]\n"
    "                                 build RVC's retrieval index from training features: a .npy file,\n"
    "                                 logs/<exp>/3_feature768 or logs/<exp>; writes trained_/added_*.index\n"
    "                                 (into the experiment folder unless -o is given)\n"
    "  index info INDEX               show what an added_*.index holds\n"
    "  version                        print the library version\n"
    "\n"
    "Errors name the file and what to do; the exit status is 1 for errors and 2 for usage mistakes.\n";

int fail_usage(const std::string& message) {
  std::fprintf(stderr, "rvc: %s\n\n%s", message.c_str(), kUsage);
  return 2;
}

int command_audio_info(const std::vector<std::string>& args) {
  if (args.size() != 1) return fail_usage("audio-info takes one audio path");
  const auto audio = rvc::capi::Audio::load(args[0]);
  std::printf("file:        %s\n", args[0].c_str());
  std::printf("sample rate: %d Hz\n", audio.sample_rate_hz());
  std::printf("samples:     %lld (mono)\n", static_cast<long long>(audio.size()));
  std::printf("duration:    %.3f s\n", static_cast<double>(audio.size()) / audio.sample_rate_hz());
  return 0;
}

int command_resample(const std::vector<std::string>& args) {
  std::vector<std::string> paths;
  int32_t rate = 0;
  int32_t encoding = RVC_AUDIO_ENCODING_AUTO;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--sr" && i + 1 < args.size()) {
      rate = static_cast<int32_t>(std::strtol(args[++i].c_str(), nullptr, 10));
      if (rate <= 0) return fail_usage("--sr needs a positive rate in Hz");
    } else if (args[i] == "--encoding" && i + 1 < args.size()) {
      const std::string name = args[++i];
      if (name == "auto") encoding = RVC_AUDIO_ENCODING_AUTO;
      else if (name == "pcm16") encoding = RVC_AUDIO_ENCODING_PCM16;
      else if (name == "pcm24") encoding = RVC_AUDIO_ENCODING_PCM24;
      else if (name == "float") encoding = RVC_AUDIO_ENCODING_FLOAT32;
      else return fail_usage("unknown encoding '" + name + "'");
    } else {
      paths.push_back(args[i]);
    }
  }
  if (paths.size() != 2) return fail_usage("resample takes an input and an output path");
  const auto audio = rvc::capi::Audio::load(paths[0], rate);
  rvc::capi::write_audio(paths[1], audio.data(), audio.size(), audio.sample_rate_hz(), encoding);
  std::printf("wrote %s: %lld samples at %d Hz\n", paths[1].c_str(), static_cast<long long>(audio.size()),
              audio.sample_rate_hz());
  return 0;
}

int command_index_build(const std::vector<std::string>& args) {
  std::string features;
  std::string name;
  std::string version;
  std::string output_dir;
  rvc_index_build_config config;
  rvc_index_build_config_init(&config);
  for (std::size_t i = 0; i < args.size(); ++i) {
    const bool has_value = i + 1 < args.size();
    if (args[i] == "--name" && has_value) name = args[++i];
    else if (args[i] == "--version" && has_value) version = args[++i];
    else if ((args[i] == "-o" || args[i] == "--output") && has_value) output_dir = args[++i];
    else if (args[i] == "--seed" && has_value) config.seed = std::strtoll(args[++i].c_str(), nullptr, 10);
    else if (args[i].rfind("-", 0) == 0) return fail_usage("index build: unknown option '" + args[i] + "'");
    else if (features.empty()) features = args[i];
    else return fail_usage("index build takes one features path");
  }
  if (features.empty()) return fail_usage("index build needs the features: a .npy file or a feature folder");
  if (!version.empty() && version != "v1" && version != "v2") return fail_usage("--version is v1 or v2");
  config.name = name.empty() ? nullptr : name.c_str();
  config.version = version.empty() ? nullptr : version.c_str();
  std::string last_stage;
  config.progress = rvc::cli::print_progress;
  config.progress_user_data = &last_stage;
  const auto result = rvc::capi::Index::build(features, output_dir, &config);
  if (!last_stage.empty()) std::fprintf(stderr, "\n");
  std::printf("features:    %lld rows\n", static_cast<long long>(result.input_rows()));
  if (result.reduced()) {
    std::printf("reduced:     k-means to %lld centres\n", static_cast<long long>(result.num_vectors()));
  }
  std::printf("lists:       %lld (IVF%lld,Flat, nprobe 1)\n", static_cast<long long>(result.num_lists()),
              static_cast<long long>(result.num_lists()));
  std::printf("trained:     %s\n", result.trained_path().c_str());
  std::printf("added:       %s  <- use this one for conversion\n", result.added_path().c_str());
  std::printf("time:        %.1f s\n", result.seconds());
  return 0;
}

int command_index_info(const std::vector<std::string>& args) {
  if (args.size() != 1) return fail_usage("index info takes one index path");
  const rvc::capi::Index index(args[0]);
  const char* version = index.dim() == 256 ? " (v1)" : index.dim() == 768 ? " (v2)" : "";
  std::printf("file:        %s\n", args[0].c_str());
  std::printf("structure:   %s, nprobe %d\n", index.description().c_str(), index.nprobe());
  std::printf("width:       %d%s\n", index.dim(), version);
  std::printf("vectors:     %lld\n", static_cast<long long>(index.num_vectors()));
  return 0;
}

int command_index(const std::vector<std::string>& args) {
  const std::vector<std::string> rest(args.empty() ? args.end() : args.begin() + 1, args.end());
  if (!args.empty() && args[0] == "build") return command_index_build(rest);
  if (!args.empty() && args[0] == "info") return command_index_info(rest);
  return fail_usage("index takes 'build' or 'info'");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return fail_usage("no command given");
  const std::string command = argv[1];
  const std::vector<std::string> args(argv + 2, argv + argc);
  try {
    if (command == "info") return rvc::cli::command_info(args);
    if (command == "extract") return rvc::cli::command_extract(args);
    if (command == "merge") return rvc::cli::command_merge(args);
    if (command == "bundle") return rvc::cli::command_bundle(args);
    if (command == "unbundle") return rvc::cli::command_unbundle(args);
    if (command == "list") return rvc::cli::command_list(args);
    if (command == "audio-info") return command_audio_info(args);
    if (command == "resample") return command_resample(args);
    if (command == "index") return command_index(args);
    if (command == "convert") return rvc::cli::command_convert(args);
    if (command == "infer") return rvc::cli::command_infer(args);
    if (command == "version" || command == "--version") {
      std::printf("rvc %s\n", rvc::capi::version().c_str());
      return 0;
    }
    if (command == "help" || command == "--help" || command == "-h") {
      std::printf("%s", kUsage);
      return 0;
    }
    return fail_usage("unknown command '" + command + "'");
  } catch (const rvc::cli::UsageError& e) {
    return fail_usage(e.what());
  } catch (const rvc::capi::Error& e) {
    std::fprintf(stderr, "rvc: error (%s): %s\n", rvc_status_name(e.status()), e.what());
    return 1;
  }
}
