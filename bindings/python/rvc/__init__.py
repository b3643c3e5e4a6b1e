"""rvc: Retrieval-based Voice Conversion as a library.

Reads the files RVC users have (voice models, checkpoints, audio) with no PyTorch at run time.
Every function raises an rvc.RvcError subclass whose message names the file and what to do.
"""
import os as _os

from . import _rvc, f0
from ._options import precision_id
from ._errors import (BufferTooSmallError, CancelledError, CorruptFileError, InternalError, InvalidArgumentError,
                      InvalidAudioError, RvcError, RvcFileNotFoundError, RvcIOError,
                      RvcMemoryError, UnsupportedError, WrongModelKindError)

__version__ = _rvc.__version__

_ENCODINGS = {"auto": 0, "pcm16": 1, "pcm24": 2, "float": 3, "float32": 3}


class OpaqueObject:
    """An instance of a class rvc does not interpret (argparse.Namespace, fairseq's Dictionary,
    ...), kept as data: nothing from the file is ever imported or executed."""

    __slots__ = ("cls", "args", "state")

    def __init__(self, cls, args, state):
        self.cls = cls        # "module.Class"
        self.args = args      # tuple of constructor arguments
        self.state = state    # what pickle's BUILD gave it (often a dict), or None

    def __repr__(self):
        return f"OpaqueObject({self.cls!r}, args={self.args!r}, state={self.state!r})"


def load_audio(path, sr=None):
    """Reads an audio file (WAV, FLAC, OGG, MP3, ...) as mono float32.

    Returns (samples, sample_rate). With `sr`, resamples to it (soxr, high quality). The array is
    read-only and shares memory with the library (no copy).
    """
    return _rvc.load_audio(_os.fspath(path), int(sr or 0))


def save_audio(path, audio, sr, encoding="auto"):
    """Writes mono samples to .wav, .flac or .ogg (by extension), atomically.

    `encoding`: "auto" (16-bit PCM, Vorbis for .ogg), "pcm16", "pcm24" or "float" (.wav only).
    """
    if encoding not in _ENCODINGS:
        raise InvalidArgumentError(f"save_audio: unknown encoding {encoding!r}; use one of {sorted(_ENCODINGS)}")
    _rvc.save_audio(_os.fspath(path), audio, int(sr), _ENCODINGS[encoding])


def load_checkpoint(path):
    """Reads a torch.save file into dicts, lists, tuples, scalars and numpy arrays, without torch.

    bfloat16 tensors become float32 arrays (numpy has no bfloat16); unknown classes become
    OpaqueObject values.
    """
    return _rvc.load_checkpoint(_os.fspath(path))


class Synthesizer(_rvc.Synthesizer):
    """One voice model (weights/<name>.pth): content features and pitch in, audio out.

    infer(features [frames, 256|768], pitch=None (coarse 1..255), pitchf=None (Hz), speaker_id=0,
          noise_scale=0.66666, seed=None, zero_noise=False, skip_head=0, return_length=None,
          return_length2=None) -> float32 array of frames * hop_samples at sample_rate.
    """

    def __init__(self, path, device="cpu", precision="auto"):
        super().__init__(_os.fspath(path), device, precision_id(precision, "Synthesizer"))


class ContentEncoder(_rvc.ContentEncoder):
    """HuBERT/ContentVec: hubert_base.pt (fairseq) or the assets/hubert_base folder (Hugging Face).

    extract(audio [samples] at 16 kHz, version="v2", sample_rate=16000) -> float32 array
    [frames, dim]: "v1" = layer 9 through final_proj (256-d), "v2" = last layer (768-d);
    frames = (samples - 400) // 320 + 1. feature_dim(version) gives dim.
    """

    def __init__(self, path, device="cpu", precision="auto"):
        super().__init__(_os.fspath(path), device, precision_id(precision, "ContentEncoder"))


class Index(_rvc.Index):
    """RVC's retrieval index (added_IVF<n>_Flat_nprobe_1_<name>_<v1|v2>.index), any UTF-8 path.

    Index(path, expected_dim=0, nprobe=0): expected_dim (256 for v1 models, 768 for v2) refuses an
    index of another width; nprobe 0 keeps the file's (RVC's 1).
    Properties: dim, ntotal, nlist, nprobe, description ("IVF256,Flat"), vectors (read-only
    [ntotal, dim] float32, RVC's big_npy).
    search(queries [rows, dim], k=8) -> (distances float32 [rows, k], ids int64 [rows, k]).
    blend(features [frames, dim], index_rate=0.75, k=8) -> float32 [frames, dim]: RVC's
    index_rate * sum(w * neighbours) + (1 - index_rate) * features with w = (1/d)^2 normalised.
    """

    def __init__(self, path, expected_dim=0, nprobe=0):
        super().__init__(_os.fspath(path), int(expected_dim), int(nprobe))

    @staticmethod
    def build(features, output_dir=None, name=None, version=None, shuffle=True, seed=0,
              reduce_above_rows=0, reduced_rows=0, progress=None):
        """Builds an index RVC's way and returns a dict (added_path, trained_path, input_rows,
        num_vectors, num_lists, reduced, seconds).

        `features`: a [rows, 256|768] array, or a path (a .npy file, logs/<exp>/3_feature768 or
        logs/<exp>). Without output_dir, a path build writes into the experiment folder. `name`
        defaults to the experiment folder's name ("voice" for arrays); `version` to the width's.
        Above `reduce_above_rows` rows (0: 200000) k-means reduces to `reduced_rows` (0: 10000).
        `progress(stage, fraction)` may return False to cancel (rvc.CancelledError).
        """
        return _rvc.build_index(features, output_dir, name, version, bool(shuffle), int(seed),
                                int(reduce_above_rows), int(reduced_rows), progress)


