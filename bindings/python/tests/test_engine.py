"""rvc.Engine: RVC's offline conversion from Python, against RVC's own output (fixtures/pipeline)."""
import threading

import numpy as np
import pytest

import rvc

INDEX = "added_IVF17_Flat_nprobe_1_fixture_v2.index"


@pytest.fixture(scope="module")
def engine(data):
    return rvc.Engine(data / "models" / "v2_f0_40k.pth", index=data / "index" / INDEX,
                      hubert=data / "hubert" / "hubert_base_768", rmvpe=data / "models" / "rmvpe.pt",
                      assets=data / "no assets")


def int16(samples):
    return np.trunc(np.asarray(samples, dtype=np.float32) * np.float32(32768)).astype(np.int32)


def test_engine_converts_like_rvc_2026(engine, data):
    audio, sr = rvc.load_audio(data / "pipeline" / "short" / "input.wav")
    out, rate = engine.convert(audio, sr, f0_up_key=12, compat="2026", zero_noise=True)
    expected, expected_rate = rvc.load_audio(data / "pipeline" / "short" / "key+12" / "output.wav")
    assert rate == expected_rate == 40000
    assert out.dtype == np.float32 and out.shape == expected.shape
    assert np.abs(int16(out) - int16(expected)).max() <= 2


def test_engine_describes_what_it_loaded(engine):
    assert (engine.sample_rate, engine.has_pitch, engine.num_speakers) == (40000, True, 3)
    assert INDEX in engine.description and "hubert_base_768" in engine.description


def test_convert_file_writes_rvc_samples_to_a_cjk_path(engine, data, tmp_path):
    target = tmp_path / "输出 (out).wav"
    report = engine.convert_file(data / "pipeline_classic" / "input.wav", target, f0_method="harvest", seed=3)
    written, rate = rvc.load_audio(target)
    assert rate == report["sample_rate"] == 40000
    assert written.shape[0] == report["num_samples"] == 183200
    assert report["total_ms"] > 0 and report["synth_ms"] > 0


def test_conversions_run_in_parallel_threads(engine, data):
    audio, sr = rvc.load_audio(data / "pipeline_classic" / "input.wav")
    results = [None, None]

    def work(slot):
        results[slot] = engine.convert(audio, sr, f0_method="pm", zero_noise=True)[0]

    threads = [threading.Thread(target=work, args=(k,)) for k in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    np.testing.assert_array_equal(results[0], results[1])


def test_errors_are_typed_and_say_what_to_do(engine, data):
    with pytest.raises(rvc.InvalidAudioError, match="0.1 s"):
        engine.convert(np.zeros(100, np.float32), 16000)
    with pytest.raises(rvc.InvalidArgumentError, match="protect"):
        engine.convert(np.zeros(16000, np.float32), 16000, protect=0.9)
    with pytest.raises(rvc.InvalidArgumentError, match="compat"):
        engine.convert(np.zeros(16000, np.float32), 16000, compat="2025")
    with pytest.raises(rvc.RvcFileNotFoundError, match="hubert_base.pt"):
        rvc.Engine(data / "models" / "v2_f0_40k.pth", assets=data / "no assets")
    with pytest.raises(rvc.InvalidArgumentError, match="v1_f0_40k.pth"):
        rvc.Engine(data / "models" / "v1_f0_40k.pth", index=data / "index" / INDEX,
                   hubert=data / "models" / "hubert_base.pt")


def test_progress_can_cancel_and_its_exceptions_reach_the_caller(engine):
    audio = np.zeros(16000, np.float32)
    stages = []
    with pytest.raises(rvc.CancelledError):
        engine.convert(audio, 16000, f0_method="pm", progress=lambda stage, fraction: stages.append(stage) or False)
    assert stages == ["pitch"]

    def broken(stage, fraction):
        raise KeyError("from the callback")

    with pytest.raises(KeyError, match="from the callback"):
        engine.convert(audio, 16000, f0_method="pm", progress=broken)
