#include "rvc/audio/audio_file.hpp"

#include <sndfile.h>

#include <cmath>
#include <memory>

#include "io/file_util.hpp"
#include "rvc/audio/resample.hpp"
#include "rvc/error.hpp"

namespace rvc::audio {
namespace {

struct SndfileCloser {
  void operator()(SNDFILE* file) const { sf_close(file); }
};
using SndfileHandle = std::unique_ptr<SNDFILE, SndfileCloser>;

constexpr sf_count_t kReadBlockFrames = 1 << 16;

std::string sndfile_log(SNDFILE* file) {
  char log[4096] = {0};
  sf_command(file, SFC_GET_LOG_INFO, log, sizeof(log));
  return log;
}

// libsndfile notes "data : <declared> (should be <present>)" when a WAV/AIFF data chunk claims
// more bytes than the file holds, i.e. the file was cut short.
bool data_chunk_is_cut(const std::string& log) {
  std::size_t line_start = 0;
  while (line_start < log.size()) {
    std::size_t line_end = log.find('\n', line_start);
    if (line_end == std::string::npos) line_end = log.size();
    const std::string line = log.substr(line_start, line_end - line_start);
    if ((line.rfind("data", 0) == 0 || line.rfind("SSND", 0) == 0) &&
        line.find("should be") != std::string::npos) {
      return true;
    }
    line_start = line_end + 1;
  }
  return false;
}

int container_for(const std::string& path) {
  const std::string extension = io::lower_extension(path);
  if (extension == "wav") return SF_FORMAT_WAV;
  if (extension == "flac") return SF_FORMAT_FLAC;
  if (extension == "ogg") return SF_FORMAT_OGG;
  throw Error(ErrorCode::kInvalidArgument,
              "cannot write '" + path + "': unknown audio extension '." + extension +
                  "'; use .wav, .flac or .ogg");
}

int subtype_for(int container, AudioEncoding encoding, const std::string& path) {
  if (container == SF_FORMAT_OGG) {
    if (encoding != AudioEncoding::kAuto) {
      throw Error(ErrorCode::kInvalidArgument, "'" + path + "': .ogg files are always Vorbis; leave the "
                                               "encoding on auto");
    }
    return SF_FORMAT_VORBIS;
  }
  switch (encoding) {
    case AudioEncoding::kAuto:
    case AudioEncoding::kPcm16: return SF_FORMAT_PCM_16;
    case AudioEncoding::kPcm24: return SF_FORMAT_PCM_24;
    case AudioEncoding::kFloat32:
      if (container != SF_FORMAT_WAV) {
        throw Error(ErrorCode::kInvalidArgument,
                    "'" + path + "': float samples need a .wav file; FLAC holds integers only");
      }
      return SF_FORMAT_FLOAT;
  }
  return SF_FORMAT_PCM_16;
}

void check_finite(const float* samples, std::size_t count, const std::string& what) {
  for (std::size_t i = 0; i < count; ++i) {
    if (!std::isfinite(samples[i])) {
      throw Error(ErrorCode::kInvalidAudio,
                  what + " holds a " + (std::isnan(samples[i]) ? "NaN" : "infinite") +
                      " sample at index " + std::to_string(i) +
                      "; fix the source (or its gain) before using it");
    }
  }
}

}  // namespace

void AudioReadConfig::validate() const {
  if (sample_rate_hz < 0 || sample_rate_hz > 768000) {
    throw Error(ErrorCode::kInvalidArgument, "AudioReadConfig.sample_rate_hz must be 0 (keep) or a rate up to "
                                             "768000 Hz, not " + std::to_string(sample_rate_hz));
  }
}

void AudioWriteConfig::validate() const {
  if (encoding < AudioEncoding::kAuto || encoding > AudioEncoding::kFloat32) {
    throw Error(ErrorCode::kInvalidArgument, "AudioWriteConfig.encoding is not a known encoding");
  }
}

AudioBuffer read_audio(const std::string& path, const AudioReadConfig& config) {
  config.validate();
  if (!io::path_exists(path)) {
    throw Error(ErrorCode::kFileNotFound, "audio file '" + path + "' does not exist; check the path");
  }
  SF_INFO info{};
  SndfileHandle file(sf_open(path.c_str(), SFM_READ, &info));
  if (!file) {
    throw Error(ErrorCode::kCorruptFile, "cannot read audio file '" + path + "': " + sf_strerror(nullptr) +
                                             " (is it a complete WAV/FLAC/OGG/MP3 file?)");
  }
  if (info.channels <= 0 || info.samplerate <= 0) {
    throw Error(ErrorCode::kCorruptFile, "audio file '" + path + "' declares no channels or no sample rate");
  }
  if (data_chunk_is_cut(sndfile_log(file.get()))) {
    throw Error(ErrorCode::kCorruptFile, "audio file '" + path + "' is truncated (its header promises more "
                                         "data than the file holds); copy or export it again");
  }

  const auto channels = static_cast<std::size_t>(info.channels);
  AudioBuffer result;
  result.sample_rate_hz = info.samplerate;
  if (info.frames > 0 && info.frames < (sf_count_t{1} << 34)) {
    result.samples.reserve(static_cast<std::size_t>(info.frames));
  }
  std::vector<float> block(static_cast<std::size_t>(kReadBlockFrames) * channels);
  while (true) {
    const sf_count_t frames = sf_readf_float(file.get(), block.data(), kReadBlockFrames);
    if (frames <= 0) break;
    for (sf_count_t f = 0; f < frames; ++f) {
      const float* frame = block.data() + static_cast<std::size_t>(f) * channels;
      float sum = 0.0f;
      for (std::size_t c = 0; c < channels; ++c) sum += frame[c];
      result.samples.push_back(channels == 1 ? sum : sum / static_cast<float>(channels));
    }
  }
  if (sf_error(file.get()) != SF_ERR_NO_ERROR) {
    throw Error(ErrorCode::kCorruptFile, "audio file '" + path + "' is damaged: " + sf_strerror(file.get()));
  }
  if (result.samples.empty()) {
    throw Error(ErrorCode::kInvalidAudio, "audio file '" + path + "' holds no samples; record or export it again");
  }
  check_finite(result.samples.data(), result.samples.size(), "audio file '" + path + "'");
  if (config.sample_rate_hz != 0 && config.sample_rate_hz != result.sample_rate_hz) {
    result.samples = resample(result.samples.data(), result.samples.size(), result.sample_rate_hz,
                              config.sample_rate_hz);
    result.sample_rate_hz = config.sample_rate_hz;
  }
  return result;
}

void write_audio(const std::string& path, const float* samples, std::size_t num_samples,
                 int sample_rate_hz, const AudioWriteConfig& config) {
  config.validate();
  if (samples == nullptr || num_samples == 0) {
    throw Error(ErrorCode::kInvalidAudio, "refusing to write '" + path + "': there are no samples");
  }
  if (sample_rate_hz <= 0 || sample_rate_hz > 768000) {
    throw Error(ErrorCode::kInvalidArgument, "cannot write '" + path + "': sample rate " +
                                                 std::to_string(sample_rate_hz) + " Hz is not valid");
  }
  check_finite(samples, num_samples, "the audio for '" + path + "'");
  const int container = container_for(path);
  const int subtype = subtype_for(container, config.encoding, path);

  io::write_atomically(path, [&](const std::string& temporary) {
    SF_INFO info{};
    info.samplerate = sample_rate_hz;
    info.channels = 1;
    info.format = container | subtype;
    if (!sf_format_check(&info)) {
      throw Error(ErrorCode::kInvalidArgument, "cannot write '" + path + "': this build of libsndfile "
                                               "cannot encode that format");
    }
    SndfileHandle file(sf_open(temporary.c_str(), SFM_WRITE, &info));
    if (!file) {
      throw Error(ErrorCode::kIo, "cannot create '" + path + "': " + sf_strerror(nullptr) +
                                      " (check that the folder exists and is writable)");
    }
    sf_command(file.get(), SFC_SET_CLIPPING, nullptr, SF_TRUE);
    const auto written = sf_writef_float(file.get(), samples, static_cast<sf_count_t>(num_samples));
    if (written != static_cast<sf_count_t>(num_samples)) {
      throw Error(ErrorCode::kIo, "cannot write '" + path + "': " + sf_strerror(file.get()) +
                                      " (is the disk full?)");
    }
    if (sf_close(file.release()) != 0) {
      throw Error(ErrorCode::kIo, "cannot finish '" + path + "' (is the disk full?)");
    }
  });
}

}  // namespace rvc::audio
