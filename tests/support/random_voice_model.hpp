// Writes models with random weights in RVC's exact file layouts: voice models in the small-model
// format of savee() (float16 weights with weight_g/weight_v for weight-normed layers, the 18-item
// config, info, sr, f0, version), content encoders in fairseq's layout, RMVPE's plain state dict
// and torchfcpe's checkpoint. Benchmarks use them for full-size models, since no real weights
// exist here.
#pragma once

#include <cstdint>
#include <string>

#include "rvc/model/model_info.hpp"

namespace rvc::test {

/// Writes `path` for `version` ("v1"/"v2"), `has_pitch` and `config`; returns the number of keys
/// in its `weight` dict. Weights are N(0, 1/fan_in) (the same for a given seed).
int write_random_voice_model(const std::string& path, const std::string& version, bool has_pitch,
                             const model::ModelConfig& config, std::uint64_t seed = 1);

/// Writes a full-size HuBERT-Base/ContentVec with random weights in the fairseq checkpoint layout
/// of hubert_base.pt (args, cfg["model"], model with pos_conv weight_g/weight_v, float16).
void write_random_content_encoder(const std::string& path, std::uint64_t seed = 1);

/// Writes a full-size RMVPE (E2E(4, 1, (2,2)), 90.4 M parameters) with random weights and
/// BatchNorm statistics as rmvpe.pt stores it: a plain float16 state dict.
void write_random_rmvpe(const std::string& path, std::uint64_t seed = 1);

/// Writes a full-size FCPE (conv-only CFNaiveMelPE: 128 mels, hidden 512, 6 layers, 360 bins,
/// 10.8 M parameters) with random weights in torchfcpe's checkpoint layout ({config_dict, model},
/// float32, the output layer weight-normed), as fcpe_c_v001.pt is.
void write_random_fcpe(const std::string& path, std::uint64_t seed = 1);

}  // namespace rvc::test