_COMPATS = {"classic": 0, "2026": 1}
_CHUNKINGS = {"auto": 0, "fp32": 1, "fp16": 2, "low_memory": 3}


def _convert_kwargs(who, f0_up_key, f0_method, index_rate, filter_radius, rms_mix_rate, protect, resample_sr,
                    speaker_id, f0_file, noise_scale, seed, zero_noise, compat, progress):
    if compat not in _COMPATS:
        raise InvalidArgumentError(f"{who}: unknown compat {compat!r}; use 'classic' (RVC 2023-2024) or '2026'")
    return dict(f0_up_key=float(f0_up_key), f0_method=str(f0_method), index_rate=float(index_rate),
                filter_radius=int(filter_radius), rms_mix_rate=float(rms_mix_rate), protect=float(protect),
                resample_sr=int(resample_sr), speaker_id=int(speaker_id),
                f0_file=None if f0_file is None else _os.fspath(f0_file), noise_scale=float(noise_scale),
                seed=None if seed is None else int(seed), zero_noise=bool(zero_noise), compat=_COMPATS[compat],
                progress=progress)


class Engine(_rvc.Engine):
    """A voice model with its content encoder, pitch estimators and optional index, loaded once;
    converts any number of inputs the way RVC's offline converter does. Share it between threads:
    conversions release the GIL.

    Engine(model, index=None, hubert=None, rmvpe=None, fcpe=None, assets=None, device="cpu",
           is_half=False, chunking="auto", threads=0, bundled_index=True)
    model may be a voice bundle (.rvcz); its index is used unless `index` is given or
    bundled_index is False.
    hubert/rmvpe/fcpe default to RVC's layout under `assets` (or $RVC_ASSETS, or ./assets):
    hubert/hubert_base.pt, rmvpe/rmvpe.pt, fcpe/fcpe.pt. is_half runs fp16 on CUDA (ignored on the
    CPU, as RVC does). chunking:
    "auto", "fp32", "fp16" or "low_memory" (RVC's x_pad/x_query/x_center/x_max presets). threads:
    CPU threads of the networks, process-wide (0: one per logical core).
    Properties: sample_rate, has_pitch, num_speakers, description.
    """

    def __init__(self, model, index=None, hubert=None, rmvpe=None, fcpe=None, assets=None, device="cpu",
                 is_half=False, chunking="auto", threads=0, bundled_index=True):
        if chunking not in _CHUNKINGS:
            raise InvalidArgumentError(f"Engine: unknown chunking {chunking!r}; use one of {sorted(_CHUNKINGS)}")
        paths = [None if p is None else _os.fspath(p) for p in (index, hubert, rmvpe, fcpe, assets)]
        super().__init__(_os.fspath(model), *paths, device, precision_id("fp16" if is_half and str(device).startswith("cuda") else "auto", "Engine"),
                         _CHUNKINGS[chunking], int(threads), bool(bundled_index))

    def convert(self, audio, sr, f0_up_key=0, f0_method="rmvpe", index_rate=0.75, filter_radius=3,
                rms_mix_rate=0.25, protect=0.33, resample_sr=0, speaker_id=0, f0_file=None, noise_scale=0.66666,
                seed=None, zero_noise=False, compat="classic", progress=None):
        """Converts mono float audio at rate `sr` (any rate) -> (float32 array, output rate).
        Parameters have RVC's names and WebUI defaults. seed makes the noise reproducible;
        zero_noise removes it (parity mode). compat: "classic" (RVC 2023-2024: unvoiced f0 stays 0,
        so protect acts) or "2026" (RVC main: unvoiced f0 interpolated). progress(stage, fraction)
        may return False to cancel (rvc.CancelledError).
        """
        return super().convert(audio, int(sr), **_convert_kwargs(
            "Engine.convert", f0_up_key, f0_method, index_rate, filter_radius, rms_mix_rate, protect, resample_sr,
            speaker_id, f0_file, noise_scale, seed, zero_noise, compat, progress))

    def convert_file(self, src, dst, f0_up_key=0, f0_method="rmvpe", index_rate=0.75, filter_radius=3,
                     rms_mix_rate=0.25, protect=0.33, resample_sr=0, speaker_id=0, f0_file=None,
                     noise_scale=0.66666, seed=None, zero_noise=False, compat="classic", progress=None,
                     encoding="auto"):
        """Reads `src` (any audio format), converts it and writes `dst` atomically (.wav, .flac,
        .ogg); 16-bit files hold RVC's exact samples. Returns a dict of timings and sizes."""
        if encoding not in _ENCODINGS:
            raise InvalidArgumentError(f"convert_file: unknown encoding {encoding!r}; use one of {sorted(_ENCODINGS)}")
        return super().convert_file(_os.fspath(src), _os.fspath(dst), _ENCODINGS[encoding], **_convert_kwargs(
            "Engine.convert_file", f0_up_key, f0_method, index_rate, filter_radius, rms_mix_rate, protect,
            resample_sr, speaker_id, f0_file, noise_scale, seed, zero_noise, compat, progress))


