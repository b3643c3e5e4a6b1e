#include "f0/rmvpe_net.hpp"

#include <ATen/Parallel.h>

#include <algorithm>
#include <functional>
#include <string>

#include "backend/process_resources.hpp"
#include "f0/gru_kernel.hpp"

namespace rvc::f0 {
namespace {

constexpr double kBatchNormEps = 1e-5;  // nn.BatchNorm2d's default, which RMVPE keeps
// Images with at least this many positions run channels-last (see RmvpeNet::in_layout).
constexpr int64_t kChannelsLastMinPositions = 1024;
// The U-Net's finest levels (encoder and decoder) run in tiles of rows (RmvpeWindowing); their
// full-length images are then only the skip connections.
constexpr int64_t kRowTiledLevels = 2;

torch::nn::Conv2d conv3x3(int64_t in, int64_t out, bool bias) {
  return torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, 3).padding(1).bias(bias));
}

torch::nn::BatchNorm2d batch_norm(int64_t channels) {
  return torch::nn::BatchNorm2d(torch::nn::BatchNorm2dOptions(channels).eps(kBatchNormEps));
}

// Eval-mode BatchNorm as y = x·scale + shift, in float64 so folding adds no rounding of its own.
std::pair<torch::Tensor, torch::Tensor> batch_norm_affine(const torch::nn::BatchNorm2dImpl& norm) {
  const torch::Tensor variance = norm.running_var.to(torch::kFloat64);
  const torch::Tensor scale = norm.weight.to(torch::kFloat64) / (variance + kBatchNormEps).sqrt();
  const torch::Tensor shift = norm.bias.to(torch::kFloat64) - norm.running_mean.to(torch::kFloat64) * scale;
  return {scale, shift};
}

// conv (no bias) then BatchNorm, as one conv: the scale multiplies output channel `channel_dim`.
// The module's weight is released once folded, so loading never holds the model twice over.
std::pair<torch::Tensor, torch::Tensor> fold(const torch::Tensor& weight, const torch::nn::BatchNorm2dImpl& norm,
                                             int64_t channel_dim) {
  auto [scale, shift] = batch_norm_affine(norm);
  std::vector<int64_t> shape(weight.dim(), 1);
  shape[channel_dim] = -1;
  torch::Tensor folded = (weight.to(torch::kFloat64) * scale.view(shape)).to(torch::kFloat32);
  torch::Tensor(weight).set_();
  return {folded, shift.to(torch::kFloat32)};
}

// ConvTranspose2d(k 3, stride 2, padding 1, output_padding 1) as a 2×2 convolution with four
// outputs per channel (one per output phase) followed by pixel_shuffle(2). Output row 2i+a takes
// input rows i (+1): phase 0 uses tap 1 of row i; phase 1 tap 2 of row i and tap 0 of row i+1; the
// same for columns. oneDNN's transposed convolution is 2-4x slower than this plain one.
torch::Tensor subpixel_weight(const torch::Tensor& transposed) {  // [in, out, 3, 3]
  const int64_t in = transposed.size(0), out = transposed.size(1);
  torch::Tensor weight = torch::zeros({out, 4, in, 2, 2}, transposed.options());
  constexpr int64_t kTap[2][2] = {{1, -1}, {2, 0}};  // [phase][input offset] -> kernel tap (-1: none)
  for (int64_t a = 0; a < 2; ++a) {
    for (int64_t b = 0; b < 2; ++b) {
      for (int64_t di = 0; di < 2; ++di) {
        for (int64_t dj = 0; dj < 2; ++dj) {
          if (kTap[a][di] < 0 || kTap[b][dj] < 0) continue;
          weight.select(1, 2 * a + b).select(2, di).select(2, dj) =
              transposed.select(2, kTap[a][di]).select(2, kTap[b][dj]).t();
        }
      }
    }
  }
  return weight.reshape({4 * out, in, 2, 2});
}

