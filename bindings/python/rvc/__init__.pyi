import os
from typing import Any, Callable, Literal, Tuple, Union

import numpy as np
import numpy.typing as npt

from . import f0 as f0
from ._errors import (BufferTooSmallError, CancelledError, CorruptFileError, InternalError, InvalidArgumentError,
                      InvalidAudioError, RvcError, RvcFileNotFoundError, RvcIOError,
                      RvcMemoryError, UnsupportedError, WrongModelKindError)

__version__: str
_Path = Union[str, os.PathLike]

class OpaqueObject:
    cls: str
    args: tuple
    state: Any
    def __init__(self, cls: str, args: tuple, state: Any) -> None: ...

def load_audio(path: _Path, sr: int | None = ...) -> Tuple[npt.NDArray[np.float32], int]: ...
def save_audio(path: _Path, audio: npt.ArrayLike, sr: int,
               encoding: Literal["auto", "pcm16", "pcm24", "float", "float32"] = ...) -> None: ...
def load_checkpoint(path: _Path) -> Any: ...
def read_model_info(path: _Path) -> dict: ...
def inspect_file(path: _Path) -> dict: ...
def set_model_info(path: _Path, info: str, output: _Path | None = ...) -> dict: ...
def extract_model(checkpoint: _Path, output: _Path, sr: str | None = ..., f0: int | None = ...,
                  version: str | None = ..., info: str | None = ...) -> dict: ...
def merge_models(a: _Path, b: _Path, output: _Path, alpha: float = ..., info: str | None = ...,
                 sr: str | None = ..., f0: int | None = ..., version: str | None = ...) -> dict: ...
def bundle(model: _Path, output: _Path, index: _Path | None = ..., name: str | None = ...) -> dict: ...
def unbundle(bundle: _Path, output_dir: _Path | None = ..., overwrite: bool = ...) -> dict: ...
def list_models(folder: _Path) -> list[dict]: ...

class Synthesizer:
    sample_rate: int
    hop_samples: int
    feature_dim: int
    has_pitch: bool
    num_speakers: int
    def __init__(self, path: _Path, device: str = ...,
                 precision: Literal["auto", "fp32", "float32", "fp16", "float16", "bf16", "bfloat16"] = ...) -> None: ...
    def infer(self, features: npt.ArrayLike, pitch: npt.ArrayLike | None = ..., pitchf: npt.ArrayLike | None = ...,
              speaker_id: int = ..., noise_scale: float = ..., seed: int | None = ..., zero_noise: bool = ...,
              skip_head: int = ..., return_length: int | None = ...,
              return_length2: int | None = ...) -> npt.NDArray[np.float32]: ...

class ContentEncoder:
    def __init__(self, path: _Path, device: str = ...,
                 precision: Literal["auto", "fp32", "float32", "fp16", "float16", "bf16", "bfloat16"] = ...) -> None: ...
    def feature_dim(self, version: Literal["v1", "v2"] = ...) -> int: ...
    def extract(self, audio: npt.ArrayLike, version: Literal["v1", "v2"] = ...,
                sample_rate: int = ...) -> npt.NDArray[np.float32]: ...

class Index:
    dim: int
    ntotal: int
    nlist: int
    nprobe: int
    description: str
    vectors: npt.NDArray[np.float32]
    def __init__(self, path: _Path, expected_dim: int = ..., nprobe: int = ...) -> None: ...
    def search(self, queries: npt.ArrayLike,
               k: int = ...) -> Tuple[npt.NDArray[np.float32], npt.NDArray[np.int64]]: ...
    def blend(self, features: npt.ArrayLike, index_rate: float = ..., k: int = ...) -> npt.NDArray[np.float32]: ...
    @staticmethod
    def build(features: Union[_Path, npt.ArrayLike], output_dir: _Path | None = ..., name: str | None = ...,
              version: Literal["v1", "v2"] | None = ..., shuffle: bool = ..., seed: int = ...,
              reduce_above_rows: int = ..., reduced_rows: int = ...,
              progress: Callable[[str, float], bool | None] | None = ...) -> dict: ...

_F0Method = Literal["pm", "harvest", "dio", "rmvpe", "fcpe"]

class Engine:
    sample_rate: int
    has_pitch: bool
    num_speakers: int
    description: str
    def __init__(self, model: _Path, index: _Path | None = ..., hubert: _Path | None = ..., rmvpe: _Path | None = ...,
                 fcpe: _Path | None = ..., assets: _Path | None = ..., device: str = ..., is_half: bool = ...,
                 chunking: Literal["auto", "fp32", "fp16", "low_memory"] = ..., threads: int = ...,
                 bundled_index: bool = ...) -> None: ...
    def convert(self, audio: npt.ArrayLike, sr: int, f0_up_key: float = ..., f0_method: _F0Method = ...,
                index_rate: float = ..., filter_radius: int = ..., rms_mix_rate: float = ..., protect: float = ...,
                resample_sr: int = ..., speaker_id: int = ..., f0_file: _Path | None = ..., noise_scale: float = ...,
                seed: int | None = ..., zero_noise: bool = ..., compat: Literal["classic", "2026"] = ...,
                progress: Callable[[str, float], bool | None] | None = ...) -> Tuple[npt.NDArray[np.float32], int]: ...
    def convert_file(self, src: _Path, dst: _Path, f0_up_key: float = ..., f0_method: _F0Method = ...,
                     index_rate: float = ..., filter_radius: int = ..., rms_mix_rate: float = ...,
                     protect: float = ..., resample_sr: int = ..., speaker_id: int = ..., f0_file: _Path | None = ...,
                     noise_scale: float = ..., seed: int | None = ..., zero_noise: bool = ...,
                     compat: Literal["classic", "2026"] = ...,
                     progress: Callable[[str, float], bool | None] | None = ...,
                     encoding: Literal["auto", "pcm16", "pcm24", "float", "float32"] = ...) -> dict: ...
