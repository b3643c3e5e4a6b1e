#include "rvc/synth/synthesizer.hpp"

#include <ATen/CPUGeneratorImpl.h>

#include <chrono>
#include <cmath>
#include <random>

#include "rvc/error.hpp"
#include "rvc/io/checkpoint.hpp"
#include "model/voice_bundle_reader.hpp"
#include "synth/synthesizer_net.hpp"
#include "backend/torch_util.hpp"

namespace rvc::synth {
namespace {

// The flow's half receptive field: 4 couplings x 3 WaveNet layers x kernel 5 -> 24 frames, so
// frames further than this before the kept part cannot change it (spec 2.2).
constexpr int64_t kFlowMarginFrames = 24;

}  // namespace

void SynthesizerConfig::validate() const {
  torch_util::check_device_precision(device, precision, "SynthesizerConfig");
}

std::string SynthesizerConfig::to_string() const {
  return "device=" + device + " precision=" + precision_name(precision);
}

void InferOptions::validate() const {
  if (speaker_id < 0) throw Error(ErrorCode::kInvalidArgument, "InferOptions.speaker_id must be >= 0");
  if (!std::isfinite(noise_scale) || noise_scale < 0) {
    throw Error(ErrorCode::kInvalidArgument, "InferOptions.noise_scale must be a finite value >= 0");
  }
  if (skip_head < 0) throw Error(ErrorCode::kInvalidArgument, "InferOptions.skip_head must be >= 0");
  if (return_length < -1 || return_length == 0) {
    throw Error(ErrorCode::kInvalidArgument, "InferOptions.return_length must be -1 (all) or >= 1");
  }
  if (trim_head_frames < 0 || trim_tail_frames < 0) {
    throw Error(ErrorCode::kInvalidArgument, "InferOptions.trim_head_frames and trim_tail_frames must be >= 0");
  }
  if (vocoder_tile_frames < 0) {
    throw Error(ErrorCode::kInvalidArgument, "InferOptions.vocoder_tile_frames must be 0 (default) or >= 1");
  }
  if (return_length2 < -1 || return_length2 == 0) {
    throw Error(ErrorCode::kInvalidArgument, "InferOptions.return_length2 must be -1 (off) or >= 1");
  }
}

struct Synthesizer::Impl {
  std::string path;
  model::ModelInfo info;
  std::shared_ptr<SynthesizerNet> net;
  torch::Device device{torch::kCPU};
  torch::ScalarType dtype = torch::kFloat32;
};

Synthesizer::Synthesizer(const std::string& path, const SynthesizerConfig& config) : impl_(std::make_unique<Impl>()) {
  config.validate();
  impl_->path = path;
  const io::Value root = model::load_voice_model_checkpoint(path);
  impl_->info = model::model_info_from_checkpoint(root, path);
  impl_->device = torch_util::parse_device(config.device);
  impl_->dtype = torch_util::prepare_networks(config.precision, impl_->device);
  torch::NoGradGuard no_grad;
  impl_->net = std::make_shared<SynthesizerNet>(impl_->info);
  torch_util::load_parameters(*impl_->net, torch_util::read_state_dict(root.at("weight"), path), "", path);
  impl_->net->eval();
  impl_->net->to(impl_->device, impl_->dtype);
  impl_->net->dec->prepare();
  torch_util::release_free_memory();
}

Synthesizer::~Synthesizer() = default;
Synthesizer::Synthesizer(Synthesizer&&) noexcept = default;
Synthesizer& Synthesizer::operator=(Synthesizer&&) noexcept = default;

const model::ModelInfo& Synthesizer::info() const { return impl_->info; }

int Synthesizer::hop_samples() const { return impl_->info.config.hop_samples(); }

SynthesisResult Synthesizer::infer(const float* phone, std::int64_t frames, std::int64_t feature_dim,
                                   const std::int64_t* pitch, const float* pitchf,
                                   const InferOptions& options) const {
  options.validate();
  const model::ModelInfo& info = impl_->info;
  const std::string& path = impl_->path;
  if (phone == nullptr || frames <= 0) {
    throw Error(ErrorCode::kInvalidAudio, "synthesizer '" + path + "': no feature frames to synthesize (frames = " +
                                              std::to_string(frames) + ")");
  }
  if (feature_dim != info.feature_dim()) {
    throw Error(ErrorCode::kInvalidArgument,
                "synthesizer '" + path + "' is a " + info.version + " model and takes " +
                    std::to_string(info.feature_dim()) + "-d content features, but got " +
                    std::to_string(feature_dim) + "-d ones; use the " + (info.version == "v1" ? "v1" : "v2") +
                    " content features (" + (info.version == "v1" ? "layer 9 + final_proj, 256-d" : "layer 12, 768-d") +
                    ")");
  }
  for (std::int64_t i = 0; i < frames * feature_dim; ++i) {
    if (!std::isfinite(phone[i])) {
      throw Error(ErrorCode::kInvalidAudio, "synthesizer '" + path + "': content features hold a non-finite value at frame " +
                                                std::to_string(i / feature_dim) + "; check the input audio");
    }
  }
  if (info.has_pitch) {
    if (pitch == nullptr || pitchf == nullptr) {
      throw Error(ErrorCode::kInvalidArgument, "synthesizer '" + path + "' is a pitch model: pass pitch and pitchf");
    }
    for (std::int64_t i = 0; i < frames; ++i) {
      if (pitch[i] < 1 || pitch[i] > 255) {
        throw Error(ErrorCode::kInvalidArgument, "synthesizer '" + path + "': coarse pitch " + std::to_string(pitch[i]) +
                                                     " at frame " + std::to_string(i) + " is outside 1..255");
      }
      if (!std::isfinite(pitchf[i]) || pitchf[i] < 0) {
        throw Error(ErrorCode::kInvalidArgument, "synthesizer '" + path + "': f0 at frame " + std::to_string(i) +
                                                     " must be finite and >= 0 Hz");
      }
    }
  }
  if (options.speaker_id >= info.config.spk_embed_dim) {
    throw Error(ErrorCode::kInvalidArgument, "synthesizer '" + path + "' has " +
                                                 std::to_string(info.config.spk_embed_dim) + " speaker(s); speaker id " +
                                                 std::to_string(options.speaker_id) + " does not exist");
  }
  const int64_t head = options.skip_head;
  const int64_t length = options.return_length < 0 ? frames - head : options.return_length;
  if (head >= frames || head + length > frames) {
    throw Error(ErrorCode::kInvalidArgument, "synthesizer '" + path + "': skip_head " + std::to_string(head) +
                                                 " + return_length " + std::to_string(length) + " exceeds the " +
                                                 std::to_string(frames) + " frames given");
  }

  c10::InferenceMode inference;
  const torch::Device device = impl_->device;
  const torch::ScalarType dtype = impl_->dtype;
  auto cpu_float = torch::TensorOptions().dtype(torch::kFloat32);
  const torch::Tensor phone_t =
      torch::from_blob(const_cast<float*>(phone), {1, frames, feature_dim}, cpu_float).to(device, dtype);
  torch::Tensor pitch_t, pitchf_t;
  if (info.has_pitch) {
    pitch_t = torch::from_blob(const_cast<std::int64_t*>(pitch), {1, frames}, torch::kInt64).to(device);
    pitchf_t = torch::from_blob(const_cast<float*>(pitchf), {1, frames}, cpu_float).to(device);
  }
  const uint64_t seed = options.seed >= 0 ? static_cast<uint64_t>(options.seed) : std::random_device{}();
  torch::Generator rng = at::make_generator<at::CPUGeneratorImpl>(seed);

  SynthesizerNet& net = *impl_->net;
  const torch::Tensor g =
      net.emb_g(torch::full({1}, options.speaker_id, torch::TensorOptions().dtype(torch::kInt64).device(device)))
          .unsqueeze(-1);
  const int64_t flow_head = std::max<int64_t>(head - kFlowMarginFrames, 0);
  const int64_t dec_head = head - flow_head;
  // Stage times include a device sync point (the next stage's inputs), so they add up.
  using Clock = std::chrono::steady_clock;
  auto elapsed_ms = [](Clock::time_point since) {
    return std::chrono::duration<double, std::milli>(Clock::now() - since).count();
  };
  SynthesisResult result;
  auto stage_start = Clock::now();
  auto [m_p, logs_p, mask] = net.enc_p->forward(phone_t, pitch_t, flow_head);
  result.encoder_ms = elapsed_ms(stage_start);
  stage_start = Clock::now();
  torch::Tensor z_p = m_p;
  if (!options.zero_noise && options.noise_scale > 0) {
    const torch::Tensor noise = torch::randn(m_p.sizes(), rng, torch::kFloat32).to(device, dtype);
    z_p = m_p + torch::exp(logs_p) * noise * options.noise_scale;
  }
  z_p = z_p * mask;
  const torch::Tensor z = net.flow->reverse(z_p, mask, g);
  result.flow_ms = elapsed_ms(stage_start);
  stage_start = Clock::now();
  const torch::Tensor z_kept = z.slice(2, dec_head, dec_head + length) * mask.slice(2, dec_head, dec_head + length);
  const torch::Tensor f0_kept = info.has_pitch ? pitchf_t.slice(1, head, head + length) : torch::Tensor();
  torch::Tensor har_source;
  const torch::Tensor audio = net.dec->forward(z_kept, f0_kept, g, options.return_length2, options, rng,
                                               options.capture_intermediates ? &har_source : nullptr);
  const torch::Tensor samples = audio.reshape({-1}).to(torch::kCPU, torch::kFloat32).contiguous();
  result.audio.assign(samples.data_ptr<float>(), samples.data_ptr<float>() + samples.numel());
  result.decoder_ms = elapsed_ms(stage_start);
  if (options.capture_intermediates) {
    result.m_p = torch_util::to_tensor_data(m_p);
    result.logs_p = torch_util::to_tensor_data(logs_p);
    result.z = torch_util::to_tensor_data(z);
    if (har_source.defined()) result.har_source = torch_util::to_tensor_data(har_source);
  }
  return result;
}

}  // namespace rvc::synth
