#include <cstdio>

#include "rvc/rvc.hpp"

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  try {
    const auto info = rvc::capi::ModelInfo::load(argv[1]);
    std::printf("rvc %s: %s model at %d Hz\n", rvc::capi::version().c_str(), info.version().c_str(),
                info.sample_rate_hz());
    return info.sample_rate_hz() == 40000 ? 0 : 1;
  } catch (const rvc::capi::Error& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
  }
}
