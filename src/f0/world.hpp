// WORLD's f0 estimators (Morise 2009/2016/2017) as pyworld 0.3 runs them for RVC: dio, harvest and
// the StoneMask refinement. Written from the papers and from RVC's specification; every step keeps
// WORLD's arithmetic so results match the reference library. Private to rvc.
#pragma once

#include <vector>

namespace rvc::f0::world {

/// What RVC passes to pyworld: floor 50 Hz, ceiling 1100 Hz, one frame every 10 ms.
struct WorldSettings {
  double f0_floor_hz = 50.0;
  double f0_ceil_hz = 1100.0;
  double frame_period_ms = 10.0;
};

/// Frames WORLD returns for `num_samples` at `sample_rate_hz`: ⌊1000·n / fs / period⌋ + 1.
int world_frames(int num_samples, int sample_rate_hz, double frame_period_ms);

/// DIO with pyworld's defaults (2 channels per octave, speed 1, allowed range 0.1).
std::vector<double> dio(const std::vector<double>& x, int sample_rate_hz, const WorldSettings& settings);

/// Harvest (40 channels per octave, 8 kHz analysis rate, 1 ms internal frames).
std::vector<double> harvest(const std::vector<double>& x, int sample_rate_hz, const WorldSettings& settings);

/// StoneMask: refines each frame's f0 by the instantaneous frequencies of its first harmonics.
std::vector<double> stonemask(const std::vector<double>& x, int sample_rate_hz, double frame_period_ms,
                              const std::vector<double>& f0);

}  // namespace rvc::f0::world
