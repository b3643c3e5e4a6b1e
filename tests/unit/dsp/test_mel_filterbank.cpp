// The mel filterbank against librosa's (RMVPE's mel_basis, HTK scale, Slaney area norm).
#include <gtest/gtest.h>

#include "dsp/mel_filterbank.hpp"
#include "rvc/io/npy.hpp"
#include "test_util.hpp"

namespace rvc::dsp {
namespace {

TEST(MelFilterbank, MatchesLibrosaForRmvpe) {
  const io::TensorData reference = io::load_npy(test::data_path("rmvpe/mel_basis.npy"));
  ASSERT_EQ(reference.shape(), (std::vector<std::int64_t>{128, 513}));
  const std::vector<float> basis = mel_filterbank(16000, 1024, 128, 30.0, 8000.0, MelScale::kHtk);
  EXPECT_LT(test::max_abs_diff(basis, reference.to_floats()), 1e-8);
}

TEST(MelFilterbank, SlaneyBandsHaveUnitArea) {
  // FCPE's bank: 0-8 kHz, 128 bands. Slaney normalisation gives every triangle area 1 (checked on
  // the wide upper bands, where 15.6 Hz bins sample it well), and the scale differs from HTK.
  const int bins = 513;
  const double bin_hz = 8000.0 / 512;
  const std::vector<float> basis = mel_filterbank(16000, 1024, 128, 0.0, 8000.0, MelScale::kSlaney);
  ASSERT_EQ(basis.size(), 128u * bins);
  for (int band = 64; band < 128; ++band) {
    double area = 0;
    for (int k = 0; k < bins; ++k) area += basis[static_cast<std::size_t>(band) * bins + k] * bin_hz;
    EXPECT_NEAR(area, 1.0, 0.02) << "band " << band;
  }
  const std::vector<float> htk = mel_filterbank(16000, 1024, 128, 0.0, 8000.0, MelScale::kHtk);
  EXPECT_GT(test::max_abs_diff(basis, htk), 1e-4);
}

}  // namespace
}  // namespace rvc::dsp
