"""Model tools (info, extract, merge, bundle, list) against RVC's own process_ckpt logic, run here
in PyTorch as the oracle: what rvc writes must load in torch with the same keys, order, dtypes and
values that RVC's tools give for the same inputs."""
import hashlib
import json
import shutil
import zipfile
from collections import OrderedDict

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import rvc  # noqa: E402

INDEX = "added_IVF17_Flat_nprobe_1_fixture_v2.index"

# RVC's extract_small_model config table (infer/lib/train/process_ckpt.py, spec 1.3).
_COMMON = [192, 192, 768, 2, 6, 3, 0, "1", [3, 7, 11], [[1, 3, 5], [1, 3, 5], [1, 3, 5]]]
RVC_TABLE = {
    ("40k", "v1"): [1025, 32] + _COMMON + [[10, 10, 2, 2], 512, [16, 16, 4, 4], 109, 256, 40000],
    ("40k", "v2"): [1025, 32] + _COMMON + [[10, 10, 2, 2], 512, [16, 16, 4, 4], 109, 256, 40000],
    ("48k", "v1"): [1025, 32] + _COMMON + [[10, 6, 2, 2, 2], 512, [16, 16, 4, 4, 4], 109, 256, 48000],
    ("48k", "v2"): [1025, 32] + _COMMON + [[12, 10, 2, 2], 512, [24, 20, 4, 4], 109, 256, 48000],
    ("32k", "v1"): [513, 32] + _COMMON + [[10, 4, 2, 2, 2], 512, [16, 16, 4, 4, 4], 109, 256, 32000],
    ("32k", "v2"): [513, 32] + _COMMON + [[10, 8, 2, 2], 512, [20, 16, 4, 4], 109, 256, 32000],
}


def rvc_extract_small_model(path, sr, if_f0, info, version, config=None):
    """RVC's extract_small_model; `config` replaces the table by savee's list built from hps."""
    ckpt = torch.load(path, map_location="cpu")
    if "model" in ckpt:
        ckpt = ckpt["model"]
    opt = OrderedDict()
    opt["weight"] = {}
    for key in ckpt.keys():
        if "enc_q" in key:
            continue
        opt["weight"][key] = ckpt[key].half()
    opt["config"] = config if config is not None else RVC_TABLE[(sr, version)]
    opt["info"] = info or "Extracted model."
    opt["version"] = version
    opt["sr"] = sr
    opt["f0"] = int(if_f0)
    return opt


def rvc_merge(path1, path2, alpha1, sr, f0, info, version):
    """RVC's merge (process_ckpt.merge)."""
    def extract(ckpt):
        return {k: v for k, v in ckpt["model"].items() if "enc_q" not in k}

    ckpt1 = torch.load(path1, map_location="cpu")
    ckpt2 = torch.load(path2, map_location="cpu")
    cfg = ckpt1["config"]
    ckpt1 = extract(ckpt1) if "model" in ckpt1 else ckpt1["weight"]
    ckpt2 = extract(ckpt2) if "model" in ckpt2 else ckpt2["weight"]
    assert sorted(ckpt1.keys()) == sorted(ckpt2.keys())
    opt = OrderedDict()
    opt["weight"] = {}
    for key in ckpt1.keys():
        if key == "emb_g.weight" and ckpt1[key].shape != ckpt2[key].shape:
            n = min(ckpt1[key].shape[0], ckpt2[key].shape[0])
            opt["weight"][key] = (alpha1 * (ckpt1[key][:n].float()) + (1 - alpha1) * (ckpt2[key][:n].float())).half()
        else:
            opt["weight"][key] = (alpha1 * (ckpt1[key].float()) + (1 - alpha1) * (ckpt2[key].float())).half()
    opt["config"] = cfg
    opt["sr"] = sr
    opt["f0"] = f0
    opt["version"] = version
    opt["info"] = info
    return opt