// Runs `rows_of(from, to)`, which computes rows [from, to) of an image [1, C, rows, W] from
// operations local in time, over tiles of `tile_rows` rows with `context` more rows each side, and
// keeps each tile's interior: the rows the whole image would give, with tile-sized activations.
template <typename RowsOf>
torch::Tensor by_row_tiles(int64_t rows, int64_t tile_rows, int64_t context, const RowsOf& rows_of) {
  torch::Tensor image;
  for (int64_t start = 0; start < rows; start += tile_rows) {
    const int64_t keep = std::min(tile_rows, rows - start);
    const int64_t from = std::max<int64_t>(0, start - context), to = std::min(rows, start + keep + context);
    const torch::Tensor tile = rows_of(from, to).narrow(2, start - from, keep);
    if (!image.defined()) {
      image = torch::empty({tile.size(0), tile.size(1), rows, tile.size(3)},
                           tile.options().memory_format(tile.suggest_memory_format()));
    }
    image.narrow(2, start, keep).copy_(tile);
  }
  return image;
}

const torch::nn::BatchNorm2dImpl& norm_at(const torch::nn::Sequential& sequence, std::size_t index) {
  return *sequence->ptr(index)->as<torch::nn::BatchNorm2d>();
}

const torch::Tensor& conv_weight_at(const torch::nn::Sequential& sequence, std::size_t index) {
  const auto* conv = sequence->ptr(index)->as<torch::nn::Conv2d>();
  if (conv != nullptr) return conv->weight;
  return sequence->ptr(index)->as<torch::nn::ConvTranspose2d>()->weight;
}

}  // namespace

ConvBlockResModules::ConvBlockResModules(int64_t in, int64_t out) {
  conv = register_module("conv", torch::nn::Sequential(conv3x3(in, out, false), batch_norm(out), torch::nn::ReLU(),
                                                       conv3x3(out, out, false), batch_norm(out), torch::nn::ReLU()));
  if (in != out) shortcut = register_module("shortcut", torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, 1)));
}

ConvBlockList::ConvBlockList(torch::nn::Module& owner, const char* name, int64_t in, int64_t out, int64_t count) {
  torch::nn::ModuleList list;
  for (int64_t i = 0; i < count; ++i) {
    blocks.push_back(std::make_shared<ConvBlockResModules>(i == 0 ? in : out, out));
    list->push_back(blocks.back());
  }
  owner.register_module(name, list);
}

DecoderLevelModules::DecoderLevelModules(int64_t in, int64_t out, int64_t blocks)
    : conv2(*this, "conv2", 2 * out, out, blocks) {
  conv1 = register_module(
      "conv1", torch::nn::Sequential(torch::nn::ConvTranspose2d(torch::nn::ConvTranspose2dOptions(in, out, 3)
                                                                    .stride(2)
                                                                    .padding(1)
                                                                    .output_padding(1)
                                                                    .bias(false)),
                                     batch_norm(out), torch::nn::ReLU()));
}