def read_model_info(path):
    """A voice model's metadata as a dict: version, f0, sr, sample_rate_hz, info, config, ..."""
    return _rvc.read_model_info(_os.fspath(path))


def inspect_file(path):
    """What any RVC file is and what to do with it, as a dict: path, kind ("voice model", "voice
    bundle", "generator checkpoint", "discriminator checkpoint", "content encoder", "pitch model",
    "index", "trained index", "unknown"), the facts of that kind (version, sample_rate_hz, f0, info,
    speakers, parameters, epoch, extractable, dim, ntotal, nlist, ...), advice, and summary (text)."""
    return _rvc.inspect_file(_os.fspath(path))


def _flag(value):
    return -1 if value is None else int(bool(int(value)))


def set_model_info(path, info, output=None):
    """Sets a voice model's (or bundle's) info text, keeping everything else; rewrites `path`
    atomically unless `output` is given. Returns the new metadata (as read_model_info)."""
    return _rvc.set_model_info(_os.fspath(path), str(info), None if output is None else _os.fspath(output))


def extract_model(checkpoint, output, sr=None, f0=None, version=None, info=None):
    """Makes a voice model from a training checkpoint G_*.pth as RVC's "extract small model" does.
    sr ("32k"/"40k"/"48k"), f0 (1/0) and version ("v1"/"v2") default to the experiment folder's
    config.json / train.log, else to what the weights show; info defaults to "Extracted model.".
    Returns the new model's metadata."""
    return _rvc.extract_model(_os.fspath(checkpoint), _os.fspath(output), sr, _flag(f0), version, info)


def merge_models(a, b, output, alpha=0.5, info=None, sr=None, f0=None, version=None):
    """RVC's weighted merge: alpha * A + (1 - alpha) * B, stored fp16. A is a voice model or
    bundle (its config is kept), B may also be a G_*.pth. Models of different architecture are
    refused. Returns the new model's metadata."""
    return _rvc.merge_models(_os.fspath(a), _os.fspath(b), _os.fspath(output), float(alpha), info, sr, _flag(f0),
                             version)


def bundle(model, output, index=None, name=None):
    """Packs a voice model and its index into one .rvcz file (both unchanged, plus a manifest with
    version, rate, pitch flag and SHA-256 checksums). Returns inspect_file() of the bundle."""
    return _rvc.bundle(_os.fspath(model), _os.fspath(output), None if index is None else _os.fspath(index), name)


def unbundle(bundle, output_dir=None, overwrite=False):
    """Writes a bundle's model and index (checksum-verified) into `output_dir` under their original
    names. Returns {"model_path", "index_path" (or None), "manifest"}."""
    return _rvc.unbundle(_os.fspath(bundle), None if output_dir is None else _os.fspath(output_dir), bool(overwrite))


def list_models(folder):
    """The voice models and bundles under `folder` (recursively, sorted by path), each a dict:
    path, name, bundle (bool), index (the matching added_*.index, the bundle itself, or ""), model
    (its metadata)."""
    return _rvc.list_models(_os.fspath(folder))["models"]


__all__ = [
    "__version__", "f0", "OpaqueObject", "Synthesizer", "ContentEncoder", "Index", "Engine", "load_audio", "save_audio", "load_checkpoint", "read_model_info",
    "inspect_file", "set_model_info", "extract_model", "merge_models", "bundle", "unbundle", "list_models",
    "RvcError", "InvalidArgumentError", "RvcFileNotFoundError", "RvcIOError", "CorruptFileError",
    "UnsupportedError", "InvalidAudioError", "BufferTooSmallError", "RvcMemoryError",
    "InternalError", "WrongModelKindError", "CancelledError",
]
