// Fixture access shared by the tests of the network f0 estimators: a fixture folder holds
// inputs/<name>.wav (16 kHz) and outputs/<name>/<file>.npy, its model sits in tests/data/models.
#pragma once

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <string>
#include <vector>

#include "rvc/audio/audio_file.hpp"
#include "rvc/f0/estimator.hpp"
#include "rvc/io/npy.hpp"
#include "test_util.hpp"

namespace rvc::f0::test {

struct NetworkFixture {
  std::string folder;  ///< "rmvpe", "fcpe"
  std::string model;   ///< path below tests/data

  EstimatorConfig config() const {
    EstimatorConfig config;
    config.model_path = rvc::test::data_path(model);
    config.device = rvc::test::test_device();
    config.precision = Precision::kFloat32;
    return config;
  }

  std::vector<float> input(const std::string& name) const {
    const audio::AudioBuffer audio = audio::read_audio(rvc::test::data_path(folder + "/inputs/" + name + ".wav"));
    EXPECT_EQ(audio.sample_rate_hz, kF0SampleRateHz);
    return audio.samples;
  }

  io::TensorData reference(const std::string& input_name, const std::string& file) const {
    return io::load_npy(rvc::test::data_path(folder + "/outputs/" + input_name + "/" + file + ".npy"));
  }
};

/// Log-mel tolerance against the fixtures (computed on the CPU). On CUDA, cuFFT's rounding, which
/// the log magnifies in near-silent bins, reaches 1.4e-2; the salience and latents downstream still
/// hold their own tolerances there.
inline double mel_tolerance() { return rvc::test::testing_on_cuda() ? 2e-2 : 1e-3; }

/// The values of any tensor as float32, in row-major order.
inline std::vector<float> tensor_values(const torch::Tensor& tensor) {
  const torch::Tensor flat = tensor.to(torch::kCPU, torch::kFloat32).contiguous().view(-1);
  return std::vector<float>(flat.data_ptr<float>(), flat.data_ptr<float>() + flat.numel());
}

}  // namespace rvc::f0::test
