import os
from typing import Any, Literal, Tuple, Union

import numpy as np
import numpy.typing as npt

from ._errors import (BufferTooSmallError, CorruptFileError, InternalError, InvalidArgumentError,
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
