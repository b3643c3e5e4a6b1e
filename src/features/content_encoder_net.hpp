// HuBERT-Base (fairseq HubertModel, extractor_mode "default", post-LN) as a LibTorch module tree
// whose names are fairseq's state-dict keys. Private to rvc_core.
#pragma once

#include <torch/torch.h>

#include <memory>
#include <vector>

#include "backend/torch_util.hpp"
#include "synth/time_major_conv.hpp"

namespace rvc::features {

struct EncoderArchitecture {
  std::vector<int64_t> conv_channels, conv_kernels, conv_strides;
  bool conv_bias = false;
  int64_t hidden = 0, layers = 0, heads = 0, ffn = 0;
  int64_t pos_kernel = 0, pos_groups = 0;
  int64_t final_dim = 0;  // 0: no final_proj
  double layer_norm_eps = 1e-5;
};

// conv_layers.<i>: the conv ("0") and, for layer 0, its GroupNorm ("2").
struct ConvLayer : torch::nn::Module {
  ConvLayer(int64_t in, int64_t out, int64_t kernel, int64_t stride, bool bias, bool group_norm);
  void prepare();
  torch::nn::Conv1d conv{nullptr};
  torch::nn::GroupNorm norm{nullptr};
  // Layers without a norm, on CPUs with AVX-512 in fp32: the convolution as a linear layer over
  // overlapping time-major frames (weights [out, kernel · in]; the module's weight is released).
  std::shared_ptr<const synth::RowLinear> fast;
};

// fairseq MultiheadAttention (self-attention only).
struct SelfAttention : torch::nn::Module {
  SelfAttention(int64_t hidden, int64_t heads);
  // Packs q/k/v into one product, after the weights are loaded.
  void prepare();
  torch::Tensor forward(const torch::Tensor& x, torch_util::AttentionScratch& scratch);  // [T, H] -> [T, H]

  int64_t heads, head_dim;
  torch::nn::Linear q_proj{nullptr}, k_proj{nullptr}, v_proj{nullptr}, out_proj{nullptr};
  torch::Tensor qkv_weight, qkv_bias;
  // On CPUs with AVX-512 in fp32, the projections in the time-major kernel (the modules' weights
  // are then released).
  std::shared_ptr<const synth::RowLinear> fast_qkv, fast_out;
};

// encoder.layers.<i>: post-LN transformer layer.
struct TransformerLayer : torch::nn::Module {
  TransformerLayer(int64_t hidden, int64_t heads, int64_t ffn, double eps);
  void prepare();
  torch::Tensor forward(const torch::Tensor& x, torch_util::AttentionScratch& scratch);

  std::shared_ptr<SelfAttention> self_attn;
  torch::nn::LayerNorm self_attn_layer_norm{nullptr}, final_layer_norm{nullptr};
  torch::nn::Linear fc1{nullptr}, fc2{nullptr};
  std::shared_ptr<const synth::RowLinear> fast_fc1, fast_fc2;  // as SelfAttention's
};

struct HubertNet : torch::nn::Module {
  explicit HubertNet(const EncoderArchitecture& arch);
  void prepare();

  // [N] samples -> [T, C] conv features.
  torch::Tensor conv_features(const torch::Tensor& samples);
  // [T, C] conv features -> [T, H] transformer input (after pos_conv and encoder.layer_norm).
  torch::Tensor transformer_input(const torch::Tensor& conv_features);

  EncoderArchitecture arch;
  std::vector<std::shared_ptr<ConvLayer>> conv_layers;
  torch::nn::LayerNorm layer_norm{nullptr};
  torch::nn::Linear post_extract_proj{nullptr};
  torch::nn::Conv1d pos_conv{nullptr};
  torch::nn::LayerNorm encoder_layer_norm{nullptr};
  std::vector<std::shared_ptr<TransformerLayer>> layers;
  torch::nn::Linear final_proj{nullptr};
};

}  // namespace rvc::features