RmvpeModules::RmvpeModules(const RmvpeArchitecture& arch_) : arch(arch_) {
  auto unet = register_module("unet", std::make_shared<torch::nn::Module>());
  auto encoder_module = unet->register_module("encoder", std::make_shared<torch::nn::Module>());
  input_norm = encoder_module->register_module("bn", batch_norm(arch.in_channels));
  torch::nn::ModuleList encoder_layers;
  int64_t channels = arch.base_channels;
  for (int64_t level = 0; level < arch.levels; ++level) {
    auto layer = std::make_shared<torch::nn::Module>();
    const int64_t in = level == 0 ? arch.in_channels : channels / 2;
    encoder.emplace_back(*layer, "conv", in, channels, arch.blocks_per_level);
    encoder_layers->push_back(layer);
    channels *= 2;
  }
  encoder_module->register_module("layers", encoder_layers);

  // channels is now the width below the deepest level: base · 2^levels.
  auto intermediate_module = unet->register_module("intermediate", std::make_shared<torch::nn::Module>());
  torch::nn::ModuleList intermediate_layers;
  for (int64_t i = 0; i < arch.intermediate_layers; ++i) {
    auto layer = std::make_shared<torch::nn::Module>();
    intermediate.emplace_back(*layer, "conv", i == 0 ? channels / 2 : channels, channels, arch.blocks_per_level);
    intermediate_layers->push_back(layer);
  }
  intermediate_module->register_module("layers", intermediate_layers);

  auto decoder_module = unet->register_module("decoder", std::make_shared<torch::nn::Module>());
  torch::nn::ModuleList decoder_layers;
  for (int64_t level = 0; level < arch.levels; ++level) {
    decoder.push_back(std::make_shared<DecoderLevelModules>(channels, channels / 2, arch.blocks_per_level));
    decoder_layers->push_back(decoder.back());
    channels /= 2;
  }
  decoder_module->register_module("layers", decoder_layers);

  cnn = register_module("cnn", conv3x3(arch.base_channels, 3, true));
  auto fc = register_module("fc", std::make_shared<torch::nn::Module>());
  const int64_t features = 3 * kRmvpeMelBins;
  if (arch.gru_layers > 0) {
    auto recurrent = fc->register_module("0", std::make_shared<torch::nn::Module>());
    gru = recurrent->register_module(
        "gru", torch::nn::GRU(torch::nn::GRUOptions(features, arch.gru_hidden)
                                  .num_layers(arch.gru_layers)
                                  .batch_first(true)
                                  .bidirectional(true)));
    classifier = fc->register_module("1", torch::nn::Linear(2 * arch.gru_hidden, kRmvpeClasses));
  } else {
    classifier = fc->register_module("0", torch::nn::Linear(features, kRmvpeClasses));
  }
}

RmvpeNet::RmvpeNet(const RmvpeModules& modules, const torch::Device& device, torch::ScalarType dtype)
    : device_(device), dtype_(dtype) {
  // Each 3×3 convolution at level l (2^l frames a row) reaches one row further each way, and so
  // do the pooling into level l and the upsampling out of level l + 1.
  const RmvpeArchitecture& arch = modules.arch;
  int64_t rows = 0;
  for (int64_t level = 0; level < arch.levels; ++level) {
    rows += (int64_t{1} << level) * (2 * arch.blocks_per_level + 1);      // encoder convs, pooling
    rows += (int64_t{1} << level) * (2 * arch.blocks_per_level + 2);      // upsampling, decoder convs
  }
  rows += (int64_t{1} << arch.levels) * arch.intermediate_layers * 2 * arch.blocks_per_level;
  receptive_field_ = rows + 1;  // the final 3×3 cnn
  torch::NoGradGuard no_grad;
  auto [scale, shift] = batch_norm_affine(*modules.input_norm);
  input_scale_ = scale.to(device_, dtype_).view({1, -1, 1, 1});
  input_shift_ = shift.to(device_, dtype_).view({1, -1, 1, 1});
  // Level l's images are kRmvpeMelBins / 2^l columns wide.
  int64_t columns = kRmvpeMelBins;
  for (const ConvBlockList& level : modules.encoder) {
    encoder_.push_back(fold_stack(level, columns));
    columns /= 2;
  }
  for (const ConvBlockList& layer : modules.intermediate) intermediate_.push_back(fold_stack(layer, columns));
  for (const auto& level : modules.decoder) {
    columns *= 2;
    auto [weight, bias] = fold(conv_weight_at(level->conv1, 0), norm_at(level->conv1, 1), 1);
    upsample_.push_back(place(subpixel_weight(weight), bias.repeat_interleave(4)));
    decoder_.push_back(fold_stack(level->conv2, columns));
  }
  cnn_ = place(modules.cnn->weight, modules.cnn->bias);
  if (modules.gru && device_.is_cuda()) {
    // cuDNN takes the weights in one buffer; separate tensors would be compacted anew on every call.
    cuda_gru_ = modules.gru;
    cuda_gru_->to(device_, dtype_);
    cuda_gru_->flatten_parameters();
  } else if (modules.gru) {
    // torch::gru's order: per layer, forward then reverse, each w_ih, w_hh, b_ih, b_hh.
    for (int64_t layer = 0; layer < modules.arch.gru_layers; ++layer) {
      for (const char* direction : {"", "_reverse"}) {
        for (const char* kind : {"weight_ih_l", "weight_hh_l", "bias_ih_l", "bias_hh_l"}) {
          const std::string name = kind + std::to_string(layer) + direction;
          gru_weights_.push_back(modules.gru->named_parameters()[name].to(device_, dtype_).contiguous());
        }
        if (device_.is_cpu() && dtype_ == torch::kFloat32) {
          gru_recurrent_t_.push_back(gru_weights_[gru_weights_.size() - 3].t().contiguous());
        }
      }
    }
  }
  classifier_ = place(modules.classifier->weight, modules.classifier->bias);
}

