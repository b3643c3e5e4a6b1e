// RMVPE's E2E network (DeepUnet + cnn + BiGRU + Linear). RmvpeModules is the module tree whose
// names are the keys of rmvpe.pt, so the file loads by name (and test writers get the keys);
// RmvpeNet is what runs: every eval-mode BatchNorm folded into the convolution before it, on the
// chosen device and dtype, with the module tree dropped. Private to rvc_core.
#pragma once

#include <torch/torch.h>

#include <functional>
#include <memory>
#include <vector>

#include "backend/torch_util.hpp"
#include "synth/time_major_conv.hpp"

namespace rvc::f0 {

/// Mel bins the network takes (the U-Net's frequency axis).
constexpr int64_t kRmvpeMelBins = 128;
/// Pitch classes of the output (20 cents each).
constexpr int64_t kRmvpeClasses = 360;
/// The U-Net halves both axes once per level, so T is padded to a multiple of 2^levels (32).
constexpr int64_t kRmvpeFrameMultiple = 32;

/// The sizes RVC passes to E2E, as read from a state dict's tensor shapes. The real rmvpe.pt is
/// E2E(4, 1, (2,2)): 4 blocks per level, 5 levels, 4 intermediate layers, 16 base channels.
struct RmvpeArchitecture {
  int64_t blocks_per_level = 4;  // n_blocks: ConvBlockRes per encoder/intermediate/decoder level
  int64_t levels = 5;            // en_de_layers
  int64_t intermediate_layers = 4;
  int64_t in_channels = 1;
  int64_t base_channels = 16;  // en_out_channels
  int64_t gru_layers = 1;      // n_gru; 0 means fc is a single Linear
  int64_t gru_hidden = 256;
};

// ConvBlockRes: two 3×3 conv + BN + ReLU, plus the input (or its 1×1 shortcut when widths differ).
struct ConvBlockResModules : torch::nn::Module {
  ConvBlockResModules(int64_t in, int64_t out);
  torch::nn::Sequential conv{nullptr};
  torch::nn::Conv2d shortcut{nullptr};
};

// A ModuleList of ConvBlockRes: `in`→`out` first, then `out`→`out`.
struct ConvBlockList {
  ConvBlockList(torch::nn::Module& owner, const char* name, int64_t in, int64_t out, int64_t count);
  std::vector<std::shared_ptr<ConvBlockResModules>> blocks;
};

// ResDecoderBlock: conv1 = transposed conv (×2 on both axes) + BN + ReLU, then conv2 blocks.
struct DecoderLevelModules : torch::nn::Module {
  DecoderLevelModules(int64_t in, int64_t out, int64_t blocks);
  torch::nn::Sequential conv1{nullptr};
  ConvBlockList conv2;
};

struct RmvpeModules : torch::nn::Module {
  explicit RmvpeModules(const RmvpeArchitecture& arch);

  RmvpeArchitecture arch;
  torch::nn::BatchNorm2d input_norm{nullptr};  // unet.encoder.bn
  std::vector<ConvBlockList> encoder, intermediate;  // unet.{encoder,intermediate}.layers.<i>.conv
  std::vector<std::shared_ptr<DecoderLevelModules>> decoder;  // unet.decoder.layers.<i>
  torch::nn::Conv2d cnn{nullptr};
  torch::nn::GRU gru{nullptr};            // fc.0.gru (bidirectional)
  torch::nn::Linear classifier{nullptr};  // fc.1, or fc.0 without a GRU
};

// Long inputs run the U-Net in overlapping windows (the BiGRU still sees the whole sequence), so
// memory stays bounded (~70 KB of activations a frame on the CPU): a minute of audio (6000 frames)
// and ten minutes need about the same. Each window has enough context on both sides (the U-Net's
// receptive field, 1614 frames at full size) that the frames it keeps come out as from the whole
// sequence; the context costs time (about 1.7x the U-Net's for long inputs at full size).
struct RmvpeWindowing {
  int64_t max_frames = 8192;    // inputs up to this many frames (~82 s) run in one piece; windows are this long
  int64_t kept_frames = 0;      // frames each window contributes; 0: max_frames less both contexts
  int64_t context_frames = 0;   // per side; 0: the U-Net's receptive field, rounded up to 32
  // The finest levels of a window run in tiles of this many frames (even; 0: whole images), which
  // gives the same rows with a fraction of the activations.
  int64_t tile_frames = 512;
};

// What runs: folded weights on one device in one dtype.
class RmvpeNet {
 public:
  /// Folds `modules` (loaded, eval mode); their convolution weights are released as they are
  /// folded, so the module tree is of no further use.
  RmvpeNet(const RmvpeModules& modules, const torch::Device& device, torch::ScalarType dtype);

