import argparse
import collections

import numpy as np
import pytest
import torch

import rvc

MODELS = ["v2_f0_40k", "v2_f0_48k", "v2_f0_32k", "v1_f0_40k", "v2_nof0_40k", "v1_nof0_48k"]


def assert_same(ours, theirs, where="root"):
    """Compares rvc.load_checkpoint output with torch.load output, recursively."""
    if isinstance(theirs, torch.Tensor):
        assert isinstance(ours, np.ndarray), where
        expected = theirs.float() if theirs.dtype == torch.bfloat16 else theirs
        assert ours.shape == tuple(expected.shape), where
        np.testing.assert_array_equal(ours, expected.numpy(), err_msg=where)
    elif isinstance(theirs, dict):
        assert isinstance(ours, dict), where
        assert list(ours.keys()) == list(theirs.keys()), where
        for key in theirs:
            assert_same(ours[key], theirs[key], f"{where}[{key!r}]")
    elif isinstance(theirs, (list, tuple)):
        assert type(ours) is type(theirs) and len(ours) == len(theirs), where
        for i, (a, b) in enumerate(zip(ours, theirs)):
            assert_same(a, b, f"{where}[{i}]")
    elif isinstance(theirs, argparse.Namespace):
        assert isinstance(ours, rvc.OpaqueObject) and ours.cls == "argparse.Namespace", where
        assert_same(ours.state, vars(theirs), where)
    else:
        assert ours == theirs and type(ours) is type(theirs), where


@pytest.mark.parametrize("name", MODELS)
def test_voice_models_match_torch_load(data, name):
    path = data / "models" / f"{name}.pth"
    assert_same(rvc.load_checkpoint(path), torch.load(path, map_location="cpu"))


@pytest.mark.parametrize("protocol", [2, 3, 4, 5])
def test_every_dtype_view_and_container_matches_torch(tmp_path, protocol):
    base = torch.arange(24, dtype=torch.float32).reshape(2, 3, 4) * 0.25 - 1
    obj = {
        "dtypes": {str(d): (base * 4).to(d) for d in (torch.float16, torch.bfloat16, torch.float32, torch.float64,
                                                      torch.int64, torch.int32, torch.int16, torch.int8)},
        "uint8": torch.arange(200, dtype=torch.uint8),
        "bool": torch.tensor([True, False, True]),
        "transposed": base.transpose(0, 2),
        "sliced": torch.arange(50.0)[5:45:4],
        "expanded": torch.arange(3.0).expand(4, 3),  # stride 0
        "nested": [1, -(2 ** 40), 2.5, "声音", None, True, b"\x00\x01", (1, (2, [3]))],
        "ns": argparse.Namespace(lr=0.1, sizes=[1, 2]),
        "ordered": collections.OrderedDict([("z", 1), ("a", 2)]),
    }
    path = tmp_path / "all (kinds).pt"
    torch.save(obj, path, pickle_protocol=protocol)
    assert_same(rvc.load_checkpoint(path), torch.load(path))


def test_fairseq_checkpoint_keeps_its_dictionary_as_data(data):
    ckpt = rvc.load_checkpoint(data / "models" / "hubert_base.pt")
    assert ckpt["cfg"]["model"]["encoder_layers"] == 12
    assert ckpt["model"]["label_embs_concat"].shape == (504, 256)
    assert ckpt["model"]["label_embs_concat"].dtype == np.float16
    found = []

    def walk(value):
        if isinstance(value, rvc.OpaqueObject):
            found.append(value.cls)
        elif isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, (list, tuple)):
            for v in value:
                walk(v)

    walk(ckpt["task_state"])
    assert "fairseq.data.dictionary.Dictionary" in found


def test_damaged_files_raise_with_the_path(tmp_path, data):
    raw = (data / "models" / "v2_f0_40k.pth").read_bytes()
    cut = tmp_path / "cut model.pth"
    cut.write_bytes(raw[: len(raw) // 2])
    with pytest.raises(rvc.CorruptFileError, match="cut model.pth"):
        rvc.load_checkpoint(cut)
    with pytest.raises(rvc.RvcFileNotFoundError):
        rvc.load_checkpoint(tmp_path / "absent.pth")


def test_model_info(data, tmp_path):
    info = rvc.read_model_info(data / "models" / "v2_f0_48k.pth")
    assert info["version"] == "v2" and info["f0"] == 1 and info["sample_rate_hz"] == 48000
    assert info["config"]["upsample_rates"] == [12, 10, 2, 2]
    training = tmp_path / "G_100.pth"
    torch.save({"model": {"w": torch.zeros(2)}, "iteration": 100, "optimizer": {}, "learning_rate": 1e-4}, training)
    with pytest.raises(rvc.WrongModelKindError, match="training checkpoint"):
        rvc.read_model_info(training)