// Frames whose GRU input gates are computed at once.
constexpr int64_t kGruBlockFrames = 2048;

void RmvpeNet::run_gru_block(const torch::Tensor& x, int64_t layer, int64_t direction, int64_t start, int64_t count,
                             float* output, int64_t output_stride, float* state) const {
  const std::size_t first = static_cast<std::size_t>(8 * layer + 4 * direction);
  const int64_t hidden = gru_weights_[1].size(1);
  const torch::Tensor gates = torch::addmm(gru_weights_[first + 2], x.narrow(0, start, count), gru_weights_[first].t());
  run_gru_direction(gates.data_ptr<float>(),
                    gru_recurrent_t_[static_cast<std::size_t>(2 * layer + direction)].data_ptr<float>(),
                    gru_weights_[first + 3].data_ptr<float>(), count, hidden, direction == 1, output, output_stride,
                    state);
}

void RmvpeNet::classify(torch::Tensor x, int64_t frames, const SalienceBlock& block) const {
  // hidden [count, 2H] of frames from `first` -> fc.1 and the sigmoid, for the frames before `frames`.
  auto emit = [&](const torch::Tensor& hidden, int64_t first) {
    const int64_t count = std::min(hidden.size(0), frames - first);
    if (count <= 0) return;
    const torch::Tensor salience = torch::linear(hidden.narrow(0, 0, count), classifier_.weight, classifier_.bias)
                                       .sigmoid_()
                                       .to(torch::kCPU, torch::kFloat32)
                                       .contiguous();
    block(salience.data_ptr<float>(), first, count);
  };
  if (gru_recurrent_t_.empty()) {  // CUDA's GRU, LibTorch's, or none: the whole sequence, classified in blocks
    if (cuda_gru_) {
      x = std::get<0>(cuda_gru_.ptr()->forward(x));  // forward reads only; it is not const
    } else if (!gru_weights_.empty()) {
      const int64_t layers = static_cast<int64_t>(gru_weights_.size()) / 8;
      const torch::Tensor initial = torch::zeros({2 * layers, 1, gru_weights_[1].size(1)}, x.options());
      x = std::get<0>(torch::gru(x, initial, gru_weights_, /*has_biases=*/true, layers, /*dropout=*/0.0,
                                 /*train=*/false, /*bidirectional=*/true, /*batch_first=*/true));
    }
    x = x[0];
    for (int64_t first = 0; first < frames; first += kGruBlockFrames) {
      emit(x.narrow(0, first, std::min(kGruBlockFrames, x.size(0) - first)), first);
    }
    return;
  }
  const int64_t layers = static_cast<int64_t>(gru_weights_.size()) / 8;
  const int64_t hidden = gru_weights_[1].size(1);
  x = x[0].contiguous();  // [T, features]
  const int64_t steps = x.size(0);
  // The input gates are computed a block of frames at a time (the hidden state carried across), so
  // long inputs need no [T, 3H] buffers. body(start, count) for each block, in the direction's order.
  auto for_each_block = [&](int64_t direction, const std::function<void(int64_t, int64_t)>& body) {
    for (int64_t walked = 0; walked < steps; walked += kGruBlockFrames) {
      const int64_t count = std::min(kGruBlockFrames, steps - walked);
      body(direction == 1 ? steps - walked - count : walked, count);
    }
  };
  auto run_direction = [&](const torch::Tensor& input, int64_t layer, int64_t direction, float* output,
                           int64_t stride) {
    std::vector<float> state(static_cast<std::size_t>(hidden), 0.0f);
    for_each_block(direction, [&](int64_t start, int64_t count) {
      run_gru_block(input, layer, direction, start, count, output + start * stride, stride, state.data());
    });
  };
  for (int64_t layer = 0; layer + 1 < layers; ++layer) {
    torch::Tensor output = torch::empty({steps, 2 * hidden}, x.options());
    // The two directions are independent: one thread each.
    torch_util::parallel_for_as_caller(0, 2, 1, [&](int64_t begin, int64_t end) {
      for (int64_t direction = begin; direction < end; ++direction) {
        run_direction(x, layer, direction, output.data_ptr<float>() + direction * hidden, 2 * hidden);
      }
    });
    x = output;
  }
  // The last layer: its forward direction over the whole sequence, then its reverse direction a
  // block at a time from the end, each block classified as soon as it is joined to the forward
  // half. The directions run one after the other (~0.1 s a minute of audio more than side by
  // side), for a [T, H] buffer where side by side needs [T, 2H] and the salience after it.
  const int64_t last = layers - 1;
  const torch::Tensor forward_half = torch::empty({steps, hidden}, x.options());
  run_direction(x, last, 0, forward_half.data_ptr<float>(), hidden);
  const torch::Tensor joined = torch::empty({std::min(kGruBlockFrames, steps), 2 * hidden}, x.options());
  std::vector<float> state(static_cast<std::size_t>(hidden), 0.0f);
  for_each_block(1, [&](int64_t start, int64_t count) {
    run_gru_block(x, last, 1, start, count, joined.data_ptr<float>() + hidden, 2 * hidden, state.data());
    joined.narrow(0, 0, count).narrow(1, 0, hidden).copy_(forward_half.narrow(0, start, count));
    emit(joined.narrow(0, 0, count), start);
  });
}