  /// Salience of frames [first, first + count): [count, 360] row-major float32 on the CPU.
  using SalienceBlock = std::function<void(const float* salience, int64_t first, int64_t count)>;

  /// log-mel [128, T] float32 (any T; padded to a multiple of 32 inside) -> salience [T, 360]
  /// float32 on the CPU.
  torch::Tensor forward(torch::Tensor mel) const;
  /// The same salience, handed to `block` a block of frames at a time in no particular order, so
  /// that a long input holds neither all of it nor the whole BiGRU output at once (ten minutes:
  /// 86 and 123 MB).
  void forward(torch::Tensor mel, const SalienceBlock& block) const;

  /// The U-Net's receptive field along time, in frames each side.
  int64_t receptive_field_frames() const { return receptive_field_; }
  /// How long inputs are split (tests use small windows).
  void set_windowing(const RmvpeWindowing& windowing) { windowing_ = windowing; }
  /// Runs the BiGRU through LibTorch's torch::gru over the whole sequence from now on, rather than
  /// the CPU kernel a block at a time (tests compare the two).
  void use_libtorch_gru() { gru_recurrent_t_.clear(); }

 private:
  struct Conv {
    torch::Tensor weight, bias;
    // Defined when `weight` is a 3×3 convolution's own fp16 weight (exact for fp16 files such as
    // rmvpe.pt: half the memory of folded fp32) and its BatchNorm follows it as y·scale + bias.
    torch::Tensor scale;
  };
  struct Block {
    Conv first, second, shortcut;  // shortcut.weight undefined: identity
    // On CPUs with AVX-512 in fp32, the 3×3 convolutions in Winograd tiles (first/second then
    // hold no weights).
    std::shared_ptr<const synth::ImageConv3x3> fast_first, fast_second;
  };
  using Stack = std::vector<Block>;

  // `columns`: the image width (mel bins) the stack runs at.
  Block fold_block(const ConvBlockResModules& block, int64_t columns) const;
  Stack fold_stack(const ConvBlockList& list, int64_t columns) const;
  Conv place(torch::Tensor weight, torch::Tensor bias) const;
  // A 3×3 convolution and its BatchNorm, as the weights allow: unfolded in fp16 where that is exact
  // and the network runs in fp32, else folded into one convolution.
  Conv conv_and_norm(const torch::Tensor& weight, const torch::nn::BatchNorm2dImpl& norm) const;
  // `widened`: where an fp16-held weight is widened to x's dtype.
  torch::Tensor conv3x3(const Conv& conv, const torch::Tensor& x, torch_util::ScratchBuffer& widened) const;
  torch::Tensor run_stack(const Stack& stack, torch::Tensor x) const;
  torch::Tensor run_fast_block(const Block& block, const torch::Tensor& x) const;
  // Decoder `level`'s upsampling (transposed conv as conv + pixel shuffle, then ReLU); the input is
  // zero-padded by a row at the end only where it `ends_sequence` (else its next row is there).
  torch::Tensor upsample(const torch::Tensor& x, std::size_t level, bool ends_sequence) const;
  // The normalised image [1, 1, T, 128] (T a multiple of 32) -> cnn output as [1, T, 384].
  torch::Tensor image_features(torch::Tensor x) const;
  // x in the memory format its convolutions run fastest in.
  torch::Tensor in_layout(const torch::Tensor& x) const;
  // fc.0 and fc.1 on the U-Net's features [1, T', features], for frames [0, frames).
  void classify(torch::Tensor features, int64_t frames, const SalienceBlock& block) const;
  // One block of frames [start, start + count) of one GRU direction on the CPU kernel: x [T, in]
  // contiguous; h of each frame goes to output + (t - start)·output_stride; `state` carries h.
  void run_gru_block(const torch::Tensor& x, int64_t layer, int64_t direction, int64_t start, int64_t count,
                     float* output, int64_t output_stride, float* state) const;

  torch::Device device_;
  torch::ScalarType dtype_;
  int64_t receptive_field_ = 0;
  RmvpeWindowing windowing_;
  torch::Tensor input_scale_, input_shift_;
  std::vector<Stack> encoder_, intermediate_, decoder_;
  std::vector<Conv> upsample_;  // decoder conv1, transposed, BN folded
  Conv cnn_;
  torch::nn::GRU cuda_gru_{nullptr};  // on CUDA: the GRU, its weights flattened for cuDNN
  std::vector<torch::Tensor> gru_weights_;  // elsewhere: torch::gru's order; empty: no GRU
  std::vector<torch::Tensor> gru_recurrent_t_;  // W_hhᵀ per layer and direction, for the CPU fp32 kernel
  Conv classifier_;
};

}  // namespace rvc::f0
