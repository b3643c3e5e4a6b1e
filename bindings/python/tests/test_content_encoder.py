import numpy as np
import pytest

import rvc


def speech(data, name):
    audio, rate = rvc.load_audio(data / "hubert" / "inputs" / f"{name}.wav")
    assert rate == 16000
    return audio


@pytest.mark.parametrize("form", ["hubert/hubert_base", "hubert/hubert_base_parametrized", "models/hubert_base.pt"])
@pytest.mark.parametrize("version", ["v1", "v2"])
def test_features_match_the_original(data, form, version):
    encoder = rvc.ContentEncoder(data / form)
    audio = speech(data, "speech_odd")
    features = encoder.extract(audio, version)
    expected = np.load(data / "hubert" / "hubert_base" / "outputs" / "speech_odd" / f"feats_{version}.npy")[0]
    assert features.dtype == np.float32 and features.shape == expected.shape
    assert features.shape[1] == encoder.feature_dim(version)
    assert np.max(np.abs(features - expected)) <= 1e-4


def test_bad_input_and_wrong_files(data):
    encoder = rvc.ContentEncoder(data / "models" / "hubert_base.pt")
    with pytest.raises(rvc.InvalidAudioError, match="400 samples"):
        encoder.extract(np.zeros(399, np.float32))
    with pytest.raises(rvc.InvalidArgumentError, match="16000"):
        encoder.extract(np.zeros(16000, np.float32), sample_rate=44100)
    with pytest.raises(rvc.WrongModelKindError, match="voice model"):
        rvc.ContentEncoder(data / "models" / "v2_f0_40k.pth")
    with pytest.raises(FileNotFoundError):
        rvc.ContentEncoder(data / "hubert" / "missing")