RmvpeNet::Conv RmvpeNet::place(torch::Tensor weight, torch::Tensor bias) const {
  return {weight.to(device_, dtype_).contiguous(), bias.defined() ? bias.to(device_, dtype_) : bias, {}};
}

RmvpeNet::Conv RmvpeNet::conv_and_norm(const torch::Tensor& weight, const torch::nn::BatchNorm2dImpl& norm) const {
  if (dtype_ == torch::kFloat32) {
    const torch::Tensor half = weight.to(torch::kHalf);
    if (half.to(torch::kFloat32).equal(weight)) {
      auto [scale, shift] = batch_norm_affine(norm);
      torch::Tensor(weight).set_();
      return {half.to(device_), shift.to(device_, dtype_).view({1, -1, 1, 1}),
              scale.to(device_, dtype_).view({1, -1, 1, 1})};
    }
  }
  auto [folded, shift] = fold(weight, norm, 0);
  return place(folded, shift);
}

torch::Tensor RmvpeNet::conv3x3(const Conv& conv, const torch::Tensor& x, torch_util::ScratchBuffer& widened) const {
  if (!conv.scale.defined()) return torch::conv2d(x, conv.weight, conv.bias, 1, 1);
  const torch::Tensor weight = widened.view(conv.weight.sizes(), x.options()).copy_(conv.weight);
  return torch::conv2d(x, weight, {}, 1, 1).mul_(conv.scale).add_(conv.bias);
}

