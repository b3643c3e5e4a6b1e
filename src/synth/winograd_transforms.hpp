// Toom-Cook ("Winograd") minimal-filtering transforms for 1-D correlation, 4 outputs a tile:
// y = output · ((filter · g) ⊙ (input · x)) for a tile x of kTileOutputs + taps - 1 samples and
// taps g. Evaluation points 0, ±1, ±2 (and 1/2 for four taps) and infinity; every input-transform
// entry is a small integer so that the transform of the activations adds no rounding of its own,
// and the fractions sit in the filter transform, which is applied once in double at load time.
// Relative error against a float64 reference is ~3e-6 per convolution (direct: ~2e-7).
#pragma once

namespace rvc::synth {

inline constexpr int kTileOutputs = 4;

struct WinogradTransform {
  static constexpr int kMaxPoints = 7;
  int taps, points;
  float input[kMaxPoints][kMaxPoints];          ///< [point][sample]
  float output[kTileOutputs][kMaxPoints];       ///< [output][point]
  double filter[kMaxPoints][kMaxPoints - 3];    ///< [point][tap]
};

/// F(4, 3): 6 multiplications for 4 outputs of a 3-tap filter (direct: 12).
inline constexpr WinogradTransform kWinograd4x3{
    3,
    6,
    {{4, 0, -5, 0, 1, 0},
     {0, 4, 4, -1, -1, 0},
     {0, -4, 4, 1, -1, 0},
     {0, -2, -1, 2, 1, 0},
     {0, 2, -1, -2, 1, 0},
     {0, 4, 0, -5, 0, 1}},
    {{1, 1, 1, 1, 1, 0}, {0, 1, -1, 2, -2, 0}, {0, 1, 1, 4, 4, 0}, {0, 1, -1, 8, -8, 1}},
    {{1.0 / 4, 0, 0},
     {1.0 / 6, 1.0 / 6, 1.0 / 6},
     {1.0 / 6, -1.0 / 6, 1.0 / 6},
     {1.0 / 24, 1.0 / 12, 1.0 / 6},
     {1.0 / 24, -1.0 / 12, 1.0 / 6},
     {0, 0, 1}}};

/// F(4, 4): 7 multiplications for 4 outputs of a 4-tap filter (direct: 16). Longer kernels are
/// cut into 4-tap pieces: piece j of tile i reads the input tile of tile i + j, so the pieces share
/// one input transform.
inline constexpr WinogradTransform kWinograd4x4{
    4,
    7,
    {{4, -8, -5, 10, 1, -2, 0},
     {0, -4, 4, 9, -1, -2, 0},
     {0, -4, 12, -7, -3, 2, 0},
     {0, 2, -3, -4, 3, 2, 0},
     {0, 2, -5, 0, 5, -2, 0},
     {0, 4, 0, -5, 0, 1, 0},
     {0, -4, 8, 5, -10, -1, 2}},
    {{1, 1, 1, 1, 1, 1, 0}, {0, 1, -1, 2, -2, 0.5f, 0}, {0, 1, 1, 4, 4, 0.25f, 0}, {0, 1, -1, 8, -8, 0.125f, 1}},
    {{1.0 / 4, 0, 0, 0},
     {1.0 / 6, 1.0 / 6, 1.0 / 6, 1.0 / 6},
     {1.0 / 18, -1.0 / 18, 1.0 / 18, -1.0 / 18},
     {1.0 / 72, 1.0 / 36, 1.0 / 18, 1.0 / 9},
     {1.0 / 120, -1.0 / 60, 1.0 / 30, -1.0 / 15},
     {32.0 / 45, 16.0 / 45, 8.0 / 45, 4.0 / 45},
     {0, 0, 0, 1.0 / 2}}};

}  // namespace rvc::synth
