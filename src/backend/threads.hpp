// The CPU threads the networks use (LibTorch's intra-op pool), declared without torch headers so
// torch-free code can set it. Private to rvc.
#pragma once

namespace rvc::torch_util {

/// Sets LibTorch's intra-op (and OpenMP) thread count for the whole process; `threads` <= 0 means
/// one per logical core (LibTorch's own default is one per physical core).
void set_cpu_threads(int threads);

}  // namespace rvc::torch_util