RmvpeNet::Block RmvpeNet::fold_block(const ConvBlockResModules& block, int64_t columns) const {
  Block folded;
  const torch::Tensor& first_weight = conv_weight_at(block.conv, 0);
  const int64_t in = first_weight.size(1), out = first_weight.size(0);
  // Winograd weights take twice the memory of the plain ones. The deepest images (a single
  // tile wide) are left to oneDNN: they hold most of the weights (83% at full size), in fp16 when
  // the file's are.
  const bool fast = device_.is_cpu() && dtype_ == torch::kFloat32 && columns > synth::ImageConv3x3::kTileColumns &&
                    synth::ImageConv3x3::supported(in, out, columns) &&
                    synth::ImageConv3x3::supported(out, out, columns);
  if (fast) {
    auto [weight1, bias1] = fold(first_weight, norm_at(block.conv, 1), 0);
    auto [weight2, bias2] = fold(conv_weight_at(block.conv, 3), norm_at(block.conv, 4), 0);
    weight1 = weight1.contiguous();
    weight2 = weight2.contiguous();
    folded.fast_first = std::make_shared<const synth::ImageConv3x3>(weight1.data_ptr<float>(),
                                                                    bias1.data_ptr<float>(), out, in);
    folded.fast_second = std::make_shared<const synth::ImageConv3x3>(weight2.data_ptr<float>(),
                                                                     bias2.data_ptr<float>(), out, out);
  } else {
    folded.first = conv_and_norm(first_weight, norm_at(block.conv, 1));
    folded.second = conv_and_norm(conv_weight_at(block.conv, 3), norm_at(block.conv, 4));
  }
  if (block.shortcut) folded.shortcut = place(block.shortcut->weight, block.shortcut->bias);
  return folded;
}

RmvpeNet::Stack RmvpeNet::fold_stack(const ConvBlockList& list, int64_t columns) const {
  Stack stack;
  for (const auto& block : list.blocks) stack.push_back(fold_block(*block, columns));
  return stack;
}

// relu(conv(relu(conv(x)))) + shortcut(x) with both 3×3 convolutions in the AVX-512 kernel, on
// channels-last images, each convolution's rows split across the threads.
torch::Tensor RmvpeNet::run_fast_block(const Block& block, const torch::Tensor& x) const {
  const torch::Tensor input = x.contiguous(torch::MemoryFormat::ChannelsLast);
  const int64_t rows = input.size(2), columns = input.size(3), out = block.fast_first->out_channels();
  const auto options = input.options().memory_format(torch::MemoryFormat::ChannelsLast);
  auto run = [&](const synth::ImageConv3x3& conv, const torch::Tensor& from, const synth::ConvEpilogue& epilogue) {
    at::parallel_for(0, rows, 1, [&](int64_t begin, int64_t end) {
      conv.run(from.data_ptr<float>(), rows, columns, epilogue, begin, end);
    });
  };
  torch::Tensor middle = torch::empty({1, out, rows, columns}, options);
  synth::ConvEpilogue first;
  first.rectify = true;
  first.store = middle.data_ptr<float>();
  run(*block.fast_first, input, first);
  // A shortcut convolution's output is ours to overwrite; the identity's input is not.
  const bool shortcut = block.shortcut.weight.defined();
  torch::Tensor residual = shortcut ? torch::conv2d(input, block.shortcut.weight, block.shortcut.bias)
                                          .contiguous(torch::MemoryFormat::ChannelsLast)
                                    : input;
  torch::Tensor output = shortcut ? residual : torch::empty({1, out, rows, columns}, options);
  synth::ConvEpilogue second;
  second.rectify = true;
  second.add = residual.data_ptr<float>();
  second.store = output.data_ptr<float>();
  run(*block.fast_second, middle, second);
  return output;
}

torch::Tensor RmvpeNet::run_stack(const Stack& stack, torch::Tensor x) const {
  torch_util::ScratchBuffer widened;  // fp16-held weights in fp32, one convolution after another
  for (const Block& block : stack) {
    if (block.fast_first) {
      x = run_fast_block(block, x);
      continue;
    }
    torch::Tensor y = conv3x3(block.first, x, widened).relu_();
    y = conv3x3(block.second, y, widened).relu_();
    x = block.shortcut.weight.defined() ? y.add_(torch::conv2d(x, block.shortcut.weight, block.shortcut.bias))
                                        : y.add_(x);
  }
  return x;
}

