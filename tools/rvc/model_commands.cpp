// `rvc info`, `extract`, `merge`, `bundle`, `unbundle` and `list`: RVC's model tools. They use
// the public C ABI (rvc.hpp) only.
#include <cstdio>
#include <string>
#include <vector>

#include "cli_util.hpp"
#include "rvc/rvc.hpp"

namespace rvc::cli {
namespace {

// Splits arguments into options with a value and positional arguments; `flags` take no value.
struct ParsedArgs {
  std::vector<std::pair<std::string, std::string>> options;
  std::vector<std::string> flags;
  std::vector<std::string> positional;

  const std::string* find(std::initializer_list<const char*> names) const {
    const std::string* found = nullptr;
    for (const auto& [option, value] : options) {
      for (const char* name : names) {
        if (option == name) found = &value;
      }
    }
    return found;
  }
  bool has_flag(const char* name) const {
    for (const std::string& flag : flags) {
      if (flag == name) return true;
    }
    return false;
  }
};

ParsedArgs parse(const std::string& command, const std::vector<std::string>& args,
                 std::initializer_list<const char*> value_options, std::initializer_list<const char*> flag_options) {
  ParsedArgs parsed;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    bool known = false;
    for (const char* flag : flag_options) {
      if (arg == flag) {
        parsed.flags.push_back(arg);
        known = true;
      }
    }
    for (const char* option : value_options) {
      if (!known && arg == option) {
        if (i + 1 >= args.size()) throw UsageError(command + ": '" + arg + "' needs a value");
        parsed.options.emplace_back(arg, args[++i]);
        known = true;
      }
    }
    if (known) continue;
    if (arg.size() > 1 && arg[0] == '-') throw UsageError(command + ": unknown option '" + arg + "'");
    parsed.positional.push_back(arg);
  }
  return parsed;
}

const char* value_or_null(const std::string* value) { return value != nullptr ? value->c_str() : nullptr; }

int32_t pitch_flag(const std::string* value, const std::string& command) {
  if (value == nullptr) return -1;
  if (*value == "1" || *value == "yes" || *value == "true") return 1;
  if (*value == "0" || *value == "no" || *value == "false") return 0;
  throw UsageError(command + ": --f0 is 1 or 0");
}

void print_model(const char* verb, const std::string& path, const capi::ModelInfo& info) {
  std::printf("%s %s: %s %d Hz, pitch %s, info \"%s\"\n", verb, path.c_str(), info.version().c_str(),
              info.sample_rate_hz(), info.has_pitch() ? "yes" : "no", info.text().c_str());
}

}  // namespace

int command_info(const std::vector<std::string>& args) {
  const ParsedArgs parsed = parse("info", args, {"--set", "-o", "--output"}, {"--json"});
  if (parsed.positional.size() != 1) throw UsageError("info takes one file");
  const std::string& path = parsed.positional[0];
  if (const std::string* text = parsed.find({"--set"})) {
    const std::string* output = parsed.find({"-o", "--output"});
    const capi::ModelInfo info = capi::set_model_info(path, *text, output != nullptr ? *output : "");
    print_model("updated", output != nullptr ? *output : path, info);
    return 0;
  }
  const capi::FileReport report = capi::FileReport::inspect(path);
  if (parsed.has_flag("--json")) {
    std::printf("%s\n", report.json().c_str());
  } else {
    std::printf("%snext:        %s\n", report.summary().c_str(), report.advice().c_str());
  }
  return 0;
}

int command_extract(const std::vector<std::string>& args) {
  const ParsedArgs parsed = parse("extract", args, {"-o", "--output", "--sr", "--f0", "--version", "--info"}, {});
  const std::string* output = parsed.find({"-o", "--output"});
  if (parsed.positional.size() != 1 || output == nullptr) {
    throw UsageError("extract takes a G_*.pth and -o NAME.pth");
  }
  rvc_model_extract_config config;
  rvc_model_extract_config_init(&config);
  config.sample_rate = value_or_null(parsed.find({"--sr"}));
  config.has_pitch = pitch_flag(parsed.find({"--f0"}), "extract");
  config.version = value_or_null(parsed.find({"--version"}));
  config.info = value_or_null(parsed.find({"--info"}));
  print_model("wrote", *output, capi::extract_model(parsed.positional[0], *output, &config));
  return 0;
}

