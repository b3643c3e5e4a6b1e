// Helpers the `rvc` subcommands share. The CLI uses the public C ABI (rvc.hpp) only.
#pragma once

#include <cstdint>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

#include <unistd.h>

namespace rvc::cli {

/// A command line that does not parse; main prints the message and the usage, and exits with 2.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// Redraws one status line on a terminal; silent when stderr is not one. `last_stage` points to
/// a std::string that remembers the stage being drawn.
inline int32_t print_progress(const char* stage, double fraction, void* last_stage) {
  if (!isatty(fileno(stderr))) return 0;
  auto* previous = static_cast<std::string*>(last_stage);
  if (*previous != stage && !previous->empty()) std::fprintf(stderr, "\n");
  *previous = stage;
  std::fprintf(stderr, "\r%-10s %5.1f %%", stage, 100.0 * fraction);
  std::fflush(stderr);
  return 0;
}

/// `text` as a number, or a UsageError naming `option`.
double parse_number(const std::string& text, const std::string& option);

/// `text` as an integer, or a UsageError naming `option`.
int64_t parse_integer(const std::string& text, const std::string& option);

/// `rvc convert ...` (the options RVC's CLI has, plus folders for batch conversion).
int command_convert(const std::vector<std::string>& args);

/// `rvc info FILE` (what any file is) and `rvc info --set TEXT MODEL`.
int command_info(const std::vector<std::string>& args);
/// `rvc extract G_*.pth -o NAME.pth [--sr --f0 --version --info]`.
int command_extract(const std::vector<std::string>& args);
/// `rvc merge A B -o C [--alpha ...]`.
int command_merge(const std::vector<std::string>& args);
/// `rvc bundle -m MODEL [--index INDEX] -o NAME.rvcz`.
int command_bundle(const std::vector<std::string>& args);
/// `rvc unbundle NAME.rvcz [-o FOLDER] [--force]`.
int command_unbundle(const std::vector<std::string>& args);
/// `rvc list [FOLDER] [--json]`.
int command_list(const std::vector<std::string>& args);

/// `rvc infer f0up_key input index f0method output model index_rate device is_half` (RVC FAQ Q7).
int command_infer(const std::vector<std::string>& args);

}  // namespace rvc::cli
