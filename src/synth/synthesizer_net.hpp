// RVC's synthesizer as a LibTorch module tree whose registered names equal RVC's state-dict keys
// (spec/rvc-inference.md section 2), so weights load by name. Private to rvc_core.
#pragma once

#include <torch/torch.h>

#include "backend/torch_util.hpp"
#include "synth/time_major_conv.hpp"

#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "rvc/model/model_info.hpp"
#include "rvc/synth/synthesizer.hpp"

namespace rvc::synth {

/// Multi-head self-attention with relative position embeddings (window 10), as attentions.py.
struct RelativeAttention : torch::nn::Module {
  RelativeAttention(int channels, int heads, int window);
  /// x [B, C, T]; mask [B, 1, T] (1 inside the sequence). Scores are built a block of queries at a time.
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& mask, torch_util::AttentionScratch& scratch);

  int heads, head_dim, window;
  torch::nn::Conv1d conv_q{nullptr}, conv_k{nullptr}, conv_v{nullptr}, conv_o{nullptr};
  torch::Tensor emb_rel_k, emb_rel_v;
};

/// LayerNorm over the channel dimension of [B, C, T] with parameters gamma/beta.
struct ChannelLayerNorm : torch::nn::Module {
  explicit ChannelLayerNorm(int channels);
  torch::Tensor forward(const torch::Tensor& x);
  torch::Tensor gamma, beta;
};

/// conv(k) -> ReLU -> conv(k), masked, "same" padding.
struct FeedForward : torch::nn::Module {
  FeedForward(int channels, int filter_channels, int kernel_size);
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& mask);
  int kernel_size;
  torch::nn::Conv1d conv_1{nullptr}, conv_2{nullptr};
};

/// enc_p: features (+ pitch embedding) -> prior mean and log-scale.
struct TextEncoder : torch::nn::Module {
  TextEncoder(const model::ModelConfig& config, int feature_dim, bool has_pitch);
  /// Returns (m_p, logs_p, mask) for frames [flow_head, T).
  std::tuple<torch::Tensor, torch::Tensor, torch::Tensor> forward(const torch::Tensor& phone,
                                                                  const torch::Tensor& pitch,
                                                                  int64_t flow_head);
  int hidden, inter;
  torch::nn::Linear emb_phone{nullptr};
  torch::nn::Embedding emb_pitch{nullptr};
  std::shared_ptr<torch::nn::Module> encoder;
  std::vector<std::shared_ptr<RelativeAttention>> attn_layers;
  std::vector<std::shared_ptr<ChannelLayerNorm>> norm_layers_1, norm_layers_2;
  std::vector<std::shared_ptr<FeedForward>> ffn_layers;
  torch::nn::Conv1d proj{nullptr};
};

/// WaveNet-style gated stack conditioned on the speaker embedding.
struct WaveNet : torch::nn::Module {
  WaveNet(int hidden, int kernel_size, int layers, int gin_channels);
  torch::Tensor forward(torch::Tensor x, const torch::Tensor& mask, const torch::Tensor& g);
  int hidden, layers;
  std::vector<torch::nn::Conv1d> in_layers, res_skip_layers;
  torch::nn::Conv1d cond_layer{nullptr};
};

/// One mean-only affine coupling layer, run in reverse.
struct CouplingLayer : torch::nn::Module {
  CouplingLayer(int channels, int hidden, int gin_channels);
  torch::Tensor reverse(const torch::Tensor& x, const torch::Tensor& mask, const torch::Tensor& g);
  int half;
  torch::nn::Conv1d pre{nullptr}, post{nullptr};
  std::shared_ptr<WaveNet> enc;
};

/// flow: four coupling layers with channel flips between them.
struct Flow : torch::nn::Module {
  Flow(int channels, int hidden, int gin_channels);
  torch::Tensor reverse(torch::Tensor x, const torch::Tensor& mask, const torch::Tensor& g);
  std::vector<std::shared_ptr<CouplingLayer>> couplings;
};

/// A convolution prepared for inference: weights folded and contiguous, and a transposed
/// convolution turned into its polyphase form, one ordinary convolution with stride × out channels
/// whose outputs interleave into the upsampled signal (no multiplications by inserted zeros).
struct PackedConv {
  static PackedConv from(const torch::nn::Conv1d& conv);
  static PackedConv from(const torch::nn::ConvTranspose1d& conv);
  /// [B, Cin, L] -> [B, Cout, L'].
  torch::Tensor operator()(const torch::Tensor& x) const;

  torch::Tensor weight, bias;
  int64_t stride = 1, padding = 0, dilation = 1;
  int64_t phases = 1;        ///< > 1 for a transposed convolution: its stride
  int64_t phase_offset = 0;  ///< Leading interleaved samples to drop (the transposed padding)
  int64_t out_channels = 0;
};

