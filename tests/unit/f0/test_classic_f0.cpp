// pm (Praat To Pitch (ac)), harvest, dio and stonemask against the references computed by Praat
// 6.3 and pyworld with RVC's settings (fixtures f0/), on speech, a vibrato sine and silence.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <iostream>

#include "dsp/iir_filter.hpp"
#include "f0/praat_pitch.hpp"
#include "f0/world.hpp"
#include "rvc/audio/audio_file.hpp"
#include "rvc/error.hpp"
#include "rvc/f0/pitch.hpp"
#include "rvc/io/npy.hpp"
#include "test_util.hpp"

namespace rvc::f0 {
namespace {

using test::data_path;

std::vector<double> reference(const std::string& signal, const std::string& variant) {
  return io::load_npy(data_path("f0/" + signal + "." + variant + ".npy")).to_doubles();
}

std::vector<double> signal_samples(const std::string& signal) {
  const audio::AudioBuffer audio = audio::read_audio(data_path("audio/" + signal + ".wav"));
  return {audio.samples.begin(), audio.samples.end()};
}

// The agreement measures between two tracks of equal length.
struct Agreement {
  double voicing = 0;       // fraction of frames where both agree on voiced/unvoiced
  double median_cents = 0;  // over frames both call voiced
  double p95_cents = 0;
  double coarse = 0;        // fraction of frames with equal coarse pitch
  int both_voiced = 0;
};

Agreement agreement(const std::vector<double>& ours, const std::vector<double>& expected) {
  EXPECT_EQ(ours.size(), expected.size());
  const std::size_t n = std::min(ours.size(), expected.size());
  Agreement result;
  std::vector<double> cents;
  int same_voicing = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const bool a = ours[i] > 0, b = expected[i] > 0;
    same_voicing += a == b;
    if (a && b) cents.push_back(std::fabs(1200.0 * std::log2(ours[i] / expected[i])));
  }
  const std::vector<std::int64_t> coarse_ours = coarse_pitch({ours, {}, F0Arithmetic::kFloat64});
  const std::vector<std::int64_t> coarse_expected = coarse_pitch({expected, {}, F0Arithmetic::kFloat64});
  int same_coarse = 0;
  for (std::size_t i = 0; i < n; ++i) same_coarse += coarse_ours[i] == coarse_expected[i];
  result.voicing = n ? static_cast<double>(same_voicing) / n : 1.0;
  result.coarse = n ? static_cast<double>(same_coarse) / n : 1.0;
  result.both_voiced = static_cast<int>(cents.size());
  std::sort(cents.begin(), cents.end());
  if (!cents.empty()) {
    result.median_cents = cents[cents.size() / 2];
    result.p95_cents = cents[std::min(cents.size() - 1, static_cast<std::size_t>(0.95 * cents.size()))];
  }
  return result;
}

// The acceptance bar, with the measured figures in the log.
void expect_agreement(const std::vector<double>& ours, const std::vector<double>& expected, const std::string& what) {
  const Agreement a = agreement(ours, expected);
  std::cout << "[ agreement ] " << what << ": voicing " << a.voicing << ", median " << a.median_cents
            << " cents, p95 " << a.p95_cents << " cents over " << a.both_voiced << " frames, coarse " << a.coarse
            << "\n";
  EXPECT_GE(a.voicing, 0.98) << what;
  EXPECT_LE(a.median_cents, 5.0) << what;
  EXPECT_LE(a.p95_cents, 20.0) << what;
  EXPECT_GE(a.coarse, 0.97) << what;
  // The references are deterministic and so are we: hold the match we reach, not just the bar.
  EXPECT_GE(a.voicing, 0.998) << what;
  EXPECT_LE(a.p95_cents, 0.01) << what;
}

const char* const kSignals[] = {"speech_male_16k", "speech_female_16k", "vibrato_sine_16k", "silence_16k"};

// A WORLD estimator against pyworld on every signal, before and after StoneMask.
void expect_world_method_matches(const std::string& method,
                                 std::vector<double> (*estimate)(const std::vector<double>&, int,
                                                                 const world::WorldSettings&)) {
  for (const std::string signal : kSignals) {
    const std::vector<double> x = signal_samples(signal);
    const world::WorldSettings settings;
    const std::vector<double> raw = estimate(x, 16000, settings);
    expect_agreement(raw, reference(signal, "train_" + method + "_raw"), signal + " " + method);
    const std::vector<double> refined = world::stonemask(x, 16000, settings.frame_period_ms, raw);
    expect_agreement(refined, reference(signal, "train_" + method + "_f0"), signal + " " + method + "+stonemask");
  }
}

TEST(WorldDio, MatchesPyworldBeforeAndAfterStonemask) { expect_world_method_matches("dio", world::dio); }

TEST(WorldHarvest, MatchesPyworldBeforeAndAfterStonemask) { expect_world_method_matches("harvest", world::harvest); }

TEST(PraatPitch, MatchesPraatToPitchAc) {
  for (const std::string signal : kSignals) {
    const std::vector<double> x = signal_samples(signal);
    const praat::PitchContour contour = praat::to_pitch_ac(x, 16000);
    expect_agreement(contour.frequency, reference(signal, "train_pm_raw"), signal + " pm");
    if (signal != "silence_16k") {
      expect_agreement(praat::rvc_pm_track(x, 16000), reference(signal, "train_pm_padded"), signal + " pm padded");
    }
  }
}

// RVC's inference input chain before get_f0: the peak rule, the 48 Hz high-pass (filtfilt) and a
// reflect pad of one second (x_pad = 1).
std::vector<double> pipeline_input(const std::string& signal) {
  std::vector<double> x = signal_samples(signal);
  double peak = 0;
  for (double v : x) peak = std::max(peak, std::fabs(v));
  if (peak / 0.95 > 1) {
    for (double& v : x) v /= peak / 0.95;
  }
  const std::vector<double> filtered = dsp::filtfilt(dsp::butterworth_highpass(5, 48, 16000), x);
  const int pad = 16000, n = static_cast<int>(filtered.size());
  std::vector<double> padded(n + 2 * pad);
  for (int i = 0; i < pad; ++i) {
    padded[i] = filtered[pad - i];
    padded[pad + n + i] = filtered[n - 2 - i];
  }
  std::copy(filtered.begin(), filtered.end(), padded.begin() + pad);
  return padded;
}

TEST(WorldHarvest, PipelineChainWithTheMedianFilterMatchesRvc) {
  for (const std::string signal : kSignals) {
    const std::vector<double> x = pipeline_input(signal);
    const world::WorldSettings settings;
    const std::vector<double> raw = world::harvest(x, 16000, settings);
    expect_agreement(raw, reference(signal, "pipe_harvest_raw"), signal + " pipeline harvest");
    F0Track track{world::stonemask(x, 16000, settings.frame_period_ms, raw), {}, F0Arithmetic::kFloat64};
    median_filter(track, 3);
    const std::vector<double> expected = reference(signal, "pipe_harvest_key0_pitchf");
    track.hz.resize(expected.size());
    expect_agreement(track.hz, expected, signal + " pipeline harvest+stonemask+medfilt");
  }
}

TEST(Pitch, MedianFilterPadsWithZerosAsScipyDoes) {
  F0Track track{{100, 200, 150, 0, 300}, {}, F0Arithmetic::kFloat64};
  median_filter(track, 3);
  EXPECT_EQ(track.hz, (std::vector<double>{100, 150, 150, 150, 0}));
  EXPECT_THROW(median_filter(track, 2), Error);
}

}  // namespace
}  // namespace rvc::f0
