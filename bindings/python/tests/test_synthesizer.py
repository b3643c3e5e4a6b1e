import numpy as np
import pytest

import rvc

MODELS = ["v2_f0_40k", "v2_f0_48k", "v2_f0_32k", "v1_f0_40k", "v2_nof0_40k", "v1_nof0_48k"]


def load_case(data, name):
    folder = data / "synth" / name
    inputs = {p.stem: np.load(p) for p in (folder / "inputs").glob("*.npy")}
    return inputs, np.load(folder / "outputs" / "audio.npy").reshape(-1)


@pytest.mark.parametrize("name", MODELS)
def test_zero_noise_output_matches_the_original(data, name):
    synth = rvc.Synthesizer(data / "models" / f"{name}.pth")
    inputs, expected = load_case(data, name)
    audio = synth.infer(inputs["phone"], inputs.get("pitch"), inputs.get("pitchf"),
                        speaker_id=int(inputs["sid"][0]), zero_noise=True)
    assert audio.dtype == np.float32 and audio.shape == expected.shape
    assert np.max(np.abs(audio - expected)) <= 1e-4
    assert synth.sample_rate * 1 == {"40k": 40000, "48k": 48000, "32k": 32000}[name[-3:]]
    assert synth.hop_samples * 100 == synth.sample_rate
    assert synth.has_pitch == ("nof0" not in name)


def test_seed_and_errors(data):
    synth = rvc.Synthesizer(data / "models" / "v1_f0_40k.pth", precision="fp32")
    inputs, _ = load_case(data, "v1_f0_40k")
    a = synth.infer(inputs["phone"][0], inputs["pitch"][0], inputs["pitchf"][0], seed=3)
    b = synth.infer(inputs["phone"], inputs["pitch"], inputs["pitchf"], seed=3)
    np.testing.assert_array_equal(a, b)
    with pytest.raises(rvc.InvalidArgumentError, match="256-d"):
        synth.infer(np.zeros((10, 768), np.float32), np.ones(10, np.int64), np.zeros(10, np.float32))
    with pytest.raises(ValueError, match="pitch"):
        synth.infer(np.zeros((10, 256), np.float32), np.ones(9, np.int64), np.zeros(10, np.float32))
    with pytest.raises(rvc.WrongModelKindError):
        rvc.Synthesizer(data / "models" / "rmvpe.pt")
    with pytest.raises(rvc.InvalidArgumentError):
        rvc.Synthesizer(data / "models" / "v1_f0_40k.pth", precision="fp8")
