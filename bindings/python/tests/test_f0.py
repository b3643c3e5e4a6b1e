import shutil

import numpy as np
import pytest

import rvc


def rmvpe_input(data, name):
    audio, rate = rvc.load_audio(data / "rmvpe" / "inputs" / f"{name}.wav")
    assert rate == rvc.f0.SAMPLE_RATE
    return audio


@pytest.mark.parametrize("name", ["speech", "vibrato"])
def test_rmvpe_matches_the_original(data, name):
    audio = rmvpe_input(data, name)
    f0, confidence = rvc.f0.estimate(audio, 16000, method="rmvpe", model=data / "models" / "rmvpe.pt",
                                     return_confidence=True)
    expected = np.load(data / "rmvpe" / "outputs" / name / "f0.npy")
    margin = np.load(data / "rmvpe" / "outputs" / name / "argmax_margin.npy")
    assert f0.dtype == np.float64 and f0.shape == expected.shape == (len(audio) // 160 + 1,)
    assert confidence.dtype == np.float32 and confidence.shape == f0.shape
    clear = margin > 1e-3
    assert clear.sum() > 0.9 * len(f0)
    assert np.max(np.abs(f0[clear] - expected[clear])) <= 1e-2


def test_estimator_is_reusable_and_loads_from_a_cjk_path(data, tmp_path):
    model = tmp_path / "音高 (rmvpe).pt"
    shutil.copyfile(data / "models" / "rmvpe.pt", model)
    estimator = rvc.f0.Estimator("RMVPE", model=model)
    audio = rmvpe_input(data, "vibrato")
    first = estimator.estimate(audio)
    assert np.array_equal(first, estimator.estimate(audio[np.newaxis, :]))
    silent = rvc.f0.Estimator("rmvpe", model=model, threshold=1.0).estimate(audio)
    assert not silent.any()


def test_bad_input_and_wrong_files(data):
    estimator = rvc.f0.Estimator("rmvpe", model=data / "models" / "rmvpe.pt")
    with pytest.raises(rvc.InvalidAudioError, match="513 samples"):
        estimator.estimate(np.zeros(0, np.float32))
    with pytest.raises(rvc.InvalidAudioError, match="finite"):
        estimator.estimate(np.full(16000, np.nan, np.float32))
    with pytest.raises(rvc.InvalidArgumentError, match="resample"):
        estimator.estimate(np.zeros(44100, np.float32), sr=44100)
    with pytest.raises(rvc.WrongModelKindError, match="voice model"):
        rvc.f0.Estimator("rmvpe", model=data / "models" / "v2_f0_40k.pth")
    with pytest.raises(rvc.InvalidArgumentError, match="model_path"):
        rvc.f0.Estimator("rmvpe")
    with pytest.raises(rvc.InvalidArgumentError, match="unknown f0 method"):
        rvc.f0.Estimator("crepe-tiny")
    with pytest.raises(FileNotFoundError):
        rvc.f0.Estimator("rmvpe", model=data / "models" / "missing.pt")


def test_fcpe_matches_the_original(data):
    audio, rate = rvc.load_audio(data / "fcpe" / "inputs" / "speech.wav")
    f0 = rvc.f0.estimate(audio, rate, method="fcpe", model=data / "models" / "fcpe_small.pt")
    expected = np.load(data / "fcpe" / "outputs" / "speech" / "f0_rvc.npy")
    assert f0.shape == expected.shape
    assert np.array_equal(f0 == 0, expected == 0)
    assert np.max(np.abs(f0 - expected)) <= 1e-2
    with pytest.raises(rvc.WrongModelKindError, match="RMVPE"):
        rvc.f0.Estimator("fcpe", model=data / "models" / "rmvpe.pt")


@pytest.mark.parametrize("method,reference", [("harvest", "train_harvest_f0"), ("dio", "train_dio_f0"),
                                              ("pm", "train_pm_padded")])
def test_signal_methods_match_rvc_and_need_no_model(data, method, reference):
    audio, rate = rvc.load_audio(data / "audio" / "speech_female_16k.wav")
    f0, confidence = rvc.f0.estimate(audio, rate, method=method, return_confidence=True)
    assert confidence is None
    assert f0.dtype == np.float64 and f0.shape == (len(audio) // 160 + 1,)
    expected = np.load(data / "f0" / f"speech_female_16k.{reference}.npy")
    expected = np.pad(expected, (0, len(f0) - len(expected)))  # pm's padded track lacks the last frame
    assert np.array_equal(f0 == 0, expected == 0)
    assert np.max(np.abs(f0 - expected)) <= 1e-4
    with pytest.raises(rvc.InvalidAudioError, match="960 samples"):
        rvc.f0.estimate(audio[:959], rate, method=method)
