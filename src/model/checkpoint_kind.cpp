#include "model/checkpoint_kind.hpp"

namespace rvc::model {
namespace {

bool has_key_with_prefix(const io::Value& dict, const char* prefix) {
  if (!dict.is_dict()) return false;
  for (const auto& [key, value] : dict.as_dict()) {
    if (key.kind() == io::Value::Kind::kString && key.as_string().rfind(prefix, 0) == 0) return true;
  }
  return false;
}

}  // namespace

CheckpointKind classify_checkpoint(const io::Value& root) {
  if (!root.is_dict()) return CheckpointKind::kUnknown;
  const io::Value* model = root.find("model");
  if (root.find("weight") != nullptr && root.find("config") != nullptr) return CheckpointKind::kVoiceModel;
  if (model != nullptr && (root.find("iteration") != nullptr || root.find("optimizer") != nullptr)) {
    return has_key_with_prefix(*model, "discriminators.") ? CheckpointKind::kDiscriminatorTraining
                                                          : CheckpointKind::kGeneratorTraining;
  }
  // RVC's pretrained base models (f0G40k.pth, f0D40k.pth) hold only {"model": state dict}.
  if (model != nullptr && has_key_with_prefix(*model, "discriminators.")) return CheckpointKind::kDiscriminatorTraining;
  if (model != nullptr && has_key_with_prefix(*model, "enc_p.")) return CheckpointKind::kGeneratorTraining;
  if (model != nullptr && (root.find("cfg") != nullptr || root.find("args") != nullptr)) {
    return CheckpointKind::kFairseqContentEncoder;
  }
  if (root.find("config_dict") != nullptr) return CheckpointKind::kFcpe;
  if (has_key_with_prefix(root, "unet.")) return CheckpointKind::kRmvpe;
  if (has_key_with_prefix(root, "feature_extractor.conv_layers.") ||
      has_key_with_prefix(root, "hubert.feature_extractor.conv_layers.")) {
    return CheckpointKind::kHuggingFaceContentEncoder;
  }
  return CheckpointKind::kUnknown;
}

std::string describe_checkpoint_kind(CheckpointKind kind) {
  switch (kind) {
    case CheckpointKind::kVoiceModel: return "an RVC voice model (weights/<name>.pth)";
    case CheckpointKind::kGeneratorTraining:
      return "a generator training checkpoint (G_*.pth from logs/<experiment>/)";
    case CheckpointKind::kDiscriminatorTraining:
      return "a discriminator training checkpoint (D_*.pth from logs/<experiment>/)";
    case CheckpointKind::kFairseqContentEncoder: return "a fairseq content encoder (hubert_base.pt)";
    case CheckpointKind::kHuggingFaceContentEncoder:
      return "the weights of a Hugging Face content encoder (assets/hubert_base/)";
    case CheckpointKind::kFcpe: return "an FCPE pitch model";
    case CheckpointKind::kRmvpe: return "an RMVPE pitch model (rmvpe.pt)";
    case CheckpointKind::kUnknown: break;
  }
  return "not a file rvc knows";
}

}  // namespace rvc::model
