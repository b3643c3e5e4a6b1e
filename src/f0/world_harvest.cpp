// Harvest (Morise 2017): at 1 ms frames, band-pass channels 1/40 octave apart each propose an f0
// from their zero-crossing intervals; runs of agreeing channels become candidates, which are
// refined by instantaneous frequency, scored, and joined into a contour by continuity, then
// smoothed by a zero-phase low-pass. The result is sampled at the requested frame period.
#include <algorithm>
#include <cmath>
#include <complex>
#include <memory>

#include "dsp/fft.hpp"
#include "f0/world.hpp"
#include "f0/world_common.hpp"

namespace rvc::f0::world {
namespace {

constexpr double kChannelsInOctave = 40.0;
constexpr double kAnalysisRateHz = 8000.0;
constexpr int kOverlap = 3;  // Candidates are shared with this many frames on each side.
constexpr int kOverlapParameter = 1 + 2 * kOverlap;

using Matrix = std::vector<std::vector<double>>;

// Products of spectra as interleaved (re, im) pairs, with std::complex's arithmetic. Plain arrays:
// std::complex temporaries made GCC bounce each value through the stack.
void multiply_spectra(const double* __restrict a, const double* __restrict b, double* __restrict product, int bins) {
  for (int k = 0; k < bins; ++k) {
    const double a_re = a[2 * k], a_im = a[2 * k + 1], b_re = b[2 * k], b_im = b[2 * k + 1];
    product[2 * k] = a_re * b_re - a_im * b_im;
    product[2 * k + 1] = a_re * b_im + a_im * b_re;
  }
}

// Linear convolution of one long signal with many short filters by overlap-save in cache-sized
// blocks; the signal's block spectra are computed once and shared by all filters. Circular
// convolution over WORLD's zero-padded FFT equals this linear one on every sample Harvest reads.
class BlockConvolver {
 public:
  /// Buffers of one thread's convolve() calls, kept between them.
  struct Scratch {
    std::vector<double> block;
    std::vector<std::complex<double>> filter_spectrum, product;
  };

  BlockConvolver(const std::vector<double>& signal, int max_filter_length)
      : fft_(block_size(max_filter_length)), history_(max_filter_length - 1) {
    const int block = fft_.size();
    hop_ = block - history_;
    const int length = static_cast<int>(signal.size());
    const int blocks = (length + max_filter_length) / hop_ + 1;
    spectra_.resize(blocks, std::vector<std::complex<double>>(block / 2 + 1));
    std::vector<double> segment(block);
    for (int b = 0; b < blocks; ++b) {
      const int start = b * hop_ - history_;
      for (int j = 0; j < block; ++j) {
        const int index = start + j;
        segment[j] = index >= 0 && index < length ? signal[index] : 0.0;
      }
      fft_.forward(segment.data(), spectra_[b].data());
    }
  }

  // out[i] = Σ_k filter[k]·signal[offset + i − k] for i < count.
  void convolve(const std::vector<double>& filter, int offset, int count, double* out, Scratch& scratch) const {
    const int block = fft_.size(), bins = block / 2 + 1;
    scratch.block.assign(block, 0.0);
    scratch.filter_spectrum.resize(bins);
    scratch.product.resize(bins);
    std::copy(filter.begin(), filter.end(), scratch.block.begin());
    fft_.forward(scratch.block.data(), scratch.filter_spectrum.data());
    const double scale = 1.0 / block;
    const auto* filter_bins = reinterpret_cast<const double*>(scratch.filter_spectrum.data());
    auto* product = reinterpret_cast<double*>(scratch.product.data());
    for (int b = offset / hop_; b * hop_ < offset + count; ++b) {
      multiply_spectra(reinterpret_cast<const double*>(spectra_[b].data()), filter_bins, product, bins);
      fft_.inverse(scratch.product.data(), scratch.block.data());
      const int first = std::max(history_, offset - b * hop_ + history_);
      const int last = std::min(block, offset + count - b * hop_ + history_);
      for (int j = first; j < last; ++j) out[b * hop_ + j - history_ - offset] = scratch.block[j] * scale;
    }
  }

 private:
  static int block_size(int max_filter_length) { return dsp::next_power_of_two(std::max(8192, 8 * max_filter_length)); }