def assert_same_checkpoint(ours_path, expected):
    ours = torch.load(ours_path, map_location="cpu", weights_only=True)
    assert list(ours.keys()) == list(expected.keys())
    for key, value in expected.items():
        if key == "weight":
            assert list(ours["weight"].keys()) == list(value.keys())
            for name, tensor in value.items():
                got = ours["weight"][name]
                assert got.dtype == tensor.dtype, name
                assert got.shape == tensor.shape, name
                assert torch.equal(got, tensor), name
        else:
            assert ours[key] == value, key
            assert type_tree(ours[key]) == type_tree(value), key


def type_tree(value):
    """The Python types of a value and of everything inside it (0 and 0.0 compare equal, but RVC
    writes an int)."""
    if isinstance(value, (list, tuple)):
        return (type(value), [type_tree(item) for item in value])
    return type(value)


def write_training_checkpoint(path, voice_model, seed=0, iteration=12):
    """A G_*.pth as RVC's trainer saves it, made from a voice model's weights: fp32 values that are
    not fp16-representable, plus a posterior encoder (enc_q) that extraction must drop."""
    small = torch.load(voice_model, map_location="cpu")
    generator = torch.Generator().manual_seed(seed)
    state = OrderedDict()
    hidden = small["weight"]["enc_p.emb_phone.weight"].shape[0]
    spec_channels = small["config"][0]
    state["enc_q.pre.weight"] = torch.randn(hidden, spec_channels, 1, generator=generator)
    state["enc_q.pre.bias"] = torch.randn(hidden, generator=generator)
    for key, tensor in small["weight"].items():
        state[key] = tensor.float() + 1e-4 * torch.randn(tensor.shape, generator=generator)
    torch.save({"model": state, "iteration": iteration, "optimizer": {}, "learning_rate": 1e-4}, path)
    return small


