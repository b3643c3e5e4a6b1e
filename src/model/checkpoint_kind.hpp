// What kind of RVC file a loaded checkpoint is, so a loader that got the wrong one can say what it
// got and what to pass instead. Private to rvc.
#pragma once

#include <string>

#include "rvc/io/value.hpp"

namespace rvc::model {

enum class CheckpointKind {
  kVoiceModel,               // weights/<name>.pth: {weight, config, ...}
  kGeneratorTraining,        // logs/<exp>/G_*.pth
  kDiscriminatorTraining,    // logs/<exp>/D_*.pth
  kFairseqContentEncoder,    // hubert_base.pt: {model, cfg|args, ...}
  kHuggingFaceContentEncoder,  // pytorch_model.bin of assets/hubert_base/
  kFcpe,                     // FCPE pitch model: {model, config_dict}
  kRmvpe,                    // rmvpe.pt: state dict of unet.*
  kUnknown,
};

CheckpointKind classify_checkpoint(const io::Value& root);

// "a discriminator training checkpoint (D_*.pth from logs/<experiment>/)", ...
std::string describe_checkpoint_kind(CheckpointKind kind);

}  // namespace rvc::model
