/// @file audio_file.hpp
/// @brief Reading and writing audio files (WAV, FLAC, OGG, MP3 through libsndfile) as mono float.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace rvc::audio {

/// Mono float32 samples in [-1, 1] at a known rate.
struct AudioBuffer {
  std::vector<float> samples;  ///< Mono samples.
  int sample_rate_hz = 0;      ///< Their rate.

  /// Length in seconds.
  double duration_seconds() const {
    return sample_rate_hz > 0 ? static_cast<double>(samples.size()) / sample_rate_hz : 0.0;
  }
};

/// How read_audio converts what it reads.
struct AudioReadConfig {
  /// Resample to this rate (soxr, high quality); 0 keeps the file's rate.
  int sample_rate_hz = 0;

  /// Throws rvc::Error (kInvalidArgument) naming the bad field.
  void validate() const;
};

/// Reads any format libsndfile knows (WAV, FLAC, OGG/Vorbis, Opus, MP3, AIFF, ...) from a UTF-8
/// path, averages the channels to mono and optionally resamples. Throws rvc::Error naming the file:
/// kFileNotFound, kCorruptFile (unreadable, truncated), kInvalidAudio (no samples, NaN/Inf).
AudioBuffer read_audio(const std::string& path, const AudioReadConfig& config = {});

/// Sample encodings for write_audio.
enum class AudioEncoding {
  kAuto,     ///< 16-bit PCM for .wav and .flac, Vorbis for .ogg.
  kPcm16,    ///< 16-bit integer PCM (.wav, .flac).
  kPcm24,    ///< 24-bit integer PCM (.wav, .flac).
  kFloat32,  ///< 32-bit float (.wav only).
};

/// How write_audio encodes.
struct AudioWriteConfig {
  AudioEncoding encoding = AudioEncoding::kAuto;  ///< Sample encoding.

  /// Throws rvc::Error (kInvalidArgument) for an unknown encoding.
  void validate() const;
};

/// Writes mono samples; the container follows the extension (.wav, .flac, .ogg). Integer encodings
/// clip to [-1, 1]. The file appears atomically (temporary file, then rename). Throws rvc::Error on
/// an unknown extension, NaN/Inf samples, an empty buffer or a write failure.
void write_audio(const std::string& path, const float* samples, std::size_t num_samples,
                 int sample_rate_hz, const AudioWriteConfig& config = {});

}  // namespace rvc::audio
