// Praat's "To Pitch (ac)" (Boersma 1993) as parselmouth runs it for RVC's "pm" method: Hanning-
// windowed autocorrelation divided by the window's autocorrelation, sinc-interpolated maxima as
// candidates, and the Viterbi path through them with Praat's voicing, octave and transition
// costs. Written from the paper and RVC's specification. Private to rvc.
#pragma once

#include <vector>

namespace rvc::f0::praat {

/// The parameters of Sound: To Pitch (ac); the defaults are RVC's (time step 10 ms, floor 50 Hz,
/// ceiling 1100 Hz, voicing threshold 0.6) and parselmouth's for the rest.
struct PitchSettings {
  double time_step_s = 0.01;
  double pitch_floor_hz = 50.0;
  double pitch_ceiling_hz = 1100.0;
  double periods_per_window = 3.0;
  int max_candidates = 15;
  double silence_threshold = 0.03;
  double voicing_threshold = 0.6;
  double octave_cost = 0.01;
  double octave_jump_cost = 0.35;
  double voiced_unvoiced_cost = 0.14;
};

/// A pitch contour on Praat's frame grid.
struct PitchContour {
  double first_frame_s = 0;       ///< Centre of frame 0 (the sound starts at 0).
  std::vector<double> frequency;  ///< Selected frequency per frame; 0 = unvoiced.
};

/// Runs the analysis on `x` sampled at `sample_rate_hz`. Returns no frames when x is shorter than
/// one analysis window (periods_per_window / pitch_floor_hz seconds).
PitchContour to_pitch_ac(const std::vector<double>& x, double sample_rate_hz, const PitchSettings& settings = {});

/// RVC's pm track: to_pitch_ac with RVC's settings, zero-padded to ⌊n / 160⌋ frames with
/// (⌊n / 160⌋ − frames + 1) / 2 of them in front, as RVC's get_f0 and extract_f0 pad it.
std::vector<double> rvc_pm_track(const std::vector<double>& x, int sample_rate_hz);

}  // namespace rvc::f0::praat
