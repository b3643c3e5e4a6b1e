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

/// Fixes glibc's mmap threshold (once per process, unless MALLOC_MMAP_THRESHOLD_ is set): blocks
/// of 8 MB and more are then mapped and unmapped on their own. glibc otherwise raises the
/// threshold to the largest block freed so far, and later blocks of that size come from the heap,
/// whose holes stay resident: a long conversion grew by ~1 GB that way.
void bound_heap_fragmentation() noexcept;

}  // namespace rvc::torch_util
