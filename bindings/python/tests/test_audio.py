import wave

import numpy as np
import pytest

import rvc


def read_wav_with_stdlib(path):
    """The oracle: Python's own wave module, int16 / 32768."""
    with wave.open(str(path), "rb") as w:
        frames = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float32) / 32768
        return frames.reshape(-1, w.getnchannels()), w.getframerate()


def test_version():
    assert rvc.__version__.count(".") == 2


def test_reads_cjk_path_exactly(data):
    path = data / "audio" / "odd name (测试 音频) v1.wav"
    audio, sr = rvc.load_audio(path)
    expected, expected_sr = read_wav_with_stdlib(path)
    assert sr == expected_sr == 16000
    assert audio.dtype == np.float32 and audio.shape == (32000,)
    np.testing.assert_array_equal(audio, expected[:, 0])
    assert not audio.flags.writeable


def test_stereo_downmix_matches_numpy_reference(data):
    audio, sr = rvc.load_audio(str(data / "audio" / "speech_stereo_48k.wav"))
    reference = np.load(data / "audio" / "speech_stereo_48k_mono_f32.npy")
    assert sr == 48000
    np.testing.assert_allclose(audio, reference, atol=1e-7)


def test_resamples(data):
    audio, sr = rvc.load_audio(data / "audio" / "speech_male_44k1.mp3", sr=16000)
    assert sr == 16000
    assert abs(len(audio) - 80000) < 1000


def test_save_round_trip(tmp_path):
    t = np.arange(8000) / 16000
    signal = (0.5 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
    rvc.save_audio(tmp_path / "声音 (float).wav", signal, 16000, encoding="float")
    back, sr = rvc.load_audio(tmp_path / "声音 (float).wav")
    np.testing.assert_array_equal(back, signal)
    rvc.save_audio(tmp_path / "pcm.flac", signal.astype(np.float64), 16000)
    back, _ = rvc.load_audio(tmp_path / "pcm.flac")
    np.testing.assert_allclose(back, signal, atol=1 / 32768)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pcm.flac", "声音 (float).wav"]


def test_errors_are_python_exceptions(tmp_path):
    with pytest.raises(rvc.RvcFileNotFoundError) as missing:
        rvc.load_audio(tmp_path / "nope.wav")
    assert isinstance(missing.value, FileNotFoundError)
    assert "nope.wav" in str(missing.value)
    bad = np.zeros(100, dtype=np.float32)
    bad[3] = np.nan
    with pytest.raises(rvc.InvalidAudioError, match="index 3"):
        rvc.save_audio(tmp_path / "nan.wav", bad, 16000)
    with pytest.raises(ValueError):
        rvc.save_audio(tmp_path / "stereo.wav", np.zeros((2, 10), dtype=np.float32), 16000)
    with pytest.raises(rvc.InvalidArgumentError):
        rvc.save_audio(tmp_path / "x.mp4", np.zeros(10, dtype=np.float32), 16000)
    (tmp_path / "empty.wav").write_bytes(b"")
    with pytest.raises(rvc.CorruptFileError, match="empty.wav"):
        rvc.load_audio(tmp_path / "empty.wav")
    assert not (tmp_path / "nan.wav").exists()
