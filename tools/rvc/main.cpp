// The `rvc` command-line program. It uses the public C ABI (through rvc.hpp) only.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "rvc/rvc.hpp"

namespace {

constexpr const char* kUsage =
    "usage: rvc <command> [arguments]\n"
    "\n"
    "commands:\n"
    "  info MODEL.pth                 show a voice model's version, rate, pitch flag, info and config\n"
    "  audio-info FILE                show an audio file's length and rate (read as mono)\n"
    "  resample IN OUT [--sr HZ] [--encoding auto|pcm16|pcm24|float]\n"
    "                                 read any audio file, resample (soxr HQ) and write .wav/.flac/.ogg\n"
    "  version                        print the library version\n"
    "\n"
    "Voice conversion itself arrives with the synthesizer and pipeline components.\n";

int fail_usage(const std::string& message) {
  std::fprintf(stderr, "rvc: %s\n\n%s", message.c_str(), kUsage);
  return 2;
}

int command_info(const std::vector<std::string>& args) {
  if (args.size() != 1) return fail_usage("info takes one model path");
  const auto info = rvc::capi::ModelInfo::load(args[0]);
  std::printf("file:        %s\n", args[0].c_str());
  std::printf("version:     %s\n", info.version().c_str());
  std::printf("sample rate: %d Hz\n", info.sample_rate_hz());
  std::printf("pitch (f0):  %s\n", info.has_pitch() ? "yes" : "no");
  std::printf("info:        %s\n", info.text().c_str());
  std::printf("json:        %s\n", info.json().c_str());
  return 0;
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

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return fail_usage("no command given");
  const std::string command = argv[1];
  const std::vector<std::string> args(argv + 2, argv + argc);
  try {
    if (command == "info") return command_info(args);
    if (command == "audio-info") return command_audio_info(args);
    if (command == "resample") return command_resample(args);
    if (command == "version" || command == "--version") {
      std::printf("rvc %s\n", rvc::capi::version().c_str());
      return 0;
    }
    if (command == "help" || command == "--help" || command == "-h") {
      std::printf("%s", kUsage);
      return 0;
    }
    return fail_usage("unknown command '" + command + "'");
  } catch (const rvc::capi::Error& e) {
    std::fprintf(stderr, "rvc: error (%s): %s\n", rvc_status_name(e.status()), e.what());
    return 1;
  }
}
