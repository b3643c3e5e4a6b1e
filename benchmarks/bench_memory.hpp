// Peak memory of a benchmark process (no LibTorch, so any benchmark can include it).
#pragma once

#include <sys/resource.h>

namespace rvc::bench {

/// Peak resident set size of this process so far, in MB.
inline double peak_rss_mb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;
}

}  // namespace rvc::bench
