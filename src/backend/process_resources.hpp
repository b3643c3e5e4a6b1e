// Process-wide resources of the networks, declared without torch headers so torch-free code can
// manage them: the CPU threads (LibTorch's intra-op pool) and freed heap memory. Private to rvc.
#pragma once

namespace rvc::torch_util {

/// Sets LibTorch's intra-op (and OpenMP) thread count for the whole process; `threads` <= 0 means
/// one per logical core (LibTorch's own default is one per physical core).
void set_cpu_threads(int threads);

/// Hands memory freed by large temporaries back to the system (glibc keeps it otherwise), so
/// loading one network or one conversion stage does not leave its peak resident for the next.
void release_free_memory() noexcept;

}  // namespace rvc::torch_util