  dsp::RealFft fft_;
  int history_;
  int hop_ = 0;
  std::vector<std::vector<std::complex<double>>> spectra_;
};

// The decimated analysis signal: edges held for 140 samples before decimating, as WORLD's MATLAB
// original does, then the mean removed.
std::vector<double> analysis_signal(const std::vector<double>& x, int ratio, int y_length) {
  std::vector<double> y(y_length);
  if (ratio == 1) {
    std::copy(x.begin(), x.begin() + y_length, y.begin());
  } else {
    const int lag = static_cast<int>(std::ceil(140.0 / ratio) * ratio);
    const int x_length = static_cast<int>(x.size());
    std::vector<double> held(x_length + 2 * lag);
    std::fill(held.begin(), held.begin() + lag, x.front());
    std::copy(x.begin(), x.end(), held.begin() + lag);
    std::fill(held.begin() + lag + x_length, held.end(), x.back());
    const std::vector<double> decimated = decimate(held.data(), static_cast<int>(held.size()), ratio);
    std::copy(decimated.begin() + lag / ratio, decimated.begin() + lag / ratio + y_length, y.begin());
  }
  double mean = 0;
  for (double v : y) mean += v;
  mean /= y_length;
  for (double& v : y) v -= mean;
  return y;
}

// One channel's f0 contour: the mean of its four interval estimates where that lies within 10 %
// of the channel's frequency and inside [floor, ceiling], else 0.
std::vector<double> channel_candidates(const BlockConvolver& convolver, int y_length, double fs, double boundary_f0,
                                       const WorldSettings& settings, const std::vector<double>& times_s,
                                       BlockConvolver::Scratch& scratch, std::vector<double>& signal) {
  const int half_length = matlab_round(fs / boundary_f0 * 2.0);
  std::vector<double> filter(half_length * 2 + 1);
  nuttall_window(half_length * 2 + 1, filter.data());
  for (int i = -half_length; i <= half_length; ++i) filter[i + half_length] *= std::cos(2 * kPi * boundary_f0 * i / fs);

  signal.resize(y_length);
  convolver.convolve(filter, half_length + 1, y_length, signal.data(), scratch);

  std::vector<double> f0(times_s.size(), 0.0);
  std::array<std::vector<double>, 4> estimates;
  if (!interpolate_intervals(four_zero_crossing_intervals(signal.data(), y_length, fs), times_s, estimates)) return f0;
  const double upper = boundary_f0 * 1.1, lower = boundary_f0 * 0.9;
  for (std::size_t i = 0; i < f0.size(); ++i) {
    const double mean = (estimates[0][i] + estimates[1][i] + estimates[2][i] + estimates[3][i]) / 4.0;
    if (mean > upper || mean < lower || mean > settings.f0_ceil_hz || mean < settings.f0_floor_hz) continue;
    f0[i] = mean;
  }
  return f0;
}

// Candidates of one frame from its channel values: the mean f0 of each run of ≥ 10 consecutive
// agreeing channels.
int frame_candidates(const double* channel_f0, int channel_count, double* candidates) {
  int found = 0;
  int start = 0;
  bool voiced = false;
  for (int c = 1; c < channel_count; ++c) {
    const bool now = c < channel_count - 1 && channel_f0[c] > 0;
    if (now && !voiced) start = c;
    if (!now && voiced && c - start >= 10) {
      double sum = 0;
      for (int j = start; j < c; ++j) sum += channel_f0[j];
      candidates[found++] = sum / (c - start);
    }
    voiced = now;
  }
  return found;
}

// Refined f0 and score of one candidate (both 0 when it is rejected).
// `windows` serves frames centred on a sample of y (null: compute each window).
void refine_candidate(HarmonicSpectra& spectra, const HarmonicSpectra::WindowTable* windows, const std::vector<double>& y,
                      double fs, double position_s, const WorldSettings& settings, double& f0, double& score) {
  if (f0 <= 0.0) {
    f0 = score = 0.0;
    return;
  }
  if (windows != nullptr) {
    spectra.reset_on_sample(y.data(), static_cast<int>(y.size()), fs, position_s, f0, *windows);
  } else {
    spectra.reset(y.data(), static_cast<int>(y.size()), fs, position_s, f0, HarmonicSpectra::IndexRule::kFromFirstSample);
  }
  const int harmonics = std::min(static_cast<int>(fs / 2.0 / f0), 6);
  int bins[HarmonicSpectra::kMaxBins];
  HarmonicSpectra::Bin values[HarmonicSpectra::kMaxBins];
  for (int h = 1; h <= harmonics; ++h) bins[h - 1] = matlab_round(f0 * spectra.fft_size() / fs * h);
  spectra.bins(bins, harmonics, values);
  double numerator = 0, denominator = 0, deviation = 0;
  for (int h = 1; h <= harmonics; ++h) {
    const HarmonicSpectra::Bin& value = values[h - 1];
    numerator += value.amplitude * value.frequency_hz;
    denominator += value.amplitude * h;
    deviation += std::fabs((value.frequency_hz / h - f0) / f0);
  }
  const double refined = numerator / (denominator + kSafeGuardMinimum);
  score = 1.0 / (deviation / harmonics + kSafeGuardMinimum);
  f0 = refined;
  if (f0 < settings.f0_floor_hz || f0 > settings.f0_ceil_hz || score < 2.5) f0 = score = 0.0;
}

// The candidate of `candidates` nearest `reference` within `allowed_range` (relative), or 0; the
// relative error goes to `error`.
double nearest_candidate(double reference, const double* candidates, int count, double allowed_range, double& error) {
  double best = 0.0;
  error = allowed_range;
  for (int i = 0; i < count; ++i) {
    const double e = std::fabs(reference - candidates[i]) / reference;
    if (e > error) continue;
    best = candidates[i];
    error = e;
  }
  return best;
}

// Voiced sections as [first, last] frame pairs; the first and last frames never count as voiced.
std::vector<int> section_bounds(const std::vector<double>& f0) {
  std::vector<int> bounds;
  const int length = static_cast<int>(f0.size());
  auto voiced = [&](int i) { return i > 0 && i < length - 1 && f0[i] > 0; };
  for (int i = 1; i < length; ++i) {
    if (voiced(i) != voiced(i - 1)) bounds.push_back(i - static_cast<int>(bounds.size() % 2));
  }
  return bounds;
}

// One voiced section's contour: values over frames [first, first + values.size()), zero elsewhere.
// It holds only the frames extension can reach, so sections cost their length, not the input's.
struct Section {
  int first = 0;
  std::vector<double> values;