torch::Tensor RmvpeNet::in_layout(const torch::Tensor& x) const {
  // oneDNN's CPU convolutions are fastest channels-last on large images with few channels, and
  // plain NCHW on the small deep ones (channels-last is 2x slower at 512 channels on 32x4).
  const bool channels_last = x.size(2) * x.size(3) >= kChannelsLastMinPositions;
  return x.contiguous(channels_last ? torch::MemoryFormat::ChannelsLast : torch::MemoryFormat::Contiguous);
}

torch::Tensor RmvpeNet::upsample(const torch::Tensor& x, std::size_t level, bool ends_sequence) const {
  const Conv& up = upsample_[level];
  const torch::Tensor padded = torch::constant_pad_nd(x, {0, 1, 0, ends_sequence ? 1 : 0});
  return in_layout(torch::pixel_shuffle(torch::conv2d(padded, up.weight, up.bias), 2).relu_());
}

torch::Tensor RmvpeNet::image_features(torch::Tensor x) const {
  // The finest levels hold most of the activations (each level's images take the same bytes per
  // frame, and the fine ones are alive longest), so they run in tiles of rows: every operation is
  // local in time, and a tile with as many context rows as its convolutions reach (2 per block)
  // gives the same rows as the whole image.
  const auto levels = static_cast<int64_t>(encoder_.size());
  const int64_t tile = windowing_.tile_frames;
  const int64_t tiled_levels = tile > 0 ? std::min(kRowTiledLevels, levels) : 0;
  auto reach = [](const Stack& stack) { return 2 * static_cast<int64_t>(stack.size()); };
  std::vector<torch::Tensor> skips;
  for (int64_t level = 0; level < tiled_levels; ++level) {
    const Stack& stack = encoder_[static_cast<std::size_t>(level)];
    const torch::Tensor previous = level == 0 ? x : skips.back();
    const int64_t rows = x.size(2) >> level;
    skips.push_back(by_row_tiles(rows, tile >> level, reach(stack), [&](int64_t from, int64_t to) {
      const torch::Tensor input = level == 0 ? previous.narrow(2, from, to - from)
                                             : torch::avg_pool2d(previous.narrow(2, 2 * from, 2 * (to - from)), {2, 2});
      return run_stack(stack, in_layout(input));
    }));
  }
  x = tiled_levels > 0 ? skips.back() : x;
  for (int64_t level = tiled_levels; level < levels; ++level) {
    if (level > 0) x = torch::avg_pool2d(x, {2, 2});
    x = run_stack(encoder_[static_cast<std::size_t>(level)], in_layout(x));
    skips.push_back(x);
  }
  x = in_layout(torch::avg_pool2d(x, {2, 2}));
  for (const Stack& layer : intermediate_) x = run_stack(layer, x);
  const std::size_t untiled_decoders = decoder_.size() - static_cast<std::size_t>(tiled_levels);
  for (std::size_t level = 0; level < untiled_decoders; ++level) {
    x = upsample(x, level, true);
    torch::Tensor& skip = skips[skips.size() - 1 - level];
    x = torch::cat({x, in_layout(skip)}, 1);
    skip = torch::Tensor();  // held in the concatenation now; its own memory can go
    x = run_stack(decoder_[level], x);
  }
  if (tiled_levels == 0) {
    return torch::conv2d(x, cnn_.weight, cnn_.bias, 1, 1).transpose(1, 2).flatten(2);  // [1, T, 384]
  }

  // Rows [from, to) of decoder `level`'s output at its own resolution, exact: computed over as
  // many more rows each side as its blocks reach, from the coarser decoder's exact rows (row r of
  // the upsampling takes rows r/2 and r/2 + 1 of its input). Level untiled − 1: `coarse` itself.
  const torch::Tensor coarse = x;
  x = torch::Tensor();
  std::function<torch::Tensor(int64_t, int64_t, int64_t)> decoded = [&](int64_t level, int64_t from, int64_t to) {
    if (level < static_cast<int64_t>(untiled_decoders)) return coarse.narrow(2, from, to - from);
    const auto index = static_cast<std::size_t>(level);
    const torch::Tensor& skip = skips[skips.size() - 1 - index];
    const int64_t rows = skip.size(2), context = reach(decoder_[index]);
    const int64_t lo = std::max<int64_t>(0, from - context) / 2 * 2;
    const int64_t hi = std::min(rows, (to + context + 1) / 2 * 2);
    const int64_t coarse_hi = std::min(rows / 2, hi / 2 + 1);
    const torch::Tensor up =
        upsample(decoded(level - 1, lo / 2, coarse_hi), index, coarse_hi == rows / 2).narrow(2, 0, hi - lo);
    const torch::Tensor joined = torch::cat({up, in_layout(skip.narrow(2, lo, hi - lo))}, 1);
    return run_stack(decoder_[index], joined).narrow(2, from - lo, to - from);
  };
  const auto finest = static_cast<int64_t>(decoder_.size()) - 1;
  const torch::Tensor output = by_row_tiles(skips.front().size(2), tile, 1, [&](int64_t from, int64_t to) {
    return torch::conv2d(decoded(finest, from, to), cnn_.weight, cnn_.bias, 1, 1);  // one row of context
  });
  return output.transpose(1, 2).flatten(2);  // [1, T, 384]: channel-major per frame
}

