#include "features/content_encoder_net.hpp"

#include <ATen/Parallel.h>

#include <algorithm>
#include <cmath>

namespace rvc::features {
namespace {

// Attention scores are built this many bytes at a time per thread (a block of queries against every
// key), so a 40 s chunk does not need heads × T² floats (and their softmax) at once.
constexpr int64_t kScoreBlockBytes = 16 << 20;

// The conv stack runs this many output frames (5 s) at a time: its first layer alone makes 512
// floats per 5 input samples, 0.8 GB with its norm and GELU for a 40 s chunk.
constexpr int64_t kConvTileFrames = 250;

// fairseq computes GELU and softmax in float32 and casts back; so do we under fp16.
torch::Tensor gelu_fp32(const torch::Tensor& x) {
  if (x.scalar_type() == torch::kFloat32) return torch::gelu(x);
  return torch::gelu(x.to(torch::kFloat32)).to(x.scalar_type());
}

// Adds each row's sum and sum of squares (in float64: a float32 square is exact there) to `sum` and
// `square_sum`, read straight from the float32 rows: a float64 copy of a tile and of its square
// would be two more fresh 65 MB buffers per tile.
void add_row_moments(const torch::Tensor& rows, torch::Tensor& sum, torch::Tensor& square_sum) {
  const int64_t width = rows.size(1);
  const float* values = rows.data_ptr<float>();
  double* sums = sum.data_ptr<double>();
  double* square_sums = square_sum.data_ptr<double>();
  at::parallel_for(0, rows.size(0), 1, [&](int64_t begin, int64_t end) {
    for (int64_t row = begin; row < end; ++row) {
      const float* line = values + row * width;
      constexpr int64_t kLanes = 8;  // independent sums, so that the additions pipeline
      double total[kLanes] = {}, squares[kLanes] = {};
      int64_t i = 0;
      for (; i + kLanes <= width; i += kLanes) {
        for (int64_t lane = 0; lane < kLanes; ++lane) {
          const double v = line[i + lane];
          total[lane] += v;
          squares[lane] += v * v;
        }
      }
      for (; i < width; ++i) {
        total[0] += line[i];
        squares[0] += static_cast<double>(line[i]) * line[i];
      }
      for (int64_t lane = 0; lane < kLanes; ++lane) {
        sums[row] += total[lane];
        square_sums[row] += squares[lane];
      }
    }
  });
}

torch::nn::Linear linear(int64_t in, int64_t out) { return torch::nn::Linear(torch::nn::LinearOptions(in, out)); }

torch::nn::LayerNorm make_layer_norm(int64_t channels, double eps) {
  return torch::nn::LayerNorm(torch::nn::LayerNormOptions({channels}).eps(eps));
}

// The kernel's version of a linear module, when this CPU runs it and the weights are CPU fp32;
// the module's weight is then released (the kernel holds it, in fp16 when that is exact).
std::shared_ptr<const synth::RowLinear> fast_linear(const torch::Tensor& weight, const torch::Tensor& bias) {
  if (!weight.device().is_cpu() || weight.scalar_type() != torch::kFloat32 || !bias.defined() ||
      !synth::RowLinear::supported(weight.size(1), weight.size(0))) {
    return nullptr;
  }
  const torch::Tensor w = weight.contiguous(), b = bias.contiguous();
  return std::make_shared<const synth::RowLinear>(w.data_ptr<float>(), b.data_ptr<float>(), w.size(0), w.size(1));
}

// run(first, count) over rows [0, rows), split across the threads in whole kernel row blocks.
template <typename Run>
void run_rows(int64_t rows, const Run& run) {
  constexpr int64_t kBlock = synth::TimeMajorConv::kRowMultiple;
  at::parallel_for(0, (rows + kBlock - 1) / kBlock, 1, [&](int64_t begin, int64_t end) {
    run(begin * kBlock, std::min(end * kBlock, rows) - begin * kBlock);
  });
}

// x [T, in] -> x · Wᵀ + b (+ residual) [T, out].
torch::Tensor run_linear(const synth::RowLinear& linear, const torch::Tensor& x,
                         const torch::Tensor& residual = torch::Tensor()) {
  const torch::Tensor input = x.contiguous();
  const torch::Tensor add = residual.defined() ? residual.contiguous() : residual;
  const int64_t in = linear.in_features(), out = linear.out_features();
  torch::Tensor output = torch::empty({input.size(0), out}, input.options());
  run_rows(input.size(0), [&](int64_t first, int64_t count) {
    const float* residual_rows = add.defined() ? add.data_ptr<float>() + first * out : nullptr;
    linear.run(input.data_ptr<float>() + first * in, count, residual_rows, output.data_ptr<float>() + first * out);
  });
  return output;
}

void release(torch::nn::Linear& module) { module->weight.set_(); }

}  // namespace

ConvLayer::ConvLayer(int64_t in, int64_t out, int64_t kernel, int64_t stride, bool bias, bool group_norm) {
  conv = register_module("0", torch::nn::Conv1d(torch::nn::Conv1dOptions(in, out, kernel).stride(stride).bias(bias)));
  // fairseq's Fp32GroupNorm(dim, dim): one group per channel.
  if (group_norm) norm = register_module("2", torch::nn::GroupNorm(torch::nn::GroupNormOptions(out, out)));
}

void ConvLayer::prepare() {
  if (norm) return;
  const torch::Tensor& weight = conv->weight;  // [out, in, kernel]
  const torch::Tensor bias = conv->bias.defined() ? conv->bias : torch::zeros({weight.size(0)}, weight.options());
  // Frame-major rows read kernel frames of `in` channels: the weight as [out, kernel · in].
  fast = fast_linear(weight.permute({0, 2, 1}).reshape({weight.size(0), -1}), bias);
  if (fast) conv->weight.set_();
}

SelfAttention::SelfAttention(int64_t hidden, int64_t heads_) : heads(heads_), head_dim(hidden / heads_) {
  q_proj = register_module("q_proj", linear(hidden, hidden));
  k_proj = register_module("k_proj", linear(hidden, hidden));
  v_proj = register_module("v_proj", linear(hidden, hidden));
  out_proj = register_module("out_proj", linear(hidden, hidden));
}

void SelfAttention::prepare() {
  // One product for q, k and v; the three parameters become views of the packed tensors, so the
  // weights are held once.
  torch::NoGradGuard no_grad;
  qkv_weight = torch::cat({q_proj->weight, k_proj->weight, v_proj->weight}).detach();
  qkv_bias = torch::cat({q_proj->bias, k_proj->bias, v_proj->bias}).detach();
  const int64_t hidden = q_proj->weight.size(0);
  int64_t index = 0;
  for (const auto& projection : {q_proj, k_proj, v_proj}) {
    projection->weight.set_(qkv_weight.narrow(0, index * hidden, hidden));
    projection->bias.set_(qkv_bias.narrow(0, index * hidden, hidden));
    ++index;
  }
  fast_qkv = fast_linear(qkv_weight, qkv_bias);
  fast_out = fast_linear(out_proj->weight, out_proj->bias);
  if (fast_qkv) {
    qkv_weight = torch::Tensor();
    for (auto* projection : {&q_proj, &k_proj, &v_proj}) release(*projection);
  }
  if (fast_out) release(out_proj);
}

torch::Tensor SelfAttention::forward(const torch::Tensor& x, torch_util::AttentionScratch& scratch) {
  const int64_t length = x.size(0), hidden = x.size(1);
  const torch::Tensor qkv = fast_qkv ? run_linear(*fast_qkv, x) : torch::addmm(qkv_bias, x, qkv_weight.t());
  auto split_heads = [&](int64_t index) {  // [T, H] -> [heads, T, head_dim]
    return qkv.narrow(1, index * hidden, hidden).view({length, heads, head_dim}).transpose(0, 1);
  };
  // fairseq scales q (bias included) by head_dim^-0.5 before the product.
  const torch::Tensor query = split_heads(0) * (1.0 / std::sqrt(static_cast<double>(head_dim)));
  const torch::Tensor key_t = split_heads(1).transpose(1, 2);
  const torch::Tensor value = split_heads(2);
  const int64_t row_bytes = std::max<int64_t>(1, heads * length * x.element_size());
  const int64_t max_rows = std::max<int64_t>(1, kScoreBlockBytes / row_bytes);
  torch::Tensor output = torch::empty({heads, length, head_dim}, x.options());
  const bool fp32 = x.scalar_type() == torch::kFloat32;
  scratch.for_each_block(length, max_rows, x.is_cpu(), [&](int64_t first, int64_t rows,
                                                          torch_util::AttentionScratch::Buffers& buffers) {
    torch::Tensor scores = buffers.scores.view({heads, rows, length}, x.options());
    torch::bmm_out(scores, query.narrow(1, first, rows), key_t);
    torch::Tensor weights;
    if (fp32) {
      weights = buffers.weights.view({heads, rows, length}, x.options());
      at::_softmax_out(weights, scores, -1, false);
    } else {
      weights = torch::softmax(scores, -1, torch::kFloat32).to(x.scalar_type());
    }
    torch::Tensor block_output = output.narrow(1, first, rows);
    torch::bmm_out(block_output, weights, value);
  });
  const torch::Tensor heads_joined = output.transpose(0, 1).reshape({length, hidden});
  return fast_out ? run_linear(*fast_out, heads_joined) : out_proj->forward(heads_joined);
}

TransformerLayer::TransformerLayer(int64_t hidden, int64_t heads, int64_t ffn, double eps) {
  self_attn = register_module("self_attn", std::make_shared<SelfAttention>(hidden, heads));
  self_attn_layer_norm = register_module("self_attn_layer_norm", make_layer_norm(hidden, eps));
  fc1 = register_module("fc1", linear(hidden, ffn));
  fc2 = register_module("fc2", linear(ffn, hidden));
  final_layer_norm = register_module("final_layer_norm", make_layer_norm(hidden, eps));
}

void TransformerLayer::prepare() {
  self_attn->prepare();
  fast_fc1 = fast_linear(fc1->weight, fc1->bias);
  fast_fc2 = fast_linear(fc2->weight, fc2->bias);
  if (fast_fc1) release(fc1);
  if (fast_fc2) release(fc2);
}

torch::Tensor TransformerLayer::forward(const torch::Tensor& x, torch_util::AttentionScratch& scratch) {
  const torch::Tensor attended = self_attn_layer_norm->forward(x + self_attn->forward(x, scratch));
  const torch::Tensor inner = gelu_fp32(fast_fc1 ? run_linear(*fast_fc1, attended) : fc1->forward(attended));
  // (attended + fc2) as LibTorch sums it: the kernel adds the residual after the bias.
  return final_layer_norm->forward(fast_fc2 ? run_linear(*fast_fc2, inner, attended)
                                            : attended + fc2->forward(inner));
}

HubertNet::HubertNet(const EncoderArchitecture& arch_) : arch(arch_) {
  auto extractor = register_module("feature_extractor", std::make_shared<torch::nn::Module>());
  auto convs = extractor->register_module("conv_layers", torch::nn::ModuleList());
  int64_t in = 1;
  for (std::size_t i = 0; i < arch.conv_channels.size(); ++i) {
    conv_layers.push_back(std::make_shared<ConvLayer>(in, arch.conv_channels[i], arch.conv_kernels[i],
                                                      arch.conv_strides[i], arch.conv_bias, i == 0));
    convs->push_back(conv_layers.back());
    in = arch.conv_channels[i];
  }
  layer_norm = register_module("layer_norm", make_layer_norm(in, arch.layer_norm_eps));
  post_extract_proj = register_module("post_extract_proj", linear(in, arch.hidden));
  auto encoder = register_module("encoder", std::make_shared<torch::nn::Module>());
  auto pos = encoder->register_module("pos_conv", std::make_shared<torch::nn::Module>());
  pos_conv = pos->register_module(
      "0", torch::nn::Conv1d(torch::nn::Conv1dOptions(arch.hidden, arch.hidden, arch.pos_kernel)
                                 .padding(arch.pos_kernel / 2)
                                 .groups(arch.pos_groups)));
  encoder_layer_norm = encoder->register_module("layer_norm", make_layer_norm(arch.hidden, arch.layer_norm_eps));
  auto list = encoder->register_module("layers", torch::nn::ModuleList());
  for (int64_t i = 0; i < arch.layers; ++i) {
    layers.push_back(std::make_shared<TransformerLayer>(arch.hidden, arch.heads, arch.ffn, arch.layer_norm_eps));
    list->push_back(layers.back());
  }
  if (arch.final_dim > 0) final_proj = register_module("final_proj", linear(arch.hidden, arch.final_dim));
}

void HubertNet::prepare() {
  for (const auto& layer : conv_layers) layer->prepare();
  for (const auto& layer : layers) layer->prepare();
}

torch::Tensor HubertNet::conv_features(const torch::Tensor& samples) {
  // The stack is strided convolutions without padding, so output frames [a, b) depend on input
  // samples [a·stride, (b − 1)·stride + receptive) only. The one exception is the first layer's
  // GroupNorm (one group per channel, over all of time): its statistics come from a first pass
  // over the first layer's output, tile by tile.
  int64_t stride = 1, receptive = 1;
  for (auto layer = conv_layers.rbegin(); layer != conv_layers.rend(); ++layer) {
    const int64_t kernel = (*layer)->conv->options.kernel_size()->at(0);
    const int64_t layer_stride = (*layer)->conv->options.stride()->at(0);
    receptive = (receptive - 1) * layer_stride + kernel;
    stride *= layer_stride;
  }
  const int64_t length = samples.size(0);
  const int64_t frames = length < receptive ? 0 : (length - receptive) / stride + 1;
  auto run_stack = [&](const torch::Tensor& piece, const ConvLayer* normalised_first_layer,
                       const torch::Tensor& scale, const torch::Tensor& shift) {
    torch::Tensor x = piece.view({1, 1, -1});
    bool frame_major = false;  // x as [frames, channels] rather than [1, channels, frames]
    for (const auto& layer : conv_layers) {
      if (layer->fast) {
        if (!frame_major) x = x[0].t().contiguous();
        frame_major = true;
        const int64_t kernel = layer->conv->options.kernel_size()->at(0);
        const int64_t step = layer->conv->options.stride()->at(0);
        const int64_t channels = x.size(1), out_frames = (x.size(0) - kernel) / step + 1;
        torch::Tensor y = torch::empty({out_frames, layer->fast->out_features()}, x.options());
        run_rows(out_frames, [&](int64_t first, int64_t count) {
          layer->fast->run(x.data_ptr<float>() + first * step * channels, count, nullptr,
                           y.data_ptr<float>() + first * y.size(1), step * channels);
        });
        x = gelu_fp32(y);
        continue;
      }
      if (frame_major) x = x.t().unsqueeze(0);
      frame_major = false;
      x = layer->conv->forward(x);
      if (layer.get() == normalised_first_layer) {
        x = torch::addcmul(shift, x.to(torch::kFloat32), scale).to(samples.scalar_type());
      } else if (layer->norm) {
        x = layer->norm->forward(x.to(torch::kFloat32)).to(samples.scalar_type());  // Fp32GroupNorm
      }
      x = gelu_fp32(x);
    }
    return frame_major ? x : x[0].t();
  };
  ConvLayer& first = *conv_layers.front();
  if (frames <= kConvTileFrames || !first.norm) return run_stack(samples, nullptr, {}, {});

  const int64_t first_kernel = first.conv->options.kernel_size()->at(0);
  const int64_t first_stride = first.conv->options.stride()->at(0);
  const int64_t positions = (length - first_kernel) / first_stride + 1;
  const int64_t tile_positions = kConvTileFrames * stride / first_stride;
  torch::Tensor sum = torch::zeros({first.conv->options.out_channels()}, torch::kFloat64);
  torch::Tensor square_sum = torch::zeros_like(sum);
  for (int64_t p = 0; p < positions; p += tile_positions) {
    const int64_t count = std::min(tile_positions, positions - p);
    const torch::Tensor piece = samples.narrow(0, p * first_stride, (count - 1) * first_stride + first_kernel);
    const torch::Tensor y = first.conv->forward(piece.view({1, 1, -1}))[0];
    if (y.is_cpu() && y.scalar_type() == torch::kFloat32) {
      add_row_moments(y.contiguous(), sum, square_sum);
    } else {
      const torch::Tensor wide = y.to(torch::kFloat64);
      sum += wide.sum(1).cpu();
      square_sum += wide.square().sum(1).cpu();
    }
  }
  const torch::Tensor mean = sum / static_cast<double>(positions);
  const torch::Tensor variance = (square_sum / static_cast<double>(positions) - mean.square()).clamp_min(0);
  const torch::Tensor inv_std = (variance + first.norm->options.eps()).rsqrt();
  const torch::Tensor gamma = first.norm->weight.to(torch::kCPU, torch::kFloat64);
  const torch::Tensor beta = first.norm->bias.to(torch::kCPU, torch::kFloat64);
  const auto float_on_device = torch::TensorOptions().dtype(torch::kFloat32).device(samples.device());
  const torch::Tensor scale = (gamma * inv_std).to(float_on_device).view({1, -1, 1});
  const torch::Tensor shift = (beta - mean * gamma * inv_std).to(float_on_device).view({1, -1, 1});

  std::vector<torch::Tensor> tiles;
  for (int64_t a = 0; a < frames; a += kConvTileFrames) {
    const int64_t count = std::min(kConvTileFrames, frames - a);
    tiles.push_back(run_stack(samples.narrow(0, a * stride, (count - 1) * stride + receptive), &first, scale, shift));
  }
  return torch::cat(tiles, 0);
}

torch::Tensor HubertNet::transformer_input(const torch::Tensor& conv_features) {
  torch::Tensor x = post_extract_proj->forward(layer_norm->forward(conv_features));  // [T, H]
  torch::Tensor position = pos_conv->forward(x.t().unsqueeze(0))[0];      // [H, T + 1 - kernel % 2]
  if (arch.pos_kernel % 2 == 0) position = position.narrow(1, 0, position.size(1) - 1);  // SamePad
  x = x + gelu_fp32(position).t();
  return encoder_layer_norm->forward(x);
}

}  // namespace rvc::features