def write_experiment_config(folder, small):
    """logs/<exp>/config.json as RVC's templates lay it out, with the fixture model's sizes."""
    c = small["config"]
    config = {
        "train": {"segment_size": 12800},
        "data": {"sampling_rate": c[17], "filter_length": (c[0] - 1) * 2, "hop_length": c[17] // 100},
        "model": {"inter_channels": c[2], "hidden_channels": c[3], "filter_channels": c[4], "n_heads": c[5],
                  "n_layers": c[6], "kernel_size": c[7], "p_dropout": c[8], "resblock": c[9],
                  "resblock_kernel_sizes": c[10], "resblock_dilation_sizes": c[11], "upsample_rates": c[12],
                  "upsample_initial_channel": c[13], "upsample_kernel_sizes": c[14], "use_spectral_norm": False,
                  "gin_channels": c[16], "spk_embed_dim": c[15]},
    }
    (folder / "config.json").write_text(json.dumps(config, indent=4, sort_keys=True) + "\n")
    savee_config = [config["data"]["filter_length"] // 2 + 1, 32] + c[2:17] + [c[17]]
    return savee_config


@pytest.fixture()
def experiment(data, tmp_path):
    folder = tmp_path / "logs" / "my voice (测试)"
    folder.mkdir(parents=True)
    small = write_training_checkpoint(folder / "G_2333333.pth", data / "models" / "v2_f0_40k.pth")
    config = write_experiment_config(folder, small)
    (folder / "train.log").write_text(
        "2024-01-01 00:00:00,000\tmy voice\tINFO\t{'train': {'log_interval': 200}, 'version': 'v2', "
        "'sample_rate': '40k', 'if_f0': 1, 'name': 'my voice'}\n")
    return folder, config


def test_extract_equals_rvc_and_reads_the_experiment_folder(experiment, tmp_path):
    folder, config = experiment
    out = tmp_path / "weights" / "my voice.pth"
    out.parent.mkdir()
    meta = rvc.extract_model(folder / "G_2333333.pth", out)
    assert (meta["version"], meta["sr"], meta["f0"], meta["info"]) == ("v2", "40k", 1, "Extracted model.")
    assert_same_checkpoint(out, rvc_extract_small_model(folder / "G_2333333.pth", "40k", 1, "", "v2", config))


def test_extract_uses_rvc_table_without_an_experiment_folder(tmp_path):
    # Only what extraction reads from the weights, in the full-size v2 48k layout (RVC's table).
    g = torch.Generator().manual_seed(1)
    state = OrderedDict()
    state["enc_p.emb_phone.weight"] = torch.randn(192, 768, generator=g)
    state["enc_p.emb_pitch.weight"] = torch.randn(256, 192, generator=g)
    state["enc_q.pre.weight"] = torch.randn(192, 1025, 1, generator=g)
    upsample_rates, kernels, channels = [12, 10, 2, 2], [24, 20, 4, 4], 512
    for i, (rate, kernel) in enumerate(zip(upsample_rates, kernels)):
        state[f"dec.ups.{i}.weight_g"] = torch.rand(channels, 1, 1, generator=g)
        state[f"dec.ups.{i}.weight_v"] = torch.randn(channels, channels // 2, kernel, generator=g)
        stride = int(np.prod(upsample_rates[i + 1:]))
        noise_kernel = 2 * stride if i + 1 < len(upsample_rates) else 1
        state[f"dec.noise_convs.{i}.weight"] = torch.randn(channels // 2, 1, noise_kernel, generator=g)
        channels //= 2
    state["emb_g.weight"] = torch.randn(109, 256, generator=g)
    torch.save({"model": state, "iteration": 3, "optimizer": {}, "learning_rate": 1e-4}, tmp_path / "G_300.pth")

    rvc.extract_model(tmp_path / "G_300.pth", tmp_path / "v.pth", info="mine")
    assert_same_checkpoint(tmp_path / "v.pth", rvc_extract_small_model(tmp_path / "G_300.pth", "48k", 1, "mine", "v2"))
    with pytest.raises(rvc.InvalidArgumentError, match="does not fit a v2 40k model"):
        rvc.extract_model(tmp_path / "G_300.pth", tmp_path / "w.pth", sr="40k")
    with pytest.raises(rvc.InvalidArgumentError, match="extract with --version v2"):
        rvc.extract_model(tmp_path / "G_300.pth", tmp_path / "w.pth", version="v1")
    with pytest.raises(rvc.InvalidArgumentError, match="extract with --f0 1"):
        rvc.extract_model(tmp_path / "G_300.pth", tmp_path / "w.pth", f0=0)
    assert not (tmp_path / "w.pth").exists()


def test_extract_refuses_other_kinds_and_says_what_they_are(data, tmp_path):
    with pytest.raises(rvc.WrongModelKindError, match="already a voice model"):
        rvc.extract_model(data / "models" / "v2_f0_40k.pth", tmp_path / "x.pth")
    torch.save({"model": {"discriminators.0.convs.0.weight": torch.zeros(1)}, "iteration": 1, "optimizer": {},
                "learning_rate": 1e-4}, tmp_path / "D_1.pth")
    with pytest.raises(rvc.WrongModelKindError, match="discriminator.*G_"):
        rvc.extract_model(tmp_path / "D_1.pth", tmp_path / "x.pth")


def test_merge_equals_rvc(data, tmp_path):
    a = data / "models" / "v2_f0_40k.pth"
    other = torch.load(a, map_location="cpu")
    g = torch.Generator().manual_seed(5)
    for key, tensor in other["weight"].items():
        other["weight"][key] = (tensor.float() * 0.5 + 0.1 * torch.randn(tensor.shape, generator=g)).half()
    other["weight"]["emb_g.weight"] = other["weight"]["emb_g.weight"][:2]  # fewer speakers: cut to 2
    torch.save(other, tmp_path / "b.pth")
    meta = rvc.merge_models(a, tmp_path / "b.pth", tmp_path / "c.pth", alpha=0.3, info="blend")
    assert meta["info"] == "blend" and meta["config"]["spk_embed_dim"] == 2
    assert_same_checkpoint(tmp_path / "c.pth", rvc_merge(a, tmp_path / "b.pth", 0.3, "40k", 1, "blend", "v2"))


def test_merge_takes_a_training_checkpoint_as_b(experiment, data, tmp_path):
    folder, _ = experiment
    a = data / "models" / "v2_f0_40k.pth"
    rvc.merge_models(a, folder / "G_2333333.pth", tmp_path / "c.pth", alpha=0.75, info="x")
    assert_same_checkpoint(tmp_path / "c.pth", rvc_merge(a, folder / "G_2333333.pth", 0.75, "40k", 1, "x", "v2"))


def test_merge_refuses_different_architectures(data, tmp_path):
    models = data / "models"
    with pytest.raises(rvc.InvalidArgumentError, match="not the same.*version v2 vs v1"):
        rvc.merge_models(models / "v2_f0_40k.pth", models / "v1_f0_40k.pth", tmp_path / "c.pth")
    with pytest.raises(rvc.InvalidArgumentError, match="pitch"):
        rvc.merge_models(models / "v2_f0_40k.pth", models / "v2_nof0_40k.pth", tmp_path / "c.pth")
    with pytest.raises(rvc.InvalidArgumentError, match="40000 vs 48000"):
        rvc.merge_models(models / "v2_f0_40k.pth", models / "v2_f0_48k.pth", tmp_path / "c.pth")
    assert not (tmp_path / "c.pth").exists()


def test_set_info_equals_rvc_change_info(data, tmp_path):
    model = tmp_path / "声音 (v2).pth"
    shutil.copy(data / "models" / "v2_f0_40k.pth", model)
    expected = torch.load(model, map_location="cpu")
    expected["info"] = "新的 info"
    meta = rvc.set_model_info(model, "新的 info")
    assert meta["info"] == "新的 info"
    assert_same_checkpoint(model, expected)


def test_bundle_round_trips_and_the_engine_uses_its_index(data, tmp_path):
    model, index = data / "models" / "v2_f0_40k.pth", data / "index" / INDEX
    report = rvc.bundle(model, tmp_path / "my voice.rvcz", index=index)
    assert report["kind"] == "voice bundle" and report["index_dim"] == 768 and report["index_vectors"] == 681
    with zipfile.ZipFile(tmp_path / "my voice.rvcz") as archive:
        manifest = json.loads(archive.read("manifest.json"))
    assert manifest["model"]["sha256"] == hashlib.sha256(model.read_bytes()).hexdigest()
    assert manifest["index"]["sha256"] == hashlib.sha256(index.read_bytes()).hexdigest()
    assert (manifest["version"], manifest["sr"], manifest["f0"]) == ("v2", "40k", 1)
    # The model inside a bundle loads in PyTorch as it is.
    with zipfile.ZipFile(tmp_path / "my voice.rvcz") as archive, archive.open("v2_f0_40k.pth") as stored:
        assert torch.load(stored, map_location="cpu")["info"] == "7epoch"

    files = rvc.unbundle(tmp_path / "my voice.rvcz", tmp_path / "out")
    assert pathlib_bytes(files["model_path"]) == model.read_bytes()
    assert pathlib_bytes(files["index_path"]) == index.read_bytes()
    with pytest.raises(rvc.InvalidArgumentError, match="exists already"):
        rvc.unbundle(tmp_path / "my voice.rvcz", tmp_path / "out")

    audio, sr = rvc.load_audio(data / "pipeline_classic" / "input.wav")
    common = dict(hubert=data / "hubert" / "hubert_base_768", rmvpe=data / "models" / "rmvpe.pt",
                  assets=data / "no assets")
    from_bundle = rvc.Engine(tmp_path / "my voice.rvcz", **common)
    from_files = rvc.Engine(model, index=index, **common)
    without_index = rvc.Engine(tmp_path / "my voice.rvcz", bundled_index=False, **common)
    assert "my voice.rvcz" in from_bundle.description
    out_bundle, _ = from_bundle.convert(audio, sr, seed=3)
    out_files, _ = from_files.convert(audio, sr, seed=3)
    out_plain, _ = without_index.convert(audio, sr, seed=3)
    assert np.array_equal(out_bundle, out_files)
    assert not np.array_equal(out_plain, out_files)


def pathlib_bytes(path):
    with open(path, "rb") as f:
        return f.read()


def test_tampered_bundles_are_refused(data, tmp_path):
    rvc.bundle(data / "models" / "v2_f0_40k.pth", tmp_path / "v.rvcz", index=data / "index" / INDEX)
    # Replace the model with another one, keeping the manifest (zip CRCs are made anew, so only the
    # manifest's SHA-256 can tell).
    with zipfile.ZipFile(tmp_path / "v.rvcz") as source, zipfile.ZipFile(tmp_path / "t.rvcz", "w") as target:
        for item in source.infolist():
            payload = source.read(item.filename)
            if item.filename == "v2_f0_40k.pth":
                payload = (data / "models" / "v1_f0_40k.pth").read_bytes()
            target.writestr(item.filename, payload)
    for action in (lambda: rvc.inspect_file(tmp_path / "t.rvcz"),
                   lambda: rvc.unbundle(tmp_path / "t.rvcz", tmp_path / "out"),
                   lambda: rvc.read_model_info(tmp_path / "t.rvcz")):
        with pytest.raises(rvc.CorruptFileError, match="does not match its manifest checksum"):
            action()
    assert not (tmp_path / "out").exists()


def test_inspect_says_what_every_file_is(experiment, data):
    folder, _ = experiment
    g = rvc.inspect_file(folder / "G_2333333.pth")
    assert (g["kind"], g["epoch"], g["extractable"], g["version"], g["sr"]) == (
        "generator checkpoint", 12, True, "v2", "40k")
    assert "rvc extract" in g["advice"]
    m = rvc.inspect_file(data / "models" / "v1_nof0_48k.pth")
    assert (m["kind"], m["version"], m["sample_rate_hz"], m["f0"], m["speakers"], m["info"]) == (
        "voice model", "v1", 48000, 0, 3, "7epoch")
    assert m["parameters"] == sum(t.numel() for t in torch.load(data / "models" / "v1_nof0_48k.pth")["weight"].values())
    i = rvc.inspect_file(data / "index" / INDEX)
    assert (i["kind"], i["dim"], i["ntotal"], i["nlist"]) == ("index", 768, 681, 17)
    assert rvc.inspect_file(data / "models" / "rmvpe.pt")["kind"] == "pitch model"
    assert rvc.inspect_file(data / "models" / "hubert_base.pt")["kind"] == "content encoder"


def test_list_models_finds_models_bundles_and_their_indexes(experiment, data, tmp_path):
    folder, _ = experiment
    weights = tmp_path / "assets" / "weights"
    weights.mkdir(parents=True)
    shutil.copy(data / "models" / "v2_f0_40k.pth", weights / "my voice (测试).pth")
    shutil.copy(data / "models" / "v2_f0_40k.pth", weights / "my voice (测试)_e10_s100.pth")
    shutil.copy(data / "models" / "v1_f0_40k.pth", weights / "other.pth")
    shutil.copy(data / "index" / INDEX, folder / "added_IVF17_Flat_nprobe_1_my voice (测试)_v2.index")
    rvc.bundle(data / "models" / "v2_f0_40k.pth", tmp_path / "shared.rvcz", index=data / "index" / INDEX)
    found = {entry["name"]: entry for entry in rvc.list_models(tmp_path)}
    assert set(found) == {"my voice (测试)", "my voice (测试)_e10_s100", "other", "shared"}
    expected_index = str(folder / "added_IVF17_Flat_nprobe_1_my voice (测试)_v2.index")
    assert found["my voice (测试)"]["index"] == expected_index
    assert found["my voice (测试)_e10_s100"]["index"] == expected_index
    assert found["other"]["index"] == ""
    assert found["shared"]["bundle"] and found["shared"]["index"] == str(tmp_path / "shared.rvcz")
    assert found["other"]["model"]["version"] == "v1"