/// The positions of a tile tensor (last dimension) that lie inside the signal. A convolution's
/// input is zeroed outside them, which is exactly the zero padding the whole-signal convolution
/// sees at the signal's ends.
struct ValidRange {
  int64_t begin = 0, end = 0;  ///< Relative to the tensor's first position.
  /// For a tensor whose first position is `offset` in a signal of `total` positions.
  static ValidRange of(int64_t offset, int64_t width, int64_t total);
  void apply(torch::Tensor& x) const;  ///< Zeroes the positions outside, in place.
  bool covers(int64_t width) const { return begin == 0 && end == width; }
};

/// HiFi-GAN ResBlock1 (three dilated conv pairs with residuals).
struct ResBlock : torch::nn::Module {
  ResBlock(int channels, int kernel_size, const std::vector<int>& dilations);
  /// `x` and `activated` = leaky_relu(x) (shared by a stage's blocks); every
  /// convolution input is masked to `valid`.
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& activated, const ValidRange& valid) const;
  /// Positions one side of an output depends on.
  int64_t radius() const;
  void prepare();
  std::vector<torch::nn::Conv1d> convs1, convs2;
  std::vector<PackedConv> packed1, packed2;
};

/// A stage's blocks for the time-major CPU kernel (fp32 weights on a CPU with AVX-512, widths a
/// multiple of 16); null where it does not apply.
std::shared_ptr<const TimeMajorResBlocks> time_major_resblocks(const std::vector<std::shared_ptr<ResBlock>>& blocks);
/// The average of a stage's blocks on x [1, C, T] through the kernel, as [1, C, T]; convolution
/// inputs are masked to `valid` as ResBlock::forward masks them.
torch::Tensor run_time_major(const TimeMajorResBlocks& blocks, const torch::Tensor& x, const ValidRange& valid);

/// dec: HiFi-GAN generator, with the NSF harmonic source for pitch models.
struct Generator : torch::nn::Module {
  Generator(const model::ModelConfig& config, bool has_pitch);
  /// z [1, inter, T] -> audio [1, 1, T·hop]. `f0` [1, T] in Hz (pitch models).
  torch::Tensor forward(torch::Tensor z, const torch::Tensor& f0, const torch::Tensor& g,
                        int64_t resampled_frames, const InferOptions& options, torch::Generator& rng,
                        torch::Tensor* har_source_out);
  torch::Tensor harmonic_source(const torch::Tensor& f0, const InferOptions& options, torch::Generator& rng);
  /// Packs the convolutions for inference; call after moving to the final device and dtype.
  void prepare();
  /// The vocoder on one tile of `tile_frames` output frames starting at frame `first_frame`.
  torch::Tensor run_tile(const torch::Tensor& z, const torch::Tensor& har, const torch::Tensor& condition,
                         int64_t first_frame, int64_t tile_frames) const;

  /// Input ranges of one tile, relative to the tile's first position at each stage's rate
  /// (derived backwards from the output by receptive-field arithmetic).
  struct TilePlan {
    int64_t z_begin = 0, z_end = 0;                  ///< frames read
    std::vector<int64_t> in_begin, in_end;           ///< stage input, at the previous rate
    std::vector<int64_t> out_begin, out_end;         ///< stage after upsampling (resblock input)
    std::vector<int64_t> keep_begin, keep_end;       ///< stage output that later layers need
  };
  TilePlan plan_tile(int64_t tile_frames) const;
  const TilePlan& cached_plan(int64_t tile_frames) const;

  bool has_pitch;
  int hop, sample_rate_hz;
  std::vector<int> upsample_rates;
  torch::nn::Linear l_linear{nullptr};
  torch::nn::Conv1d conv_pre{nullptr}, cond{nullptr}, conv_post{nullptr};
  std::vector<torch::nn::ConvTranspose1d> ups;
  std::vector<torch::nn::Conv1d> noise_convs;
  std::vector<std::shared_ptr<ResBlock>> resblocks;
  PackedConv packed_pre, packed_post;
  std::vector<PackedConv> packed_ups, packed_noise;
  /// Per stage, the ResBlocks for the time-major CPU kernel; null where it does not apply
  /// (GPU, half precision, widths it does not block, CPUs without AVX-512).
  std::vector<std::shared_ptr<const TimeMajorResBlocks>> time_major_stages;
  std::vector<int64_t> rates_so_far;  ///< samples per frame after stage i
  std::vector<int64_t> noise_strides;  ///< harmonic-source samples per stage-i sample

 private:
  mutable std::mutex plans_mutex_;
  mutable std::map<int64_t, TilePlan> plans_;
};

/// The whole synthesizer (enc_q is never built: inference only).
struct SynthesizerNet : torch::nn::Module {
  SynthesizerNet(const model::ModelInfo& info);
  std::shared_ptr<TextEncoder> enc_p;
  std::shared_ptr<Flow> flow;
  std::shared_ptr<Generator> dec;
  torch::nn::Embedding emb_g{nullptr};
};

}  // namespace rvc::synth
