// The signal steps of RVC's offline conversion (infer/modules/vc/pipeline.py), each a plain
// function so the engine reads as RVC's recipe and each step is tested on its own. Private to rvc.
#pragma once

#include <cstdint>
#include <vector>

#include "rvc/pipeline/engine.hpp"

namespace rvc::pipeline {

/// The geometry in 16 kHz samples (RVC's t_pad, t_query, t_center, t_max).
struct ChunkSamples {
  std::int64_t pad = 0;     ///< t_pad: reflect padding and per-chunk context, each side.
  std::int64_t query = 0;   ///< t_query.
  std::int64_t center = 0;  ///< t_center.
  std::int64_t max = 0;     ///< t_max.
};
ChunkSamples chunk_samples(const ChunkGeometry& geometry);

/// RVC's input peak guard: divides by max|x| / 0.95 when that exceeds 1.
void limit_input_peak(std::vector<float>& samples);

/// numpy.pad(x, (pad, pad), mode="reflect"): mirrored about the end samples, repeating the mirror
/// when `pad` exceeds the signal.
std::vector<double> reflect_pad(const std::vector<double>& x, std::int64_t pad);

/// Where RVC cuts an input of more than t_max samples (with 160 samples of margin): near every
/// t_center samples, at the first minimum of the 160-sample |x| sum within ±t_query. Values are in
/// samples of the unpadded input, before RVC rounds them down to whole frames. Empty for short input.
std::vector<std::int64_t> find_split_points(const std::vector<double>& filtered, const ChunkSamples& geometry);

/// One chunk: samples [begin, end) of the padded input and the pitch frame its first sample has.
struct ChunkSpan {
  std::int64_t begin = 0;
  std::int64_t end = 0;
  std::int64_t first_frame = 0;
};

/// RVC's chunks of a padded input of `padded_length` samples cut at `split_points`: every chunk
/// but the last ends 2·t_pad + 160 samples after its (frame-rounded) split point.
std::vector<ChunkSpan> plan_chunks(std::int64_t padded_length, const std::vector<std::int64_t>& split_points,
                                   std::int64_t pad);

/// The features the synthesizer takes for `frames` frames: each 50 fps row of `blended` repeated
/// twice, and where protect < 0.5 unvoiced frames (pitchf < 1) mixed with the unblended `raw` rows:
/// protect · blended + (1 − protect) · raw. `raw`/`pitchf` may be null when protect is off.
std::vector<float> upsample_and_protect(const std::vector<float>& blended, const std::vector<float>& raw,
                                        int dim, std::int64_t frames, const float* pitchf, double protect);

/// The 16 kHz input's loudness envelope as RVC's change_rms takes it (RMS per half second), so the
/// input itself need not be held until the output is mixed.
std::vector<double> input_rms_envelope(const std::vector<double>& input_16k);

/// RVC's change_rms: scales `out` (at `out_rate`) so its loudness envelope moves toward the input's
/// (from input_rms_envelope) by 1 − rate: out ·= rms_in^(1 − rate) · rms_out^(rate − 1).
void mix_rms_envelope(const std::vector<double>& input_envelope, std::vector<float>& out, int out_rate, double rate);

/// RVC's output peak rule: scales by 0.99 / max|x| when the peak exceeds 0.99.
void limit_output_peak(std::vector<float>& samples);

/// RVC's int16 conversion, kept in float: x·32768 truncated toward zero, then /32768, so a 16-bit
/// writer reproduces RVC's samples exactly.
void quantize_like_rvc_int16(std::vector<float>& samples);

}  // namespace rvc::pipeline