int command_merge(const std::vector<std::string>& args) {
  const ParsedArgs parsed =
      parse("merge", args, {"-o", "--output", "--alpha", "--sr", "--f0", "--version", "--info"}, {});
  const std::string* output = parsed.find({"-o", "--output"});
  if (parsed.positional.size() != 2 || output == nullptr) throw UsageError("merge takes A.pth B.pth -o C.pth");
  rvc_model_merge_config config;
  rvc_model_merge_config_init(&config);
  if (const std::string* alpha = parsed.find({"--alpha"})) config.alpha = parse_number(*alpha, "--alpha");
  config.sample_rate = value_or_null(parsed.find({"--sr"}));
  config.has_pitch = pitch_flag(parsed.find({"--f0"}), "merge");
  config.version = value_or_null(parsed.find({"--version"}));
  config.info = value_or_null(parsed.find({"--info"}));
  print_model("wrote", *output, capi::merge_models(parsed.positional[0], parsed.positional[1], *output, &config));
  return 0;
}

int command_bundle(const std::vector<std::string>& args) {
  const ParsedArgs parsed = parse("bundle", args, {"-m", "--model", "--index", "-o", "--output", "--name"}, {});
  const std::string* model = parsed.find({"-m", "--model"});
  const std::string* output = parsed.find({"-o", "--output"});
  if (model == nullptr || output == nullptr || !parsed.positional.empty()) {
    throw UsageError("bundle takes -m MODEL.pth [--index added_*.index] -o NAME.rvcz");
  }
  rvc_bundle_config config;
  rvc_bundle_config_init(&config);
  config.index_path = value_or_null(parsed.find({"--index"}));
  config.name = value_or_null(parsed.find({"--name"}));
  std::printf("%s", capi::create_bundle(*model, *output, &config).summary().c_str());
  return 0;
}

int command_unbundle(const std::vector<std::string>& args) {
  const ParsedArgs parsed = parse("unbundle", args, {"-o", "--output"}, {"--force"});
  if (parsed.positional.size() != 1) throw UsageError("unbundle takes NAME.rvcz [-o FOLDER] [--force]");
  const std::string* output = parsed.find({"-o", "--output"});
  const capi::BundleFiles files =
      capi::BundleFiles::unpack(parsed.positional[0], output != nullptr ? *output : "", parsed.has_flag("--force"));
  std::printf("model:       %s\n", files.model_path().c_str());
  std::printf("index:       %s\n", files.index_path().empty() ? "(none in the bundle)" : files.index_path().c_str());
  return 0;
}

int command_list(const std::vector<std::string>& args) {
  const ParsedArgs parsed = parse("list", args, {}, {"--json"});
  if (parsed.positional.size() > 1) throw UsageError("list takes one folder");
  const capi::ModelList list = capi::ModelList::find(parsed.positional.empty() ? "." : parsed.positional[0]);
  if (parsed.has_flag("--json")) {
    std::printf("%s\n", list.json().c_str());
    return 0;
  }
  for (int64_t i = 0; i < list.size(); ++i) {
    std::printf("%s\n  %s %d Hz, pitch %s, info \"%s\"%s\n  index: %s\n", list.path(i).c_str(),
                list.version(i).c_str(), list.sample_rate_hz(i), list.has_pitch(i) ? "yes" : "no",
                list.text(i).c_str(), list.is_bundle(i) ? ", bundle" : "",
                list.index_path(i).empty() ? "(none found)"
                : list.is_bundle(i)       ? "inside the bundle"
                                          : list.index_path(i).c_str());
  }
  const std::vector<std::string> skipped = list.skipped();
  for (const std::string& line : skipped) std::printf("not a voice model: %s\n", line.c_str());
  std::printf("%lld voice model(s)\n", static_cast<long long>(list.size()));
  return 0;
}

}  // namespace rvc::cli
