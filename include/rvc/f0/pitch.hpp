/// @file pitch.hpp
/// @brief Pitch tracks and the post-processing RVC applies after every f0 method: key shift,
/// custom f0 curve, unvoiced policy and the coarse pitch the synthesizer embeds.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace rvc::f0 {

/// Pitch frames per second (hop 160 at 16 kHz).
constexpr int kFramesPerSecond = 100;
/// Samples per pitch frame at 16 kHz.
constexpr int kHopSamples16k = 160;
/// Lowest f0 the coarse scale resolves (bin 1).
constexpr double kCoarseMinHz = 50.0;
/// Highest f0 the coarse scale resolves (bin 255).
constexpr double kCoarseMaxHz = 1100.0;

/// The arithmetic the original computes a method's track in. Post-processing repeats it, so that
/// the coarse pitch matches RVC's bit for bit (numpy keeps float32 arrays in float32).
enum class F0Arithmetic {
  kFloat64,  ///< pm, harvest, dio, and any track after unvoiced interpolation.
  kFloat32,  ///< rmvpe, fcpe, crepe.
};

/// A pitch track: f0 in Hz at 100 frames per second, 0 = unvoiced.
struct F0Track {
  std::vector<double> hz;          ///< f0 per frame; 0 marks an unvoiced frame.
  std::vector<float> confidence;   ///< Per-frame confidence where the method has one (else empty).
  F0Arithmetic arithmetic = F0Arithmetic::kFloat64;  ///< See F0Arithmetic.
};

/// What happens to unvoiced frames after estimation.
enum class UnvoicedPolicy {
  kKeepZeros,    ///< Classic RVC (default): unvoiced frames stay 0 (coarse pitch 1).
  kInterpolate,  ///< RVC 2026: filled by linear interpolation between voiced frames, ends held.
};

/// One point of a custom f0 curve.
struct F0CurvePoint {
  double time_s = 0;  ///< Seconds from the start of the input.
  double hz = 0;      ///< f0 at that time.
};

/// Multiplies every frame by 2^(semitones/12) in the track's arithmetic (unvoiced stays 0).
void shift_key(F0Track& track, double semitones);

/// scipy.signal.medfilt(hz, kernel_size) with its zero padding at both ends: RVC smooths harvest
/// with kernel 3 at inference when filter_radius ≥ 3. `kernel_size` is odd and ≥ 1; throws
/// rvc::Error (kInvalidArgument) otherwise.
void median_filter(F0Track& track, int kernel_size = 3);

/// Fills unvoiced frames by linear interpolation between voiced ones, holding the ends (numpy's
/// interp). A track without voiced frames is left at 0. The result is float64 arithmetic.
void interpolate_unvoiced(F0Track& track);

/// Coarse pitch 1..255 per frame, RVC's mel mapping: mel = 1127·ln(1 + f/700), scaled so 50 Hz
/// is 1 and 1100 Hz is 255, clipped, rounded half to even; unvoiced → 1.
std::vector<std::int64_t> coarse_pitch(const F0Track& track);

/// Reads a custom f0 curve: one `time_seconds,f0_hz` pair per line. Throws rvc::Error
/// (kFileNotFound, kCorruptFile with the file and line) when it cannot.
std::vector<F0CurvePoint> read_f0_curve(const std::string& path);

/// Writes a custom curve into the track as RVC does: the curve is resampled to 100 frames per
/// second over its span (round((t_max − t_min)·100 + 1) frames, the t_min offset ignored) and
/// replaces frames from `first_frame` on (the input's time 0 in the padded track), truncated to
/// fit. Apply after shift_key: the curve's values are not transposed.
void apply_f0_curve(F0Track& track, const std::vector<F0CurvePoint>& curve, std::int64_t first_frame);

/// The post-processing of one conversion, in RVC's order.
struct PitchOptions {
  double key_semitones = 0;                            ///< Transposition; may be fractional.
  UnvoicedPolicy unvoiced = UnvoicedPolicy::kKeepZeros;  ///< Classic RVC keeps zeros.
  std::vector<F0CurvePoint> curve;                     ///< Custom f0 curve (empty: none).
  std::int64_t curve_first_frame = 0;                  ///< Track frame of the input's time 0.
};

/// What the synthesizer takes: coarse pitch and the (shifted) f0 per frame.
struct Pitch {
  std::vector<std::int64_t> coarse;  ///< 1..255 (pitch embedding index).
  std::vector<float> hz;             ///< f0 for the harmonic source ("pitchf"), 0 = unvoiced.
};

/// Unvoiced policy, then key shift, then the custom curve, then coarse pitch.
Pitch postprocess(F0Track track, const PitchOptions& options);

}  // namespace rvc::f0
