#include "synth/synthesizer_net.hpp"

#include <algorithm>
#include <array>
#include <map>
#include <cmath>

namespace rvc::synth {
namespace {

namespace F = torch::nn::functional;

constexpr double kLeakySlope = 0.1;
constexpr double kSineAmplitude = 0.1;
constexpr double kVoicedNoiseStd = 0.003;
constexpr int kRelativeWindow = 10;
constexpr int kFlowCouplings = 4;
constexpr int kFlowWaveNetLayers = 3;
constexpr int kFlowKernel = 5;
// Vocoder tiles (frames). On the CPU 128 frames (1.3 s) balance the overlap each tile recomputes
// against cache use; shorter inputs are split so that every thread gets a tile. On a GPU, tiles
// only bound memory, so they are large.
constexpr int64_t kCpuTileFrames = 128;
constexpr int64_t kMinCpuTileFrames = 16;
constexpr int64_t kGpuTileFrames = 2000;

int64_t default_tile_frames(int64_t frames, bool on_cpu) {
  if (!on_cpu) return std::min(frames, kGpuTileFrames);
  const int64_t threads = std::max<int64_t>(at::get_num_threads(), 1);
  const int64_t per_thread = (frames + threads - 1) / threads;
  return std::min({frames, kCpuTileFrames, std::max(per_thread, kMinCpuTileFrames)});
}

torch::nn::Conv1d conv1d(int in, int out, int kernel, int padding = 0, int dilation = 1, bool bias = true,
                         int stride = 1) {
  return torch::nn::Conv1d(
      torch::nn::Conv1dOptions(in, out, kernel).padding(padding).dilation(dilation).bias(bias).stride(stride));
}

// "Same" padding for any kernel, as attentions.FFN pads: (k-1)/2 left, k/2 right.
torch::Tensor pad_same(const torch::Tensor& x, int kernel) {
  if (kernel == 1) return x;
  return F::pad(x, F::PadFuncOptions({(kernel - 1) / 2, kernel / 2}));
}

}  // namespace

RelativeAttention::RelativeAttention(int channels, int heads_, int window_)
    : heads(heads_), head_dim(channels / heads_), window(window_) {
  conv_q = register_module("conv_q", conv1d(channels, channels, 1));
  conv_k = register_module("conv_k", conv1d(channels, channels, 1));
  conv_v = register_module("conv_v", conv1d(channels, channels, 1));
  conv_o = register_module("conv_o", conv1d(channels, channels, 1));
  emb_rel_k = register_parameter("emb_rel_k", torch::zeros({1, 2 * window + 1, head_dim}), false);
  emb_rel_v = register_parameter("emb_rel_v", torch::zeros({1, 2 * window + 1, head_dim}), false);
}

namespace {

// Attention scores are built this many bytes at a time per thread (a block of queries against every
// key), so a 40 s chunk (4000 frames) does not need several heads × T² score matrices at once.
constexpr int64_t kScoreBlockBytes = 8 << 20;

// The band |j - i| <= w of a block of rows [B, H, rows, L + 2w] (w padding columns each side) whose
// first row is query `first_row`, as [B, H, rows, 2w + 1]: element (k, r) is column
// j = first_row + k + r - w. Band entries past either end fall in the padding.
torch::Tensor band_view(const torch::Tensor& padded, int64_t window, int64_t first_row) {
  const int64_t batch = padded.size(0), heads = padded.size(1), rows = padded.size(2);
  const int64_t row = padded.size(3);
  return padded.as_strided({batch, heads, rows, 2 * window + 1}, {heads * rows * row, rows * row, row + 1, 1},
                           padded.storage_offset() + first_row);
}

}  // namespace

torch::Tensor RelativeAttention::forward(const torch::Tensor& x, const torch::Tensor& mask,
                                         torch_util::AttentionScratch& scratch) {
  const int64_t batch = x.size(0), channels = x.size(1), length = x.size(2);
  const torch::Tensor query = conv_q(x).view({batch, heads, head_dim, length}).transpose(2, 3);
  const torch::Tensor key_t = conv_k(x).view({batch, heads, head_dim, length});
  const torch::Tensor value = conv_v(x).view({batch, heads, head_dim, length}).transpose(2, 3);
  const torch::Tensor scaled = query / std::sqrt(static_cast<double>(head_dim));
  const torch::Tensor relative_keys_t = emb_rel_k.unsqueeze(0).transpose(-2, -1);
  const torch::Tensor relative_values = emb_rel_v.unsqueeze(0);
  // attentions.py fills -1e4 where the query or the key lies past the sequence's length.
  const torch::Tensor padding = mask == 0;
  const bool any_padding = padding.any().item<bool>();
  const int64_t row_bytes = batch * heads * (length + 2 * window) * x.element_size();
  const int64_t max_rows = std::max<int64_t>(1, kScoreBlockBytes / std::max<int64_t>(1, row_bytes));
  torch::Tensor output = torch::empty({batch, heads, length, head_dim}, x.options());
  const torch::Tensor keys = key_t.reshape({batch * heads, head_dim, length});
  scratch.for_each_block(length, max_rows, x.is_cpu(), [&](int64_t first, int64_t rows,
                                                          torch_util::AttentionScratch::Buffers& buffers) {
    const torch::Tensor queries = scaled.narrow(2, first, rows);
    // attentions.py multiplies by 2L-1 relative embeddings, all zero beyond the window; only the
    // 2w+1 inside it contribute, so the band of the score matrix is computed directly. The band's
    // ends fall in the padding columns, which the softmax never reads.
    torch::Tensor padded = buffers.scores.view({batch, heads, rows, length + 2 * window}, x.options());
    torch::Tensor scores = padded.narrow(3, window, length);
    torch::Tensor product = buffers.weights.view({batch * heads, rows, length}, x.options());
    torch::bmm_out(product, queries.reshape({batch * heads, rows, head_dim}), keys);
    scores.copy_(product.view({batch, heads, rows, length}));
    band_view(padded, window, first).add_(torch::matmul(queries, relative_keys_t));
    if (any_padding) {
      scores.masked_fill_(padding.unsqueeze(2) | padding.narrow(2, first, rows).unsqueeze(-1), -1e4);
    }
    torch::Tensor weights = product.view({batch, heads, rows, length});
    at::_softmax_out(weights, scores, -1, false);
    // The same block, now holding the weights with zero padding, for the relative-value band.
    padded.narrow(3, 0, window).zero_();
    padded.narrow(3, window + length, window).zero_();
    scores.copy_(weights);
    torch::Tensor block_output = torch::matmul(weights, value);
    block_output.add_(torch::matmul(band_view(padded, window, first), relative_values));
    output.narrow(2, first, rows).copy_(block_output);
  });
  output = output.transpose(2, 3).contiguous().view({batch, channels, length});
  return conv_o(output);
}

ChannelLayerNorm::ChannelLayerNorm(int channels) {
  gamma = register_parameter("gamma", torch::ones({channels}), false);
  beta = register_parameter("beta", torch::zeros({channels}), false);
}

torch::Tensor ChannelLayerNorm::forward(const torch::Tensor& x) {
  const torch::Tensor t = x.transpose(1, -1);
  return torch::layer_norm(t, {gamma.size(0)}, gamma, beta, 1e-5).transpose(1, -1);
}

FeedForward::FeedForward(int channels, int filter_channels, int kernel_size_) : kernel_size(kernel_size_) {
  conv_1 = register_module("conv_1", conv1d(channels, filter_channels, kernel_size));
  conv_2 = register_module("conv_2", conv1d(filter_channels, channels, kernel_size));
}

torch::Tensor FeedForward::forward(const torch::Tensor& x, const torch::Tensor& mask) {
  torch::Tensor h = torch::relu(conv_1(pad_same(x * mask, kernel_size)));
  h = conv_2(pad_same(h * mask, kernel_size));
  return h * mask;
}

TextEncoder::TextEncoder(const model::ModelConfig& config, int feature_dim, bool has_pitch)
    : hidden(config.hidden_channels), inter(config.inter_channels) {
  emb_phone = register_module("emb_phone", torch::nn::Linear(feature_dim, hidden));
  if (has_pitch) emb_pitch = register_module("emb_pitch", torch::nn::Embedding(256, hidden));
  encoder = register_module("encoder", std::make_shared<torch::nn::Module>());
  auto attn = encoder->register_module("attn_layers", torch::nn::ModuleList());
  auto norm1 = encoder->register_module("norm_layers_1", torch::nn::ModuleList());
  auto ffn = encoder->register_module("ffn_layers", torch::nn::ModuleList());
  auto norm2 = encoder->register_module("norm_layers_2", torch::nn::ModuleList());
  for (int i = 0; i < config.n_layers; ++i) {
    attn_layers.push_back(std::make_shared<RelativeAttention>(hidden, config.n_heads, kRelativeWindow));
    norm_layers_1.push_back(std::make_shared<ChannelLayerNorm>(hidden));
    ffn_layers.push_back(std::make_shared<FeedForward>(hidden, config.filter_channels, config.kernel_size));
    norm_layers_2.push_back(std::make_shared<ChannelLayerNorm>(hidden));
    attn->push_back(attn_layers.back());
    norm1->push_back(norm_layers_1.back());
    ffn->push_back(ffn_layers.back());
    norm2->push_back(norm_layers_2.back());
  }
  proj = register_module("proj", conv1d(hidden, 2 * inter, 1));
}

std::tuple<torch::Tensor, torch::Tensor, torch::Tensor> TextEncoder::forward(const torch::Tensor& phone,
                                                                             const torch::Tensor& pitch,
                                                                             int64_t flow_head) {
  torch::Tensor x = emb_phone(phone);
  if (emb_pitch) x = x + emb_pitch(pitch);
  x = x * std::sqrt(static_cast<double>(hidden));
  x = torch::leaky_relu(x, kLeakySlope).transpose(1, -1);
  torch::Tensor mask = torch::ones({x.size(0), 1, x.size(2)}, x.options());
  x = x * mask;
  torch_util::AttentionScratch scratch;
  for (std::size_t i = 0; i < attn_layers.size(); ++i) {
    x = norm_layers_1[i]->forward(x + attn_layers[i]->forward(x, mask, scratch));
    x = norm_layers_2[i]->forward(x + ffn_layers[i]->forward(x, mask));
  }
  x = x * mask;
  if (flow_head > 0) {
    x = x.slice(2, flow_head);
    mask = mask.slice(2, flow_head);
  }
  const torch::Tensor stats = proj(x) * mask;
  return {stats.slice(1, 0, inter), stats.slice(1, inter), mask};
}

WaveNet::WaveNet(int hidden_, int kernel_size, int layers_, int gin_channels) : hidden(hidden_), layers(layers_) {
  auto in = register_module("in_layers", torch::nn::ModuleList());
  auto res_skip = register_module("res_skip_layers", torch::nn::ModuleList());
  cond_layer = register_module("cond_layer", conv1d(gin_channels, 2 * hidden * layers, 1));
  for (int i = 0; i < layers; ++i) {
    in_layers.push_back(conv1d(hidden, 2 * hidden, kernel_size, (kernel_size - 1) / 2));
    res_skip_layers.push_back(conv1d(hidden, i < layers - 1 ? 2 * hidden : hidden, 1));
    in->push_back(in_layers.back());
    res_skip->push_back(res_skip_layers.back());
  }
}

torch::Tensor WaveNet::forward(torch::Tensor x, const torch::Tensor& mask, const torch::Tensor& g) {
  torch::Tensor output = torch::zeros_like(x);
  const torch::Tensor conditions = cond_layer(g);
  for (int i = 0; i < layers; ++i) {
    const torch::Tensor activations =
        in_layers[i](x) + conditions.slice(1, 2 * hidden * i, 2 * hidden * (i + 1));
    const torch::Tensor gated =
        torch::tanh(activations.slice(1, 0, hidden)) * torch::sigmoid(activations.slice(1, hidden));
    const torch::Tensor res_skip = res_skip_layers[i](gated);
    if (i < layers - 1) {
      x = (x + res_skip.slice(1, 0, hidden)) * mask;
      output = output + res_skip.slice(1, hidden);
    } else {
      output = output + res_skip;
    }
  }
  return output * mask;
}

CouplingLayer::CouplingLayer(int channels, int hidden, int gin_channels) : half(channels / 2) {
  pre = register_module("pre", conv1d(half, hidden, 1));
  enc = register_module("enc", std::make_shared<WaveNet>(hidden, kFlowKernel, kFlowWaveNetLayers, gin_channels));
  post = register_module("post", conv1d(hidden, half, 1));
}

torch::Tensor CouplingLayer::reverse(const torch::Tensor& x, const torch::Tensor& mask, const torch::Tensor& g) {
  const torch::Tensor x0 = x.slice(1, 0, half);
  const torch::Tensor x1 = x.slice(1, half);
  const torch::Tensor h = enc->forward(pre(x0) * mask, mask, g);
  const torch::Tensor mean = post(h) * mask;
  return torch::cat({x0, (x1 - mean) * mask}, 1);
}

Flow::Flow(int channels, int hidden, int gin_channels) {
  auto flows = register_module("flows", torch::nn::ModuleList());
  for (int i = 0; i < kFlowCouplings; ++i) {
    couplings.push_back(std::make_shared<CouplingLayer>(channels, hidden, gin_channels));
    flows->push_back(couplings.back());
    flows->push_back(std::make_shared<torch::nn::Module>());  // the channel flip: no weights
  }
}

torch::Tensor Flow::reverse(torch::Tensor x, const torch::Tensor& mask, const torch::Tensor& g) {
  for (auto it = couplings.rbegin(); it != couplings.rend(); ++it) {
    x = (*it)->reverse(torch::flip(x, {1}), mask, g);
  }
  return x;
}

namespace {

// LibTorch 2 keeps a convolution's padding in a std::variant, LibTorch 1.13 in a c10::variant
// (whose get argument-dependent lookup finds).
template <typename Padding>
int64_t explicit_padding(const Padding& padding) {
  using std::get;
  return get<torch::ExpandingArray<1>>(padding)->at(0);
}

}  // namespace

PackedConv PackedConv::from(const torch::nn::Conv1d& conv) {
  const auto& o = conv->options;
  PackedConv packed;
  packed.weight = conv->weight.detach().contiguous();
  if (o.bias()) packed.bias = conv->bias.detach().clone();
  packed.stride = o.stride()->at(0);
  packed.padding = explicit_padding(o.padding());
  packed.dilation = o.dilation()->at(0);
  packed.out_channels = o.out_channels();
  return packed;
}

PackedConv PackedConv::from(const torch::nn::ConvTranspose1d& conv) {
  // y[s·u + r - p] = Σ_m Σ_i x[i, s - m] · W[i, o, m·u + r]: for each phase r an ordinary
  // convolution with taps m (reversed), stacked phase-major into u · Cout output channels.
  const auto& o = conv->options;
  const int64_t u = o.stride()->at(0), k = o.kernel_size()->at(0);
  const int64_t p = explicit_padding(o.padding());
  const torch::Tensor w = conv->weight.detach();  // [Cin, Cout, k]
  const int64_t in = w.size(0), out = w.size(1), taps = (k + u - 1) / u;
  torch::Tensor polyphase = torch::zeros({u, out, in, taps}, w.options());
  for (int64_t r = 0; r < u; ++r) {
    for (int64_t m = 0; m < taps && m * u + r < k; ++m) {
      polyphase[r].select(2, taps - 1 - m).copy_(w.select(2, m * u + r).transpose(0, 1));
    }
  }
  PackedConv packed;
  packed.weight = polyphase.reshape({u * out, in, taps}).contiguous();
  if (o.bias()) packed.bias = conv->bias.detach().repeat({u});
  packed.padding = taps - 1;
  packed.phases = u;
  packed.phase_offset = p;
  packed.out_channels = out;
  return packed;
}

torch::Tensor PackedConv::operator()(const torch::Tensor& x) const {
  torch::Tensor y = torch::conv1d(x, weight, bias, stride, padding, dilation);
  if (phases == 1) return y;
  // Phase-major channels [B, u, Cout, S] interleave to [B, Cout, S·u]; then the trim.
  const int64_t batch = y.size(0), frames = y.size(2);
  y = y.view({batch, phases, out_channels, frames}).permute({0, 2, 3, 1}).reshape({batch, out_channels, frames * phases});
  return y.narrow(2, phase_offset, x.size(2) * phases);
}

ResBlock::ResBlock(int channels, int kernel_size, const std::vector<int>& dilations) {
  auto c1 = register_module("convs1", torch::nn::ModuleList());
  auto c2 = register_module("convs2", torch::nn::ModuleList());
  for (int dilation : dilations) {
    convs1.push_back(conv1d(channels, channels, kernel_size, dilation * (kernel_size - 1) / 2, dilation));
    convs2.push_back(conv1d(channels, channels, kernel_size, (kernel_size - 1) / 2));
    c1->push_back(convs1.back());
    c2->push_back(convs2.back());
  }
}

void ResBlock::prepare() {
  packed1.clear();
  packed2.clear();
  for (const auto& conv : convs1) packed1.push_back(PackedConv::from(conv));
  for (const auto& conv : convs2) packed2.push_back(PackedConv::from(conv));
}

torch::Tensor ResBlock::forward(const torch::Tensor& input, const torch::Tensor& activated,
                               const ValidRange& valid) const {
  torch::Tensor x = input;
  for (std::size_t i = 0; i < packed1.size(); ++i) {
    torch::Tensor in = i == 0 ? activated : torch::leaky_relu(x, kLeakySlope);
    valid.apply(in);
    torch::Tensor t = packed1[i](in);
    torch::leaky_relu_(t, kLeakySlope);
    valid.apply(t);
    x = packed2[i](t).add_(x);
  }
  return x;
}

int64_t ResBlock::radius() const {
  int64_t r = 0;
  for (std::size_t i = 0; i < packed1.size(); ++i) {
    r += packed1[i].padding + packed2[i].padding;  // "same" convolutions: padding = one-side reach
  }
  return r;
}

ValidRange ValidRange::of(int64_t offset, int64_t width, int64_t total) {
  ValidRange range;
  range.begin = std::clamp<int64_t>(-offset, 0, width);
  range.end = std::clamp<int64_t>(total - offset, range.begin, width);
  return range;
}

void ValidRange::apply(torch::Tensor& x) const {
  const int64_t width = x.size(-1);
  if (begin > 0) x.narrow(-1, 0, begin).zero_();
  if (end < width) x.narrow(-1, end, width - end).zero_();
}

Generator::Generator(const model::ModelConfig& config, bool has_pitch_)
    : has_pitch(has_pitch_),
      hop(config.hop_samples()),
      sample_rate_hz(config.sample_rate_hz),
      upsample_rates(config.upsample_rates) {
  const int initial = config.upsample_initial_channel;
  if (has_pitch) {
    auto source = register_module("m_source", std::make_shared<torch::nn::Module>());
    l_linear = source->register_module("l_linear", torch::nn::Linear(1, 1));
  }
  conv_pre = register_module("conv_pre", conv1d(config.inter_channels, initial, 7, 3));
  auto ups_list = register_module("ups", torch::nn::ModuleList());
  auto noise_list = has_pitch ? register_module("noise_convs", torch::nn::ModuleList()) : nullptr;
  const std::size_t stages = upsample_rates.size();
  for (std::size_t i = 0; i < stages; ++i) {
    const int in = initial >> i, out = initial >> (i + 1);
    const int rate = upsample_rates[i], kernel = config.upsample_kernel_sizes[i];
    ups.emplace_back(torch::nn::ConvTranspose1dOptions(in, out, kernel).stride(rate).padding((kernel - rate) / 2));
    ups_list->push_back(ups.back());
    if (has_pitch) {
      int stride = 1;
      for (std::size_t j = i + 1; j < stages; ++j) stride *= upsample_rates[j];
      noise_convs.push_back(i + 1 < stages ? conv1d(1, out, 2 * stride, stride / 2, 1, true, stride)
                                           : conv1d(1, out, 1));
      noise_list->push_back(noise_convs.back());
    }
  }
  auto blocks = register_module("resblocks", torch::nn::ModuleList());
  for (std::size_t i = 0; i < stages; ++i) {
    for (std::size_t j = 0; j < config.resblock_kernel_sizes.size(); ++j) {
      resblocks.push_back(std::make_shared<ResBlock>(initial >> (i + 1), config.resblock_kernel_sizes[j],
                                                     config.resblock_dilation_sizes[j]));
      blocks->push_back(resblocks.back());
    }
  }
  conv_post = register_module("conv_post", conv1d(initial >> stages, 1, 7, 3, 1, /*bias=*/false));
  cond = register_module("cond", conv1d(config.gin_channels, initial, 1));
}

torch::Tensor Generator::harmonic_source(const torch::Tensor& f0_frames, const InferOptions& options,
                                         torch::Generator& rng) {
  const torch::Tensor f0 = f0_frames.to(torch::kFloat32).unsqueeze(-1);  // [B, T, 1]
  const int64_t samples = f0.size(1) * hop;
  // By scale factor, as the reference calls interpolate, so nearest indices round identically.
  auto upsample = [&](F::InterpolateFuncOptions::mode_t mode) {
    return F::InterpolateFuncOptions().scale_factor(std::vector<double>{static_cast<double>(hop)}).mode(mode);
  };
  torch::Tensor sine;
  if (options.sine_algorithm == SineAlgorithm::kCumulative) {
    const torch::Tensor rad = torch::remainder(f0 / sample_rate_hz, 1);
    torch::Tensor wraps = torch::cumsum(rad, 1) * hop;
    wraps = F::interpolate(wraps.transpose(2, 1), upsample(torch::kLinear).align_corners(true)).transpose(2, 1);
    const torch::Tensor rad_up = F::interpolate(rad.transpose(2, 1), upsample(torch::kNearest)).transpose(2, 1);
    wraps = torch::remainder(wraps, 1);
    torch::Tensor shift = torch::zeros_like(rad_up);
    shift.slice(1, 1).copy_((wraps.slice(1, 1) - wraps.slice(1, 0, samples - 1) < 0).to(shift.dtype()) * -1.0);
    sine = torch::sin(torch::cumsum(rad_up + shift, 1) * 2 * M_PI);
  } else {
    const torch::Tensor steps = torch::arange(1, hop + 1, f0.options());
    torch::Tensor rad = f0 / sample_rate_hz * steps;  // [B, T, hop]
    const torch::Tensor increments = torch::fmod(rad.slice(1, 0, rad.size(1) - 1).slice(2, hop - 1) + 0.5, 1.0) - 0.5;
    const torch::Tensor accumulated = increments.cumsum(1).fmod(1.0);
    rad = rad + F::pad(accumulated, F::PadFuncOptions({0, 0, 1, 0}));
    sine = torch::sin(2 * M_PI * rad.reshape({f0.size(0), -1, 1}));
  }
  sine = sine * kSineAmplitude;
  const torch::Tensor uv =
      F::interpolate((f0 > 0).to(torch::kFloat32).transpose(2, 1), upsample(torch::kNearest)).transpose(2, 1);
  torch::Tensor excitation = sine * uv;
  if (!options.zero_noise) {
    const torch::Tensor noise_amp = uv * kVoicedNoiseStd + (1 - uv) * kSineAmplitude / 3;
    // Drawn on the CPU from the call's generator, so a seed gives the same noise on every device.
    excitation = excitation + noise_amp * torch::randn(sine.sizes(), rng, torch::kFloat32).to(sine.device());
  }
  return torch::tanh(l_linear(excitation.to(l_linear->weight.dtype())));
}

std::shared_ptr<const TimeMajorResBlocks> time_major_resblocks(const std::vector<std::shared_ptr<ResBlock>>& blocks) {
  std::vector<TimeMajorResBlocks::Block> converted;
  int64_t channels = 0;
  for (const auto& block : blocks) {
    TimeMajorResBlocks::Block target;
    for (const auto* convs : {&block->packed1, &block->packed2}) {
      for (const PackedConv& conv : *convs) {
        const torch::Tensor weight = conv.weight.contiguous(), bias = conv.bias;
        const bool applies = weight.device().is_cpu() && weight.scalar_type() == torch::kFloat && bias.defined() &&
                             conv.phases == 1 && conv.stride == 1 &&
                             conv.padding == (weight.size(2) - 1) * conv.dilation / 2 &&
                             TimeMajorConv::supported(weight.size(1), weight.size(0));
        if (!applies) return nullptr;
        channels = weight.size(0);
        (convs == &block->packed1 ? target.convs1 : target.convs2)
            .emplace_back(weight.data_ptr<float>(), bias.contiguous().data_ptr<float>(), weight.size(0),
                          weight.size(1), weight.size(2), conv.dilation);
      }
    }
    converted.push_back(std::move(target));
  }
  return std::make_shared<const TimeMajorResBlocks>(std::move(converted), channels);
}

torch::Tensor run_time_major(const TimeMajorResBlocks& blocks, const torch::Tensor& x, const ValidRange& valid) {
  const int64_t rows = x.size(-1);
  const torch::Tensor input = x[0].t().contiguous();
  torch::Tensor average = torch::empty({TimeMajorResBlocks::output_rows(rows), x.size(1)}, input.options());
  blocks.run(input.data_ptr<float>(), rows, valid.begin, valid.end, average.data_ptr<float>());
  return average.narrow(0, 0, rows).t().contiguous().unsqueeze(0);
}

void Generator::prepare() {
  packed_pre = PackedConv::from(conv_pre);
  packed_post = PackedConv::from(conv_post);
  packed_ups.clear();
  packed_noise.clear();
  for (const auto& up : ups) packed_ups.push_back(PackedConv::from(up));
  for (const auto& conv : noise_convs) {
    packed_noise.push_back(PackedConv::from(conv));
    packed_noise.back().padding = 0;  // tiles read the source with its padding already in place
  }
  for (const auto& block : resblocks) block->prepare();
  time_major_stages.clear();
  const std::size_t kernels = resblocks.size() / ups.size();
  for (std::size_t i = 0; i < ups.size(); ++i) {
    const std::vector<std::shared_ptr<ResBlock>> stage(resblocks.begin() + i * kernels,
                                                       resblocks.begin() + (i + 1) * kernels);
    time_major_stages.push_back(time_major_resblocks(stage));
    if (!time_major_stages.back()) continue;
    // The kernel holds its own (packed) copy of the stage's weights; LibTorch's are never read again.
    for (const auto& block : stage) {
      for (auto* packed : {&block->packed1, &block->packed2})
        for (PackedConv& conv : *packed) conv.weight = torch::Tensor();
      for (auto* convs : {&block->convs1, &block->convs2})
        for (auto& conv : *convs) conv->weight.set_();
    }
  }
  rates_so_far.clear();
  noise_strides.clear();
  int64_t rate = 1;
  for (int u : upsample_rates) {
    rate *= u;
    rates_so_far.push_back(rate);
    noise_strides.push_back(hop / rate);
  }
}

namespace {

int64_t floor_div(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

// Columns [begin, begin + width) of x [B, C, L], zero where outside [0, L).
torch::Tensor zero_padded_window(const torch::Tensor& x, int64_t begin, int64_t width) {
  const int64_t length = x.size(-1);
  const int64_t from = std::clamp<int64_t>(begin, 0, length), to = std::clamp<int64_t>(begin + width, 0, length);
  if (from == begin && to == begin + width) return x.narrow(-1, begin, width);
  torch::Tensor window = torch::zeros({x.size(0), x.size(1), width}, x.options());
  if (to > from) window.narrow(-1, from - begin, to - from).copy_(x.narrow(-1, from, to - from));
  return window;
}

}  // namespace

Generator::TilePlan Generator::plan_tile(int64_t tile_frames) const {
  const std::size_t stages = packed_ups.size();
  const std::size_t kernels = resblocks.size() / stages;
  TilePlan plan;
  plan.in_begin.resize(stages);
  plan.in_end.resize(stages);
  plan.out_begin.resize(stages);
  plan.out_end.resize(stages);
  plan.keep_begin.resize(stages);
  plan.keep_end.resize(stages);
  int64_t lo = -packed_post.padding, hi = tile_frames * hop + packed_post.padding;
  for (std::size_t i = stages; i-- > 0;) {
    plan.keep_begin[i] = lo;
    plan.keep_end[i] = hi;
    int64_t radius = 0;
    for (std::size_t j = 0; j < kernels; ++j) radius = std::max(radius, resblocks[i * kernels + j]->radius());
    const int64_t a = lo - radius, b = hi + radius;
    plan.out_begin[i] = a;
    plan.out_end[i] = b;
    const PackedConv& up = packed_ups[i];
    const int64_t taps = up.weight.size(-1);
    plan.in_begin[i] = floor_div(a + up.phase_offset, up.phases) - (taps - 1);
    plan.in_end[i] = floor_div(b - 1 + up.phase_offset, up.phases) + 1;
    lo = plan.in_begin[i];
    hi = plan.in_end[i];
  }
  plan.z_begin = lo - packed_pre.padding;
  plan.z_end = hi + packed_pre.padding;
  return plan;
}

const Generator::TilePlan& Generator::cached_plan(int64_t tile_frames) const {
  // Plans depend only on the tile size; tiles of one size reuse one (and oneDNN its kernels).
  std::lock_guard<std::mutex> lock(plans_mutex_);
  auto found = plans_.find(tile_frames);
  if (found == plans_.end()) found = plans_.emplace(tile_frames, plan_tile(tile_frames)).first;
  return found->second;  // std::map nodes never move
}

torch::Tensor Generator::run_tile(const torch::Tensor& z, const torch::Tensor& har, const torch::Tensor& condition,
                                  int64_t first_frame, int64_t tile_frames) const {
  const TilePlan& plan = cached_plan(tile_frames);

  const int64_t frames = z.size(-1);
  torch::Tensor x = packed_pre(zero_padded_window(z, first_frame + plan.z_begin, plan.z_end - plan.z_begin));
  x = (x + condition).narrow(-1, plan.in_begin[0] - plan.z_begin, plan.in_end[0] - plan.in_begin[0]);
  const std::size_t kernels = resblocks.size() / packed_ups.size();
  for (std::size_t i = 0; i < packed_ups.size(); ++i) {
    const int64_t previous_rate = i == 0 ? 1 : rates_so_far[i - 1], rate = rates_so_far[i];
    const int64_t in_begin = plan.in_begin[i], a = plan.out_begin[i], b = plan.out_end[i];
    torch::Tensor activated = torch::leaky_relu(x, kLeakySlope);
    ValidRange::of(first_frame * previous_rate + in_begin, activated.size(-1), frames * previous_rate).apply(activated);
    x = packed_ups[i](activated).narrow(-1, a - in_begin * packed_ups[i].phases, b - a);
    if (has_pitch) {
      const int64_t stride = noise_strides[i];
      const int64_t reach = i + 1 < packed_ups.size() ? stride / 2 : 0;
      const int64_t source_begin = (first_frame * rate + a) * stride - reach;
      const int64_t source_width = (b - a) * stride + 2 * reach;
      x = x + packed_noise[i](zero_padded_window(har, source_begin, source_width));
    }
    const ValidRange valid = ValidRange::of(first_frame * rate + a, b - a, frames * rate);
    valid.apply(x);
    torch::Tensor average;
    if (time_major_stages[i]) {
      average = run_time_major(*time_major_stages[i], x, valid);
    } else {
      activated = torch::leaky_relu(x, kLeakySlope);
      average = resblocks[i * kernels]->forward(x, activated, valid);
      for (std::size_t j = 1; j < kernels; ++j) average.add_(resblocks[i * kernels + j]->forward(x, activated, valid));
      average.div_(static_cast<double>(kernels));
    }
    x = average.narrow(-1, plan.keep_begin[i] - a, plan.keep_end[i] - plan.keep_begin[i]);
  }
  torch::Tensor activated = torch::leaky_relu(x);
  ValidRange::of(first_frame * hop + plan.keep_begin.back(), activated.size(-1), frames * hop).apply(activated);
  return torch::tanh(packed_post(activated)).narrow(-1, -plan.keep_begin.back(), tile_frames * hop);
}

torch::Tensor Generator::forward(torch::Tensor x, const torch::Tensor& f0, const torch::Tensor& g,
                                 int64_t resampled_frames, const InferOptions& options, torch::Generator& rng,
                                 torch::Tensor* har_source_out) {
  torch::Tensor har;
  if (has_pitch) {
    const torch::Tensor source = harmonic_source(f0, options, rng);
    if (har_source_out != nullptr) *har_source_out = source;
    har = source.transpose(1, 2);
  }
  if (resampled_frames > 0) {
    if (has_pitch && resampled_frames * hop != har.size(-1)) {
      har = F::interpolate(har, F::InterpolateFuncOptions()
                                    .size(std::vector<int64_t>{resampled_frames * hop})
                                    .mode(torch::kLinear)
                                    .align_corners(false));
    }
    if (resampled_frames != x.size(-1)) {
      x = F::interpolate(x, F::InterpolateFuncOptions()
                                .size(std::vector<int64_t>{resampled_frames})
                                .mode(torch::kLinear)
                                .align_corners(false));
    }
  }
  // Time tiles keep the working set in cache and every convolution's shape fixed, so oneDNN
  // builds its kernels once per tile size instead of once per input length.
  // Tiles are exact wherever they start, so the trimmed ends are simply not computed.
  const int64_t frames = x.size(-1);
  const int64_t begin_frame = std::min(options.trim_head_frames, frames);
  const int64_t end_frame = std::max(begin_frame, frames - options.trim_tail_frames);
  const int64_t wanted = end_frame - begin_frame;
  torch::Tensor audio = torch::empty({1, wanted * hop}, x.options());
  if (wanted == 0) return audio.unsqueeze(1);
  const bool on_cpu = x.device().is_cpu();
  const int64_t tile = options.vocoder_tile_frames > 0 ? std::min<int64_t>(options.vocoder_tile_frames, wanted)
                                                       : default_tile_frames(wanted, on_cpu);
  const torch::Tensor condition = cond(g);
  auto run_tiles = [&](int64_t begin, int64_t end) {
    for (int64_t index = begin; index < end; ++index) {
      const int64_t first = begin_frame + index * tile;
      const int64_t kept = std::min(tile, end_frame - first) * hop;
      const torch::Tensor samples = run_tile(x, har, condition, first, tile);
      audio.narrow(1, (first - begin_frame) * hop, kept).copy_(samples.reshape({1, -1}).narrow(1, 0, kept));
    }
  };
  const int64_t tiles = (wanted + tile - 1) / tile;
  if (!on_cpu) {
    run_tiles(0, tiles);
  } else {
    // Whole tiles per thread, each computed single-threaded: twice the throughput of splitting
    // every small convolution across cores.
    torch_util::parallel_for_as_caller(0, tiles, 1, run_tiles);
  }
  return audio.unsqueeze(1);
}

SynthesizerNet::SynthesizerNet(const model::ModelInfo& info) {
  const model::ModelConfig& config = info.config;
  enc_p = register_module("enc_p", std::make_shared<TextEncoder>(config, info.feature_dim(), info.has_pitch));
  dec = register_module("dec", std::make_shared<Generator>(config, info.has_pitch));
  flow = register_module("flow", std::make_shared<Flow>(config.inter_channels, config.hidden_channels,
                                                        config.gin_channels));
  emb_g = register_module("emb_g", torch::nn::Embedding(config.spk_embed_dim, config.gin_channels));
}

}  // namespace rvc::synth
