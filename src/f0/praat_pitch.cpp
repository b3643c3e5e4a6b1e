#include "f0/praat_pitch.hpp"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <complex>

#include "dsp/fft.hpp"

namespace rvc::f0::praat {
namespace {

constexpr double kPi = 3.1415926535897932384626433832795;
constexpr double kLn2 = 0.6931471805599453094172321214581766;
constexpr int kStrengthSincDepth = 30;   // sinc depth for a candidate's first strength estimate
constexpr int kRefineSincDepth = 70;     // and for refining its position
constexpr int kRefineSincDepthHigh = 700;  // for candidates above 0.3·fs

double log2_of(double x) { return std::log(x) / kLn2; }

// Praat's windowed-sinc interpolation of y (1-based positions, y[1] = values[0]) at x, with at
// most `depth` points on each side, evaluated by rotating phasors.
// One side of Praat's windowed sinc sum: Σ_k y[k·step]·sin(a_k)/a_k·(1 + cos(aa_k))/2 over
// `count` terms, with a_k = a + kπ (so sin(a_k) alternates in sign) and aa_k = (a + kπ)/span, the
// cosine advanced by rotation. The terms go in lanes of 8 with a rotation each, so the
// divisions, which bound this loop, run as vector divisions.
__attribute__((target_clones("avx512f", "avx2", "default")))
double sinc_side(const double* y, int step, int count, double a, double span) {
  constexpr int kLanes = 8;  // even, so each lane keeps one sign of sin(a_k)
  const double half_sin_a = 0.5 * std::sin(a);
  const double daa = kPi / span;
  const double cos_daa = std::cos(daa), sin_daa = std::sin(daa);
  double cosine[kLanes], sine[kLanes], sum[kLanes] = {};
  cosine[0] = std::cos(a / span);
  sine[0] = std::sin(a / span);
  for (int j = 1; j < kLanes; ++j) {
    cosine[j] = cosine[j - 1] * cos_daa - sine[j - 1] * sin_daa;
    sine[j] = cosine[j - 1] * sin_daa + sine[j - 1] * cos_daa;
  }
  // The rotation by kLanes·daa, by squaring the rotation by daa three times.
  double cos_step = cos_daa, sin_step = sin_daa;
  for (int lanes = 1; lanes < kLanes; lanes *= 2) {
    const double squared_cos = cos_step * cos_step - sin_step * sin_step;
    sin_step = 2.0 * cos_step * sin_step;
    cos_step = squared_cos;
  }
  double half_sin[kLanes];
  for (int j = 0; j < kLanes; ++j) half_sin[j] = j % 2 == 0 ? half_sin_a : -half_sin_a;
  for (int k = 0; k < count; k += kLanes) {
    double term_y[kLanes];  // zero past the last term, so the final lanes add nothing
    for (int j = 0; j < kLanes; ++j) term_y[j] = k + j < count ? y[(k + j) * step] : 0.0;
    for (int j = 0; j < kLanes; ++j) {
      sum[j] += term_y[j] * (half_sin[j] / (a + (k + j) * kPi) * (1.0 + cosine[j]));
      const double next_cos = cosine[j] * cos_step - sine[j] * sin_step;
      sine[j] = cosine[j] * sin_step + sine[j] * cos_step;
      cosine[j] = next_cos;
    }
  }
  double total = 0.0;
  for (double lane : sum) total += lane;
  return total;
}

double interpolate_sinc(const std::vector<double>& values, double x, int depth) {
  const int size = static_cast<int>(values.size());
  auto y = [&](int i) { return values[i - 1]; };
  const int midleft = static_cast<int>(std::floor(x)), midright = midleft + 1;
  if (x > size) return y(size);
  if (x < 1) return y(1);
  if (x == midleft) return y(midleft);
  depth = std::min({depth, midright - 1, size - midleft});
  if (depth <= 0) return y(static_cast<int>(std::floor(x + 0.5)));
  if (depth == 1) return y(midleft) + (x - midleft) * (y(midright) - y(midleft));
  if (depth == 2) {
    const double yl = y(midleft), yr = y(midright);
    const double dyl = 0.5 * (yr - y(midleft - 1)), dyr = 0.5 * (y(midright + 1) - yl);
    const double fil = x - midleft, fir = midright - x;
    return yl * fir + yr * fil - fil * fir * (0.5 * (dyr - dyl) + (fil - 0.5) * (dyl + dyr - 2 * (yr - yl)));
  }
  const int left = midright - depth, right = midleft + depth;
  return sinc_side(values.data() + midleft - 1, -1, depth, kPi * (x - midleft), x - left + 1.0) +
         sinc_side(values.data() + midright - 1, 1, depth, kPi * (midright - x), right - x + 1.0);
}

// Brent's minimisation of f on [a, b] (golden section with parabolic steps, netlib's fmin as Praat
// has it). Returns the abscissa; the minimum goes to `minimum`.
template <typename F>
double minimize_brent(F f, double a, double b, double tolerance, double& minimum) {
  const double golden = 1.0 - 0.6180339887498948482;
  const double sqrt_epsilon = std::sqrt(DBL_EPSILON);
  double v = a + golden * (b - a);
  double fv = f(v);
  double x = v, w = v;
  double fx = fv, fw = fv;
  for (int iteration = 1; iteration <= 60; ++iteration) {
    const double middle = (a + b) / 2.0;
    const double tol_act = sqrt_epsilon * std::fabs(x) + tolerance / 3.0;
    if (std::fabs(x - middle) + (b - a) / 2.0 <= 2.0 * tol_act) break;
    double step = golden * (x < middle ? b - x : a - x);
    if (std::fabs(x - w) >= tol_act) {
      const double t = (x - w) * (fx - fv);
      double q = (x - v) * (fx - fw);
      double p = (x - v) * q - (x - w) * t;
      q = 2.0 * (q - t);
      if (q > 0.0) {
        p = -p;
      } else {
        q = -q;
      }
      if (std::fabs(p) < std::fabs(step * q) && p > q * (a - x + 2.0 * tol_act) && p < q * (b - x - 2.0 * tol_act)) {
        step = p / q;
      }
    }
    if (std::fabs(step) < tol_act) step = step > 0 ? tol_act : -tol_act;
    const double t = x + step, ft = f(t);
    if (ft <= fx) {
      (t < x ? b : a) = x;
      v = w;
      w = x;
      x = t;
      fv = fw;
      fw = fx;
      fx = ft;
    } else {
      (t < x ? a : b) = t;
      if (ft <= fw || w == x) {
        v = w;
        w = t;
        fv = fw;
        fw = ft;
      } else if (ft <= fv || v == x || v == w) {
        v = t;
        fv = ft;
      }
    }
  }
  minimum = fx;
  return x;
}

struct Candidate {
  double frequency = 0;  // 0: the unvoiced candidate
  double strength = 0;
};

struct Frame {
  double intensity = 0;
  std::vector<Candidate> candidates;  // candidates[0] is always the unvoiced one
};

// What every frame of one analysis shares.
struct Analysis {
  const std::vector<double>* x = nullptr;
  double dx = 0, x1 = 0;
  int window_samples = 0, half_window = 0;     // nsamp_window, halfnsamp_window
  int period_samples = 0, half_period = 0;     // nsamp_period, halfnsamp_period
  int maximum_lag = 0, interpolation_lag = 0;  // maximumLag, brent_ixmax
  int max_candidates = 0;
  double global_peak = 0;
  std::vector<double> window, window_autocorrelation;
  const dsp::RealFft* fft = nullptr;
};

Frame analyse_frame(const Analysis& an, const PitchSettings& settings, double t) {
  const std::vector<double>& x = *an.x;
  const int left = static_cast<int>(std::floor((t - an.x1) / an.dx)), right = left + 1;
  double local_mean = 0;
  for (int i = right - an.period_samples; i <= left + an.period_samples; ++i) local_mean += x[i];
  local_mean /= 2 * an.period_samples;

  const int fft_size = an.fft->size();
  std::vector<double> frame(fft_size, 0.0);
  const int start = right - an.half_window;
  for (int j = 0; j < an.window_samples; ++j) frame[j] = (x[start + j] - local_mean) * an.window[j];

  double local_peak = 0;
  const int peak_from = std::max(0, an.half_window - an.half_period);
  const int peak_to = std::min(an.window_samples - 1, an.half_window + an.half_period - 1);
  for (int j = peak_from; j <= peak_to; ++j) local_peak = std::max(local_peak, std::fabs(frame[j]));

  Frame result;
  result.intensity = local_peak > an.global_peak ? 1.0 : local_peak / an.global_peak;
  result.candidates.push_back({});
  if (local_peak == 0.0) return result;

  // Autocorrelation through the power spectrum, normalised and divided by the window's.
  std::vector<std::complex<double>> spectrum(fft_size / 2 + 1);
  an.fft->forward(frame.data(), spectrum.data());
  for (auto& bin : spectrum) bin = {std::norm(bin), 0.0};
  std::vector<double> ac(fft_size);
  an.fft->inverse(spectrum.data(), ac.data());
  const int ixmax = an.interpolation_lag;
  // r over lags −ixmax..ixmax, stored from index 0 (lag −ixmax).
  std::vector<double> r(2 * ixmax + 1);
  r[ixmax] = 1.0;
  for (int lag = 1; lag <= ixmax; ++lag) {
    r[ixmax + lag] = r[ixmax - lag] = ac[lag] / (ac[0] * an.window_autocorrelation[lag]);
  }
  auto r_at = [&](int lag) { return r[ixmax + lag]; };
  const double lag_to_position = ixmax + 1;  // 1-based position of lag 0 in r

  std::vector<int> peak_lag(1, 0);
  const double min_pitch = settings.pitch_floor_hz;
  for (int i = 2; i < an.maximum_lag && i < ixmax; ++i) {
    if (!(r_at(i) > 0.5 * settings.voicing_threshold && r_at(i) > r_at(i - 1) && r_at(i) >= r_at(i + 1))) continue;
    const double dr = 0.5 * (r_at(i + 1) - r_at(i - 1)), d2r = 2.0 * r_at(i) - r_at(i - 1) - r_at(i + 1);
    const double frequency = 1.0 / an.dx / (i + dr / d2r);
    double strength = interpolate_sinc(r, 1.0 / an.dx / frequency + lag_to_position, kStrengthSincDepth);
    if (strength > 1.0) strength = 1.0 / strength;  // short windows can exceed 1: reflect

    int place = -1;
    if (static_cast<int>(result.candidates.size()) < an.max_candidates) {
      result.candidates.push_back({});
      place = static_cast<int>(result.candidates.size()) - 1;
      peak_lag.push_back(0);
    } else {
      // Replace the weakest, favouring high frequencies by the octave cost.
      double weakest = 2.0;
      for (int k = 1; k < an.max_candidates; ++k) {
        const Candidate& c = result.candidates[k];
        const double local = c.strength - settings.octave_cost * log2_of(min_pitch / c.frequency);
        if (local < weakest) {
          weakest = local;
          place = k;
        }
      }
      if (strength - settings.octave_cost * log2_of(min_pitch / frequency) <= weakest) place = -1;
    }
    if (place >= 0) {
      result.candidates[place] = {frequency, strength};
      peak_lag[place] = i;
    }
  }

  // Refine each candidate to the maximum of the sinc-interpolated autocorrelation.
  for (std::size_t k = 1; k < result.candidates.size(); ++k) {
    Candidate& c = result.candidates[k];
    if (!(c.frequency > 0.0)) continue;
    const int depth = c.frequency > 0.3 / an.dx ? kRefineSincDepthHigh : kRefineSincDepth;
    const int position = peak_lag[k] + static_cast<int>(lag_to_position);
    double peak;
    const double best = minimize_brent([&](double p) { return -interpolate_sinc(r, p, depth); }, position - 1,
                                       position + 1, 1e-10, peak);
    peak = -peak;
    c.frequency = 1.0 / an.dx / (best - lag_to_position);
    c.strength = peak > 1.0 ? 1.0 / peak : peak;
  }
  return result;
}

bool is_voiced(double frequency, double ceiling) { return frequency > 0.0 && frequency < ceiling; }

// Praat's path finder: the Viterbi path through the candidates maximising strength minus octave,
// octave-jump and voicing-transition costs. Returns the selected frequency of each frame.
std::vector<double> find_path(const std::vector<Frame>& frames, const PitchSettings& settings, double ceiling,
                              double time_step_s) {
  const int count = static_cast<int>(frames.size());
  std::vector<double> selected(count, 0.0);
  if (count == 0) return selected;
  const double time_step_correction = 0.01 / time_step_s;
  const double octave_jump_cost = settings.octave_jump_cost * time_step_correction;
  const double voiced_unvoiced_cost = settings.voiced_unvoiced_cost * time_step_correction;

  std::vector<std::vector<double>> delta(count);
  std::vector<std::vector<int>> psi(count);
  for (int f = 0; f < count; ++f) {
    const Frame& frame = frames[f];
    double unvoiced_strength = settings.silence_threshold <= 0
                                   ? 0
                                   : 2 - frame.intensity / (settings.silence_threshold / (1 + settings.voicing_threshold));
    unvoiced_strength = settings.voicing_threshold + (unvoiced_strength > 0 ? unvoiced_strength : 0);
    delta[f].resize(frame.candidates.size());
    psi[f].assign(frame.candidates.size(), 0);
    for (std::size_t k = 0; k < frame.candidates.size(); ++k) {
      const Candidate& c = frame.candidates[k];
      delta[f][k] = is_voiced(c.frequency, ceiling)
                        ? c.strength - settings.octave_cost * log2_of(ceiling / c.frequency)
                        : unvoiced_strength;
    }
  }
  for (int f = 1; f < count; ++f) {
    const std::vector<Candidate>& previous = frames[f - 1].candidates;
    const std::vector<Candidate>& current = frames[f].candidates;
    for (std::size_t k2 = 0; k2 < current.size(); ++k2) {
      const double f2 = current[k2].frequency;
      const bool current_voiced = is_voiced(f2, ceiling);
      double maximum = -1e30;
      int place = 0;
      for (std::size_t k1 = 0; k1 < previous.size(); ++k1) {
        const double f1 = previous[k1].frequency;
        const bool previous_voiced = is_voiced(f1, ceiling);
        double transition = 0;
        if (current_voiced != previous_voiced) {
          transition = voiced_unvoiced_cost;
        } else if (current_voiced) {
          transition = octave_jump_cost * std::fabs(log2_of(f1 / f2));
        }
        const double value = delta[f - 1][k1] - transition + delta[f][k2];
        if (value > maximum) {
          maximum = value;
          place = static_cast<int>(k1);
        }
      }
      delta[f][k2] = maximum;
      psi[f][k2] = place;
    }
  }
  int place = 0;
  for (std::size_t k = 1; k < delta[count - 1].size(); ++k) {
    if (delta[count - 1][k] > delta[count - 1][place]) place = static_cast<int>(k);
  }
  for (int f = count - 1; f >= 0; --f) {
    const double frequency = frames[f].candidates[place].frequency;
    selected[f] = is_voiced(frequency, ceiling) ? frequency : 0.0;
    place = psi[f][place];
  }
  return selected;
}

}  // namespace

PitchContour to_pitch_ac(const std::vector<double>& x, double sample_rate_hz, const PitchSettings& settings) {
  PitchContour contour;
  Analysis an;
  an.x = &x;
  an.dx = 1.0 / sample_rate_hz;
  an.x1 = 0.5 * an.dx;
  const int nx = static_cast<int>(x.size());
  const double duration = an.dx * nx;
  const double window_s = settings.periods_per_window / settings.pitch_floor_hz;
  if (nx == 0 || window_s > duration) return contour;

  an.max_candidates = settings.max_candidates;
  if (an.max_candidates < settings.pitch_ceiling_hz / settings.pitch_floor_hz) {
    an.max_candidates = static_cast<int>(std::floor(settings.pitch_ceiling_hz / settings.pitch_floor_hz));
  }
  an.period_samples = static_cast<int>(std::floor(1.0 / an.dx / settings.pitch_floor_hz));
  an.half_period = an.period_samples / 2 + 1;
  const double ceiling = std::min(settings.pitch_ceiling_hz, 0.5 / an.dx);
  an.half_window = static_cast<int>(std::floor(window_s / an.dx)) / 2 - 1;
  if (an.half_window < 2) return contour;
  an.window_samples = an.half_window * 2;
  an.maximum_lag = std::min(static_cast<int>(std::floor(an.window_samples / settings.periods_per_window)) + 2,
                            an.window_samples);

  const int frame_count = static_cast<int>(std::floor((duration - window_s) / settings.time_step_s)) + 1;
  const double mid_time = an.x1 - 0.5 * an.dx + 0.5 * duration;
  contour.first_frame_s = mid_time - 0.5 * (frame_count * settings.time_step_s) + 0.5 * settings.time_step_s;
  contour.frequency.assign(frame_count, 0.0);

  double mean = 0;
  for (double v : x) mean += v;
  mean /= nx;
  for (double v : x) an.global_peak = std::max(an.global_peak, std::fabs(v - mean));
  if (an.global_peak == 0.0) return contour;

  constexpr double kInterpolationDepth = 0.5;  // Hanning window
  int fft_size = 1;
  while (fft_size < an.window_samples * (1 + kInterpolationDepth)) fft_size *= 2;
  const dsp::RealFft fft(fft_size);
  an.fft = &fft;
  an.interpolation_lag = static_cast<int>(std::floor(an.window_samples * kInterpolationDepth));
  an.window.resize(an.window_samples);
  for (int i = 1; i <= an.window_samples; ++i) {
    an.window[i - 1] = 0.5 - 0.5 * std::cos(i * 2 * kPi / (an.window_samples + 1));
  }
  {
    std::vector<double> padded(fft_size, 0.0);
    std::copy(an.window.begin(), an.window.end(), padded.begin());
    std::vector<std::complex<double>> spectrum(fft_size / 2 + 1);
    fft.forward(padded.data(), spectrum.data());
    for (auto& bin : spectrum) bin = {std::norm(bin), 0.0};
    an.window_autocorrelation.resize(fft_size);
    fft.inverse(spectrum.data(), an.window_autocorrelation.data());
    const double zero_lag = an.window_autocorrelation[0];
    for (double& value : an.window_autocorrelation) value /= zero_lag;
  }

  std::vector<Frame> frames(frame_count);
#pragma omp parallel for schedule(dynamic, 16)
  for (int f = 0; f < frame_count; ++f) {
    frames[f] = analyse_frame(an, settings, contour.first_frame_s + f * settings.time_step_s);
  }
  contour.frequency = find_path(frames, settings, ceiling, settings.time_step_s);
  return contour;
}

std::vector<double> rvc_pm_track(const std::vector<double>& x, int sample_rate_hz) {
  const int hop = sample_rate_hz / 100;
  const int target = static_cast<int>(x.size()) / hop;
  const std::vector<double> raw = to_pitch_ac(x, sample_rate_hz).frequency;
  const int count = static_cast<int>(raw.size());
  std::vector<double> padded(std::max(target, count), 0.0);
  const int front = std::max(0, (target - count + 1) / 2);
  std::copy(raw.begin(), raw.end(), padded.begin() + front);
  return padded;
}

}  // namespace rvc::f0::praat
