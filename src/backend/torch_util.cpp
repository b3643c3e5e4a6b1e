#include "backend/torch_util.hpp"

#include <ATen/ThreadLocalState.h>

#include <mutex>
#include <thread>

#include "backend/process_resources.hpp"

#ifdef __GLIBC__
#include <malloc.h>
#endif

#include <dlfcn.h>

#include <cstdlib>
#include <cstring>

#include "rvc/error.hpp"

namespace rvc::torch_util {
namespace {

// An OpenBLAS built on pthreads (Debian's libopenblas0-pthread, LibTorch's CPU BLAS here) runs its
// own pool of a thread per core beside LibTorch's OpenMP threads: a product started from one of
// them then runs on twice as many threads as cores, and the idle pool spins in sched_yield while the
// OpenMP threads work (measured: a 60 s conversion 8% slower, a third more system time). With one
// OpenBLAS thread each product runs on its calling thread, and the networks split the products that
// matter across the OpenMP threads themselves. Other BLAS libraries lack the symbol and are left be.
void keep_openblas_on_calling_threads() {
  using SetThreads = void (*)(int);
  void* symbol = dlsym(RTLD_DEFAULT, "openblas_set_num_threads");
  if (symbol == nullptr) {
    // A module loaded with RTLD_LOCAL (Python's) sees its dependencies only through their handle.
    if (void* blas = dlopen("libblas.so.3", RTLD_NOW | RTLD_NOLOAD)) {
      symbol = dlsym(blas, "openblas_set_num_threads");
      dlclose(blas);
    }
  }
  if (symbol != nullptr) reinterpret_cast<SetThreads>(symbol)(1);
}

torch::ScalarType scalar_type(io::DType dtype) {
  switch (dtype) {
    case io::DType::kFloat16: return torch::kFloat16;
    case io::DType::kBFloat16: return torch::kBFloat16;
    case io::DType::kFloat32: return torch::kFloat32;
    case io::DType::kFloat64: return torch::kFloat64;
    case io::DType::kInt64: return torch::kInt64;
    case io::DType::kInt32: return torch::kInt32;
    case io::DType::kInt16: return torch::kInt16;
    case io::DType::kInt8: return torch::kInt8;
    case io::DType::kUInt8: return torch::kUInt8;
    case io::DType::kBool: return torch::kBool;
  }
  return torch::kFloat32;
}

std::string shape_text(at::IntArrayRef sizes) {
  std::string text = "[";
  for (std::size_t i = 0; i < sizes.size(); ++i) text += (i ? ", " : "") + std::to_string(sizes[i]);
  return text + "]";
}

torch::Tensor fold(const torch::Tensor& g, const torch::Tensor& v) {
  std::vector<int64_t> norm_dims;
  for (int64_t d = 0; d < v.dim(); ++d) {
    if (d >= g.dim() || g.size(d) == 1) norm_dims.push_back(d);
  }
  const torch::Tensor v64 = v.to(torch::kFloat64);
  const torch::Tensor norm = v64.pow(2).sum(norm_dims, /*keepdim=*/true).sqrt();
  return (g.to(torch::kFloat64) * v64 / norm).to(torch::kFloat32);
}

}  // namespace

torch::Tensor to_torch(const io::TensorData& tensor) {
  torch::Tensor out = torch::empty(tensor.shape(), torch::TensorOptions().dtype(scalar_type(tensor.dtype())));
  if (tensor.numel() > 0) tensor.copy_contiguous_to(out.data_ptr());
  return out;
}

io::TensorData to_tensor_data(const torch::Tensor& tensor) {
  const torch::Tensor cpu = tensor.detach().to(torch::kCPU, torch::kFloat32).contiguous();
  std::vector<std::int64_t> shape(cpu.sizes().begin(), cpu.sizes().end());
  std::vector<float> values(static_cast<std::size_t>(cpu.numel()));
  if (!values.empty()) std::memcpy(values.data(), cpu.data_ptr<float>(), values.size() * sizeof(float));
  return io::TensorData::from_floats(std::move(shape), values);
}

torch::Device parse_device(const std::string& device) {
  if (device == "cpu") return torch::Device(torch::kCPU);
  if (device == "cuda" || device.rfind("cuda:", 0) == 0) {
    int index = 0;
    if (device.size() > 5) {
      try {
        std::size_t used = 0;
        index = std::stoi(device.substr(5), &used);
        if (used != device.size() - 5 || index < 0) throw std::invalid_argument(device);
      } catch (const std::exception&) {
        throw Error(ErrorCode::kInvalidArgument, "device '" + device + "' is not valid; use cpu, cuda or cuda:N");
      }
    }
    if (!torch::cuda::is_available()) {
      throw Error(ErrorCode::kUnsupported, "device '" + device + "' was asked for, but this LibTorch build "
                                           "has no CUDA or no GPU is visible; use device cpu");
    }
    if (index >= static_cast<int>(torch::cuda::device_count())) {
      throw Error(ErrorCode::kInvalidArgument, "device '" + device + "' does not exist; " +
                                                   std::to_string(torch::cuda::device_count()) + " GPU(s) visible");
    }
    return torch::Device(torch::kCUDA, static_cast<c10::DeviceIndex>(index));
  }
  throw Error(ErrorCode::kInvalidArgument, "device '" + device + "' is not valid; use cpu, cuda or cuda:N");
}

void check_device_precision(const std::string& device, Precision precision, const char* component) {
  const torch::Device parsed = parse_device(device);
  if (precision == Precision::kFloat16 && !parsed.is_cuda()) {
    throw Error(ErrorCode::kUnsupported,
                std::string(component) + ": fp16 runs on CUDA only; use fp32 (or bf16) on " + device);
  }
}

torch::ScalarType prepare_networks(Precision precision, const torch::Device& device) {
  static std::once_flag threads_chosen;
  std::call_once(threads_chosen, [] {
    if (std::getenv("OMP_NUM_THREADS") == nullptr) set_cpu_threads(0);
    if (std::getenv("OPENBLAS_NUM_THREADS") == nullptr) keep_openblas_on_calling_threads();
  });
  torch::ScalarType dtype = device.is_cuda() ? torch::kFloat16 : torch::kFloat32;
  switch (precision) {
    case Precision::kFloat32: dtype = torch::kFloat32; break;
    case Precision::kFloat16: dtype = torch::kFloat16; break;
    case Precision::kBFloat16: dtype = torch::kBFloat16; break;
    case Precision::kAuto: break;
  }
  if (device.is_cuda() && dtype == torch::kFloat32) {
    at::globalContext().setAllowTF32CuDNN(false);
    at::globalContext().setAllowTF32CuBLAS(false);
  }
  return dtype;
}

StateDict read_state_dict(const io::Value& weights, const std::string& path) {
  if (!weights.is_dict()) {
    throw Error(ErrorCode::kCorruptFile, "'" + path + "' holds no state dict of weights");
  }
  StateDict raw;
  for (const auto& [key, value] : weights.as_dict()) {
    if (key.kind() != io::Value::Kind::kString || value.kind() != io::Value::Kind::kTensor) continue;
    raw.emplace(key.as_string(), to_torch(value.as_tensor()));
  }
  StateDict state;
  for (auto& [name, tensor] : raw) {
    auto ends_with = [&](const std::string& suffix) {
      return name.size() >= suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
    };
    std::string base, v_name;
    if (ends_with(".weight_g")) {
      base = name.substr(0, name.size() - 9);
      v_name = base + ".weight_v";
    } else if (ends_with(".parametrizations.weight.original0")) {
      base = name.substr(0, name.size() - 34);
      v_name = base + ".parametrizations.weight.original1";
    } else if (ends_with(".weight_v") || ends_with(".parametrizations.weight.original1")) {
      continue;  // folded together with its g
    } else {
      // Kept in the file's dtype: load_parameters converts while copying, so loading never holds a
      // float32 copy of the whole file besides the model's own parameters.
      state[name] = std::move(tensor);
      continue;
    }
    auto v = raw.find(v_name);
    if (v == raw.end()) {
      throw Error(ErrorCode::kCorruptFile, "'" + path + "' has " + name + " but not " + v_name +
                                               "; the weights are incomplete");
    }
    state[base + ".weight"] = fold(tensor, v->second);
  }
  return state;
}

void load_parameters(torch::nn::Module& module, const StateDict& state, const std::string& prefix,
                     const std::string& path) {
  torch::NoGradGuard no_grad;
  auto copy = [&](const std::string& name, torch::Tensor& target) {
    const std::string key = prefix + name;
    auto found = state.find(key);
    if (found == state.end()) {
      throw Error(ErrorCode::kCorruptFile, "'" + path + "' lacks the weight '" + key +
                                               "'; the model is incomplete or of another architecture");
    }
    if (found->second.sizes() != target.sizes()) {
      throw Error(ErrorCode::kCorruptFile, "'" + path + "' weight '" + key + "' has shape " +
                                               shape_text(found->second.sizes()) + " but its config needs " +
                                               shape_text(target.sizes()));
    }
    // Share the state dict's storage when the dtype matches: loading then holds the weights once.
    if (found->second.scalar_type() == target.scalar_type()) {
      target.set_(found->second);
    } else {
      target.copy_(found->second);
    }
  };
  for (auto& item : module.named_parameters(/*recurse=*/true)) copy(item.key(), item.value());
  for (auto& item : module.named_buffers(/*recurse=*/true)) copy(item.key(), item.value());
}

torch::Tensor ScratchBuffer::view(at::IntArrayRef sizes, const torch::TensorOptions& options) {
  const int64_t elements = c10::multiply_integers(sizes);
  if (!storage_.defined() || storage_.numel() < elements || storage_.dtype() != options.dtype() ||
      storage_.device() != options.device()) {
    storage_ = torch::Tensor();  // the old buffer goes before the new one is taken
    storage_ = torch::empty({elements}, options);
  }
  return storage_.narrow(0, 0, elements).view(sizes);
}

void AttentionScratch::for_each_block(int64_t length, int64_t max_rows, bool on_cpu,
                                      const std::function<void(int64_t, int64_t, Buffers&)>& block) {
  if (length <= 0) return;
  const int64_t threads = on_cpu ? std::max(1, at::get_num_threads()) : 1;
  if (per_thread_.size() < static_cast<std::size_t>(threads)) per_thread_.resize(static_cast<std::size_t>(threads));
  // A whole number of blocks per thread, each as large as allowed.
  int64_t blocks = (length + std::max<int64_t>(1, max_rows) - 1) / std::max<int64_t>(1, max_rows);
  blocks = std::min(length, (blocks + threads - 1) / threads * threads);
  const int64_t rows_per_block = (length + blocks - 1) / blocks;
  auto run = [&](int64_t begin, int64_t end) {
    Buffers& buffers = per_thread_[static_cast<std::size_t>(threads > 1 ? at::get_thread_num() : 0)];
    for (int64_t index = begin; index < end; ++index) {
      const int64_t first = index * rows_per_block;
      if (first < length) block(first, std::min(rows_per_block, length - first), buffers);
    }
  };
  if (threads > 1) {
    parallel_for_as_caller(0, blocks, 1, run);
  } else {
    run(0, blocks);
  }
}

void parallel_for_as_caller(int64_t begin, int64_t end, int64_t grain,
                            const std::function<void(int64_t, int64_t)>& body) {
  const at::ThreadLocalState caller_state;
  at::parallel_for(begin, end, grain, [&](int64_t first, int64_t last) {
    const at::ThreadLocalStateGuard same_state_as_caller(caller_state);
    body(first, last);
  });
}

void set_cpu_threads(int threads) {
  if (threads <= 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  if (at::get_num_threads() != threads) torch::set_num_threads(threads);
}

void release_free_memory() noexcept {
#ifdef __GLIBC__
  malloc_trim(0);
#endif
}

void bound_heap_fragmentation() noexcept {
#ifdef __GLIBC__
  static const bool done = [] {
    constexpr int kThresholdBytes = 8 << 20;
    if (std::getenv("MALLOC_MMAP_THRESHOLD_") == nullptr) mallopt(M_MMAP_THRESHOLD, kThresholdBytes);
    return true;
  }();
  (void)done;
#endif
}

}  // namespace rvc::torch_util