  double at(int frame) const {
    const int i = frame - first;
    return i >= 0 && i < static_cast<int>(values.size()) ? values[i] : 0.0;
  }
  double& operator[](int frame) { return values[frame - first]; }
};

// Extension reaches at most this many frames past a section's ends (100 steps, then one more).
constexpr int kExtensionReach = 101;

// One contour per voiced section.
std::vector<Section> split_sections(const std::vector<double>& f0, const std::vector<int>& bounds) {
  const int length = static_cast<int>(f0.size());
  std::vector<Section> sections(bounds.size() / 2);
  for (std::size_t s = 0; s < sections.size(); ++s) {
    const int first = std::max(0, bounds[2 * s] - kExtensionReach);
    const int last = std::min(length - 1, bounds[2 * s + 1] + kExtensionReach);
    sections[s].first = first;
    sections[s].values.assign(last - first + 1, 0.0);
    for (int j = bounds[2 * s]; j <= bounds[2 * s + 1]; ++j) sections[s][j] = f0[j];
  }
  return sections;
}

// Follows candidates from `origin` towards `last` (step ±1) while one lies within the allowed
// range of the latest voiced value; stops after 4 misses. Returns the last frame extended to.
int extend_section(Section& f0, int origin, int last, int step, const Matrix& candidates, int count,
                   double allowed_range) {
  double current = f0[origin];
  int extended_to = origin;
  int misses = 0;
  const int distance = std::abs(last - origin);
  for (int i = 0; i <= distance; ++i) {
    const int frame = origin + step * i + step;
    double unused;
    f0[frame] = nearest_candidate(current, candidates[frame].data(), count, allowed_range, unused);
    if (f0[frame] == 0.0) {
      ++misses;
    } else {
      current = f0[frame];
      misses = 0;
      extended_to = frame;
    }
    if (misses == 4) break;
  }
  return extended_to;
}

double best_score_of(double f0, const std::vector<double>& candidates, const std::vector<double>& scores, int count) {
  double best = 0.0;
  for (int i = 0; i < count; ++i) {
    if (f0 == candidates[i] && best < scores[i]) best = scores[i];
  }
  return best;
}

// Step 3 of the contour fix: sections are extended along the candidates, short ones (fewer
// frames than 2200 / mean f0, with WORLD's running mean) dropped, overlaps resolved by score.
std::vector<double> extend_and_merge(const std::vector<double>& f0, const Matrix& candidates, const Matrix& scores,
                                     int count, double allowed_range) {
  const int length = static_cast<int>(f0.size());
  std::vector<double> merged = f0;
  std::vector<int> bounds = section_bounds(f0);
  std::vector<Section> sections = split_sections(f0, bounds);
  const int section_count = static_cast<int>(sections.size());
  for (int s = 0; s < section_count; ++s) {
    const int end = bounds[2 * s + 1], start = bounds[2 * s];
    bounds[2 * s + 1] =
        extend_section(sections[s], end, std::min(length - 2, end + 100), 1, candidates, count, allowed_range);
    bounds[2 * s] = extend_section(sections[s], start, std::max(1, start - 100), -1, candidates, count, allowed_range);
  }
  // Keep long-enough sections, in order, at the front. WORLD never resets the running mean.
  int kept = 0;
  double mean = 0.0;
  for (int s = 0; s < section_count; ++s) {
    const int start = bounds[2 * s], end = bounds[2 * s + 1];
    for (int j = start; j < end; ++j) mean += sections[s][j];
    mean /= end - start;
    if (2200.0 / mean < end - start) {
      std::swap(sections[kept], sections[s]);
      std::swap(bounds[2 * kept], bounds[2 * s]);
      std::swap(bounds[2 * kept + 1], bounds[2 * s + 1]);
      ++kept;
    }
  }
  if (kept == 0) return merged;

  // WORLD's insertion order by start frame (its swap-based variant, kept for identical ties).
  std::vector<int> order(kept);
  for (int i = 0; i < kept; ++i) order[i] = i;
  for (int i = 1; i < kept; ++i) {
    for (int j = i - 1; j >= 0; --j) {
      if (bounds[order[j] * 2] > bounds[order[i] * 2]) {
        std::swap(order[i], order[j]);
      } else {
        break;
      }
    }
  }
  std::fill(merged.begin(), merged.end(), 0.0);
  std::copy(sections[0].values.begin(), sections[0].values.end(), merged.begin() + sections[0].first);
  for (int i = 1; i < kept; ++i) {
    const Section& next = sections[order[i]];
    const int next_start = bounds[order[i] * 2], next_end = bounds[order[i] * 2 + 1];
    if (next_start - bounds[1] > 0) {
      for (int j = next_start; j <= next_end; ++j) merged[j] = next.at(j);
      bounds[0] = next_start;
      bounds[1] = next_end;
      continue;
    }
    const int current_start = bounds[0], current_end = bounds[1];
    if (current_start <= next_start && current_end >= next_end) continue;
    double current_score = 0, next_score = 0;
    for (int j = next_start; j <= current_end; ++j) {
      current_score += best_score_of(merged[j], candidates[j], scores[j], count);
      next_score += best_score_of(next.at(j), candidates[j], scores[j], count);
    }
    for (int j = current_score > next_score ? current_end : next_start; j <= next_end; ++j) merged[j] = next.at(j);
    bounds[1] = next_end;
  }
  return merged;
}

std::vector<double> fix_contour(const Matrix& candidates, const Matrix& scores, int count) {
  const int length = static_cast<int>(candidates.size());
  // The best-scored candidate of each frame.
  std::vector<double> base(length, 0.0);
  for (int i = 0; i < length; ++i) {
    double best_score = 0.0;
    for (int j = 0; j < count; ++j) {
      if (scores[i][j] > best_score) {
        base[i] = candidates[i][j];
        best_score = scores[i][j];
      }
    }
  }
  // Step 1: rapid changes become unvoiced.
  constexpr double kJumpRange = 0.008;
  std::vector<double> step1(length, 0.0);
  for (int i = 2; i < length; ++i) {
    if (base[i] == 0.0) continue;
    const double reference = base[i - 1] * 2 - base[i - 2];
    const bool off_trend = std::fabs((base[i] - reference) / reference) > kJumpRange;
    const bool jump = std::fabs(base[i] - base[i - 1]) / base[i - 1] > kJumpRange;
    step1[i] = off_trend && jump ? 0.0 : base[i];
  }
  // Step 2: voiced sections shorter than 6 frames are removed.
  std::vector<double> step2 = step1;
  const std::vector<int> bounds = section_bounds(step1);
  for (std::size_t s = 0; s + 1 < bounds.size(); s += 2) {
    if (bounds[s + 1] - bounds[s] >= 6) continue;
    for (int j = bounds[s]; j <= bounds[s + 1]; ++j) step2[j] = 0.0;
  }
  // Step 3: extension and merging.
  const std::vector<double> step3 = extend_and_merge(step2, candidates, scores, count, 0.18);
  // Step 4: unvoiced gaps shorter than 9 frames are bridged by a line (WORLD offsets its ends by 1 Hz).
  std::vector<double> step4 = step3;
  const std::vector<int> gaps = section_bounds(step3);
  for (int s = 0; s + 1 < static_cast<int>(gaps.size()) / 2; ++s) {
    const int gap_start = gaps[2 * s + 1], gap_end = gaps[2 * (s + 1)];
    const int distance = gap_end - gap_start - 1;
    if (distance >= 9) continue;
    const double from = step3[gap_start] + 1, to = step3[gap_end] - 1;
    const double slope = (to - from) / (distance + 1.0);
    int k = 1;
    for (int j = gap_start + 1; j <= gap_end - 1; ++j) step4[j] = from + slope * k++;
  }
  return step4;
}

// Zero-phase 2nd-order low-pass over each voiced section, the section's ends held outside it.
std::vector<double> smooth_contour(const std::vector<double>& f0) {
  constexpr double b[2] = {0.0078202080334971724, 0.015640416066994345};
  constexpr double a[2] = {1.7347257688092754, -0.76600660094326412};
  constexpr int kLag = 300;
  const int length = static_cast<int>(f0.size());
  const int padded_length = length + 2 * kLag;
  std::vector<double> padded(padded_length, 0.0);
  std::copy(f0.begin(), f0.end(), padded.begin() + kLag);
  std::vector<double> smoothed(length, 0.0);

  const std::vector<int> bounds = section_bounds(padded);
  std::vector<double> section(padded_length), reversed(padded_length), filtered(padded_length);
  for (std::size_t s = 0; s + 1 < bounds.size(); s += 2) {
    const int start = bounds[s], end = bounds[s + 1];
    for (int i = 0; i < padded_length; ++i) section[i] = padded[std::min(std::max(i, start), end)];
    double w0 = 0, w1 = 0;
    for (int i = 0; i < padded_length; ++i) {
      const double wt = section[i] + a[0] * w0 + a[1] * w1;
      reversed[padded_length - i - 1] = b[0] * wt + b[1] * w0 + b[0] * w1;
      w1 = w0;
      w0 = wt;
    }
    w0 = w1 = 0;
    for (int i = 0; i < padded_length; ++i) {
      const double wt = reversed[i] + a[0] * w0 + a[1] * w1;
      filtered[padded_length - i - 1] = b[0] * wt + b[1] * w0 + b[0] * w1;
      w1 = w0;
      w0 = wt;
    }
    for (int j = start; j <= end; ++j) smoothed[j - kLag] = filtered[j];
  }
  return smoothed;
}

// Harvest at 1 ms frames.
std::vector<double> harvest_body(const std::vector<double>& x, int sample_rate_hz, int ratio,
                                 const WorldSettings& settings) {
  const double floor_hz = settings.f0_floor_hz * 0.9, ceil_hz = settings.f0_ceil_hz * 1.1;
  const int channel_count = 1 + static_cast<int>(std::log(ceil_hz / floor_hz) / kLog2 * kChannelsInOctave);
  std::vector<double> boundaries(channel_count);
  for (int i = 0; i < channel_count; ++i) boundaries[i] = floor_hz * std::pow(2.0, (i + 1) / kChannelsInOctave);

  const int x_length = static_cast<int>(x.size());
  const int y_length = static_cast<int>(std::ceil(static_cast<double>(x_length) / ratio));
  const double fs = static_cast<double>(sample_rate_hz) / ratio;
  const std::vector<double> y = analysis_signal(x, ratio, y_length);

  const int frames = world_frames(x_length, sample_rate_hz, 1.0);
  std::vector<double> times_s(frames);
  for (int i = 0; i < frames; ++i) times_s[i] = i * 1.0 / 1000.0;

  // Raw candidates of every channel.
  const int longest_filter = matlab_round(fs / boundaries[0] * 2.0) * 2 + 1;
  const BlockConvolver convolver(y, longest_filter);
  Matrix channels(channel_count);
#pragma omp parallel
  {
    BlockConvolver::Scratch scratch;
    std::vector<double> signal;
#pragma omp for schedule(dynamic)
    for (int c = 0; c < channel_count; ++c) {
      channels[c] = channel_candidates(convolver, y_length, fs, boundaries[c], settings, times_s, scratch, signal);
    }
  }

  // Per-frame candidates, shared with the 3 frames on each side.
  // Each frame's own candidates first (their most is WORLD's per-frame count), then room for the
  // neighbours' copies.
  // Frames go in blocks transposed to frame-major order, so each frame's channels are contiguous.
  constexpr int kFrameBlock = 64;
  std::vector<std::vector<double>> own(frames);
  int per_frame = 0;
#pragma omp parallel reduction(max : per_frame)
  {
    std::vector<double> block(static_cast<std::size_t>(kFrameBlock) * channel_count), found(channel_count);
#pragma omp for schedule(static)
    for (int first = 0; first < frames; first += kFrameBlock) {
      const int block_frames = std::min(kFrameBlock, frames - first);
      for (int c = 0; c < channel_count; ++c) {
        for (int i = 0; i < block_frames; ++i) block[i * channel_count + c] = channels[c][first + i];
      }
      for (int i = 0; i < block_frames; ++i) {
        const int count = frame_candidates(block.data() + i * channel_count, channel_count, found.data());
        per_frame = std::max(per_frame, count);
        own[first + i].assign(found.begin(), found.begin() + count);
      }
    }
  }
  channels = Matrix();
  Matrix candidates(frames, std::vector<double>(per_frame * kOverlapParameter, 0.0));
  for (int i = 0; i < frames; ++i) {
    std::copy(own[i].begin(), own[i].end(), candidates[i].begin());
    own[i] = std::vector<double>();
  }
  for (int shift = 1; shift <= kOverlap; ++shift) {
    for (int j = 0; j < per_frame; ++j) {
      for (int k = shift; k < frames; ++k) candidates[k][j + per_frame * shift] = candidates[k - shift][j];
      for (int k = 0; k < frames - shift; ++k) candidates[k][j + per_frame * (shift + kOverlap)] = candidates[k + shift][j];
    }
  }
  const int count = per_frame * kOverlapParameter;

  Matrix scores(frames, std::vector<double>(count, 0.0));
  // Frames 1 ms apart fall on samples when fs is a multiple of 1 kHz (8 kHz here): their windows
  // depend only on f0, so they are tabulated once.
  std::unique_ptr<HarmonicSpectra::WindowTable> windows;
  if (std::fmod(fs, 1000.0) == 0.0) {
    windows = std::make_unique<HarmonicSpectra::WindowTable>(fs, static_cast<int>(1.5 * fs / settings.f0_floor_hz + 1.0));
  }
#pragma omp parallel
  {
    HarmonicSpectra spectra;
#pragma omp for schedule(dynamic, 64)
    for (int i = 0; i < frames; ++i) {
      for (int j = 0; j < count; ++j) {
        refine_candidate(spectra, windows.get(), y, fs, times_s[i], settings, candidates[i][j], scores[i][j]);
      }
    }
  }

  // Candidates with no near neighbour (within 5 %) in an adjacent frame are dropped.
  const Matrix refined = candidates;
#pragma omp parallel for schedule(static)
  for (int i = 1; i < frames - 1; ++i) {
    for (int j = 0; j < count; ++j) {
      const double reference = candidates[i][j];
      if (reference == 0) continue;
      double next_error, previous_error;
      nearest_candidate(reference, refined[i + 1].data(), count, 1.0, next_error);
      nearest_candidate(reference, refined[i - 1].data(), count, 1.0, previous_error);
      if (std::min(next_error, previous_error) <= 0.05) continue;
      candidates[i][j] = 0;
      scores[i][j] = 0;
    }
  }
  return smooth_contour(fix_contour(candidates, scores, count));
}

}  // namespace

std::vector<double> harvest(const std::vector<double>& x, int sample_rate_hz, const WorldSettings& settings) {
  const int ratio = std::max(std::min(matlab_round(sample_rate_hz / kAnalysisRateHz), 12), 1);
  const std::vector<double> basic = harvest_body(x, sample_rate_hz, ratio, settings);
  const int frames = world_frames(static_cast<int>(x.size()), sample_rate_hz, settings.frame_period_ms);
  std::vector<double> f0(frames);
  for (int i = 0; i < frames; ++i) {
    const double time_s = i * settings.frame_period_ms / 1000.0;
    f0[i] = basic[std::min(static_cast<int>(basic.size()) - 1, matlab_round(time_s * 1000.0))];
  }
  return f0;
}

}  // namespace rvc::f0::world
