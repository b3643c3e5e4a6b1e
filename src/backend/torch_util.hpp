// Bridges between rvc's backend-free types and LibTorch. Private to rvc_core.
#pragma once

#include <torch/torch.h>

#include <functional>
#include <string>
#include <unordered_map>
#include <vector>

#include "backend/process_resources.hpp"
#include "rvc/io/tensor_data.hpp"
#include "rvc/io/value.hpp"
#include "rvc/precision.hpp"

namespace rvc::torch_util {

/// Parameters by state-dict name, float32 on the CPU.
using StateDict = std::unordered_map<std::string, torch::Tensor>;

/// A copy of `tensor` as a CPU torch tensor of the same dtype.
torch::Tensor to_torch(const io::TensorData& tensor);
/// A copy of `tensor` (any device or dtype) as contiguous float32.
io::TensorData to_tensor_data(const torch::Tensor& tensor);

/// Parses "cpu", "cuda", "cuda:N"; throws kInvalidArgument or kUnsupported (no CUDA here).
torch::Device parse_device(const std::string& device);

/// Throws kInvalidArgument/kUnsupported (naming `component`) for a bad device or fp16 on the CPU.
void check_device_precision(const std::string& device, Precision precision, const char* component);

/// The dtype the networks run in for `precision` on `device` (auto: fp16 on CUDA, fp32 elsewhere),
/// after setting the process-wide LibTorch switches they rely on:
/// - fp32 on CUDA turns TF32 off for cuDNN and cuBLAS, so that it is the CPU's fp32 (the fixtures'
///   tolerances hold; with TF32 the synthesizer drifts by 2e-3);
/// - the first network loaded gives LibTorch one thread per logical core, unless OMP_NUM_THREADS
///   is set (LibTorch's own default counts physical cores, and is 1 on many 2-vCPU machines);
///   later changes by the host program or EngineConfig::num_threads stand;
/// - the first network loaded also keeps an OpenBLAS (LibTorch's BLAS on Debian) to one thread,
///   the caller's, unless OPENBLAS_NUM_THREADS is set: its own pool beside LibTorch's threads
///   oversubscribes the cores. This is process-wide too, so a host's NumPy on the same OpenBLAS
///   runs its products single-threaded after it.
torch::ScalarType prepare_networks(Precision precision, const torch::Device& device);

/// Reads a state dict (name -> tensor) in the file's dtypes, folding weight normalisation once
/// (in float32):
/// `X.weight_g`/`X.weight_v` and `X.parametrizations.weight.original0/1` become `X.weight`
/// = g · v / ‖v‖, the norm taken over every dimension where g has extent 1.
StateDict read_state_dict(const io::Value& weights, const std::string& path);

/// Sets every parameter and buffer of `module` from `state` by name (prefixed by `prefix`),
/// sharing the state's storage where the dtype matches (so the two are one copy of the weights).
/// Throws kCorruptFile naming the file and key when one is missing or has another shape.
void load_parameters(torch::nn::Module& module, const StateDict& state, const std::string& prefix,
                     const std::string& path);

/// One buffer that successive blocks of a computation (attention scores, layer after layer) write
/// into: a fresh block of tens of MB is mapped anew each time, and faulting its pages in costs more
/// than the products that fill it. Not shared between threads.
class ScratchBuffer {
 public:
  /// A contiguous tensor of `sizes` over the buffer's front, which grows when too small; the view
  /// stays valid until the next call.
  torch::Tensor view(at::IntArrayRef sizes, const torch::TensorOptions& options);

 private:
  torch::Tensor storage_;
};

/// at::parallel_for for bodies that run LibTorch operations: each worker thread runs with the
/// caller's thread-local state (inference mode, grad mode), which LibTorch's workers do not inherit;
/// without it, writing into the caller's inference tensors throws.
void parallel_for_as_caller(int64_t begin, int64_t end, int64_t grain,
                            const std::function<void(int64_t begin, int64_t end)>& body);

/// Attention computed in blocks of query rows: each block's score and softmax-weight buffers,
/// reused from block to block and layer to layer, one pair per thread.
class AttentionScratch {
 public:
  struct Buffers {
    ScratchBuffer scores, weights;
  };

  /// Calls block(first, rows, buffers) for query rows [0, length) in blocks of at most `max_rows`
  /// rows. On the CPU the blocks are split evenly across LibTorch's threads, each block running
  /// single-threaded with its thread's buffers: the products inside stay on LibTorch's threads
  /// (the BLAS runs on its caller, see prepare_networks) rather than each being split anew with the
  /// threads meeting after every one. Elsewhere the blocks run in order.
  void for_each_block(int64_t length, int64_t max_rows, bool on_cpu,
                      const std::function<void(int64_t first, int64_t rows, Buffers& buffers)>& block);

 private:
  std::vector<Buffers> per_thread_;
};

}  // namespace rvc::torch_util
