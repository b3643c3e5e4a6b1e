"""rvc.Index against the index RVC built (fixtures/index), with Python's faiss as the oracle for
the files rvc writes."""
import warnings

import numpy as np
import pytest

import rvc

with warnings.catch_warnings():  # Debian's faiss 1.7.3 still imports distutils
    warnings.simplefilter("ignore", DeprecationWarning)
    import faiss

ADDED = "added_IVF17_Flat_nprobe_1_fixture_v2.index"
TRAINED = "trained_IVF17_Flat_nprobe_1_fixture_v2.index"


def big_npy(data):
    return np.load(data / "index" / "features.npy")[np.load(data / "index" / "permutation.npy")]


def test_index_rvc_built_searches_and_blends_like_rvc(data):
    index = rvc.Index(data / "index" / ADDED, expected_dim=768)
    assert (index.dim, index.ntotal, index.nlist, index.nprobe) == (768, 681, 17, 1)
    assert index.description == "IVF17,Flat"
    np.testing.assert_array_equal(index.vectors, big_npy(data))
    assert not index.vectors.flags.writeable

    queries = np.load(data / "index" / "queries.npy")
    distances, ids = index.search(queries, k=8)
    np.testing.assert_array_equal(ids, np.load(data / "index" / "search_ids.npy"))
    np.testing.assert_allclose(distances, np.load(data / "index" / "search_distances.npy"), rtol=1e-4)
    blended = index.blend(queries, index_rate=0.75)
    assert blended.dtype == np.float32 and blended.shape == queries.shape
    assert np.max(np.abs(blended - np.load(data / "index" / "blended_0.75.npy"))) <= 1e-4
    np.testing.assert_array_equal(index.blend(queries[None], index_rate=0.75), blended)


def test_wrong_index_files_say_what_to_use(data, tmp_path):
    with pytest.raises(rvc.WrongModelKindError, match="added_"):
        rvc.Index(data / "index" / TRAINED)
    with pytest.raises(rvc.InvalidArgumentError, match="256-d"):
        rvc.Index(data / "index" / ADDED, expected_dim=256)
    with pytest.raises(rvc.WrongModelKindError, match="voice model"):
        rvc.Index(data / "models" / "v2_f0_40k.pth")
    cut = tmp_path / "截断 (cut).index"
    cut.write_bytes((data / "index" / ADDED).read_bytes()[:5000])
    with pytest.raises(rvc.CorruptFileError, match="truncated"):
        rvc.Index(cut)


def test_built_index_is_rvcs_file_and_python_faiss_reads_it(data, tmp_path):
    out = tmp_path / "logs" / "声音 (v2)"
    report = rvc.Index.build(big_npy(data), out, name="fixture", shuffle=False)
    assert report["num_lists"] == 17 and report["num_vectors"] == 681 and not report["reduced"]
    assert report["added_path"].endswith(ADDED)
    assert open(report["added_path"], "rb").read() == (data / "index" / ADDED).read_bytes()

    # faiss's own reader on bytes (its file opening is what fails on some platforms' paths).
    ours = faiss.deserialize_index(np.fromfile(report["added_path"], dtype=np.uint8))
    assert (ours.ntotal, faiss.extract_index_ivf(ours).nlist, faiss.extract_index_ivf(ours).nprobe) == (681, 17, 1)
    assert faiss.read_index(report["added_path"]).ntotal == 681
    trained = faiss.deserialize_index(np.fromfile(report["trained_path"], dtype=np.uint8))
    assert trained.ntotal == 0 and trained.is_trained


def test_shuffled_and_reduced_builds_read_back_in_python_faiss(data, tmp_path):
    rng = np.random.default_rng(3)
    features = (rng.normal(size=(3000, 256)) + 5 * rng.normal(size=(30, 256))[rng.integers(0, 30, 3000)])
    features = features.astype(np.float32)
    experiment = tmp_path / "logs" / "my voice"
    (experiment / "3_feature256").mkdir(parents=True)
    np.save(experiment / "3_feature256" / "0_0.npy", features[:1000])
    np.save(experiment / "3_feature256" / "0_1.npy", features[1000:])

    stages = []
    report = rvc.Index.build(experiment, reduce_above_rows=2000, reduced_rows=300, seed=5,
                             progress=lambda stage, fraction: stages.append(stage))
    assert report["added_path"] == str(experiment / "added_IVF7_Flat_nprobe_1_my voice_v1.index")
    assert report["reduced"] and report["input_rows"] == 3000 and report["num_vectors"] == 300
    assert stages[0] == "shuffling" and stages[-1] == "writing"
    index = faiss.deserialize_index(np.fromfile(report["added_path"], dtype=np.uint8))
    ivf = faiss.extract_index_ivf(index)
    assert (index.ntotal, index.d, ivf.nlist, ivf.nprobe) == (300, 256, 7, 1)
    ours = rvc.Index(report["added_path"])
    np.testing.assert_array_equal(index.reconstruct_n(0, index.ntotal), ours.vectors)
    queries = features[::97]
    faiss_distances, faiss_ids = index.search(queries, 8)
    distances, ids = ours.search(queries)
    np.testing.assert_array_equal(ids, faiss_ids)
    np.testing.assert_allclose(distances, faiss_distances, rtol=1e-5)


def test_build_can_be_cancelled_and_callback_errors_surface(tmp_path):
    features = np.random.default_rng(1).normal(size=(500, 768)).astype(np.float32)
    with pytest.raises(rvc.CancelledError):
        rvc.Index.build(features, tmp_path / "a", progress=lambda stage, fraction: stage != "training")
    assert not any(p.name.startswith("added_") for p in (tmp_path / "a").iterdir())

    def broken(stage, fraction):
        raise KeyError("from the callback")

    with pytest.raises(KeyError, match="from the callback"):
        rvc.Index.build(features, tmp_path / "b", progress=broken)
    with pytest.raises(rvc.InvalidArgumentError, match="v2"):
        rvc.Index.build(features, tmp_path / "c", version="v1")
    with pytest.raises(rvc.InvalidArgumentError, match="extract features first"):
        (tmp_path / "empty").mkdir()
        rvc.Index.build(tmp_path / "empty")