torch::Tensor RmvpeNet::forward(torch::Tensor mel) const {
  const torch::Tensor salience = torch::empty({mel.size(1), kRmvpeClasses}, torch::kFloat32);
  forward(std::move(mel), [&](const float* values, int64_t first, int64_t count) {
    std::copy(values, values + count * kRmvpeClasses, salience.data_ptr<float>() + first * kRmvpeClasses);
  });
  return salience;
}

void RmvpeNet::forward(torch::Tensor mel, const SalienceBlock& block) const {
  torch::NoGradGuard no_grad;
  const int64_t frames = mel.size(1);
  const int64_t padded = (frames + kRmvpeFrameMultiple - 1) / kRmvpeFrameMultiple * kRmvpeFrameMultiple;
  // [128, T] -> [1, 1, T', 128]: time × mel image, zero-padded at the end of time as RVC does.
  torch::Tensor x = torch::constant_pad_nd(mel, {0, padded - frames}).t().to(device_, dtype_);
  x = x.reshape({1, 1, padded, kRmvpeMelBins}) * input_scale_ + input_shift_;
  mel = torch::Tensor();  // a caller's temporary was moved in: ten minutes of mel need not be held twice
  torch::Tensor features;
  if (padded <= windowing_.max_frames) {
    features = image_features(x);
  } else {
    // Window edges sit on multiples of 32 frames, so every window pools on the whole input's grid.
    auto round_up = [](int64_t n) { return (n + kRmvpeFrameMultiple - 1) / kRmvpeFrameMultiple * kRmvpeFrameMultiple; };
    const int64_t context = round_up(windowing_.context_frames > 0 ? windowing_.context_frames : receptive_field_);
    const int64_t kept = windowing_.kept_frames > 0
                             ? round_up(windowing_.kept_frames)
                             : std::max(kRmvpeFrameMultiple, (windowing_.max_frames - 2 * context) /
                                                                 kRmvpeFrameMultiple * kRmvpeFrameMultiple);
    // Each window writes its kept frames straight into the sequence's features: long inputs hold
    // one [T, 384] buffer, not the windows' pieces and their concatenation as well.
    for (int64_t start = 0; start < padded; start += kept) {
      const int64_t keep = std::min(kept, padded - start);
      const int64_t from = std::max<int64_t>(0, start - context);
      const int64_t to = std::min(padded, start + keep + context);
      {
        const torch::Tensor window = image_features(x.narrow(2, from, to - from)).narrow(1, start - from, keep);
        if (!features.defined()) features = torch::empty({1, padded, window.size(2)}, window.options());
        features.narrow(1, start, keep).copy_(window);
      }
      torch_util::release_free_memory();  // the window's activations (see Engine::convert)
    }
  }
  x = torch::Tensor();
  classify(std::move(features), frames, block);
}

}  // namespace rvc::f0
