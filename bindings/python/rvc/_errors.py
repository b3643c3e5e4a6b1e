"""Exceptions raised by rvc: one per C status code, all subclasses of RvcError."""


class RvcError(Exception):
    """A failure reported by the rvc library; the message names the file or parameter and the fix."""

    status = 9
    status_name = "internal error"


class InvalidArgumentError(RvcError, ValueError):
    status, status_name = 1, "invalid argument"


class RvcFileNotFoundError(RvcError, FileNotFoundError):
    status, status_name = 2, "file not found"


class RvcIOError(RvcError, OSError):
    status, status_name = 3, "i/o error"


class CorruptFileError(RvcError, ValueError):
    status, status_name = 4, "corrupt file"


class UnsupportedError(RvcError, NotImplementedError):
    status, status_name = 5, "unsupported"


class InvalidAudioError(RvcError, ValueError):
    status, status_name = 6, "invalid audio"


class BufferTooSmallError(RvcError, ValueError):
    status, status_name = 7, "buffer too small"


class RvcMemoryError(RvcError, MemoryError):
    status, status_name = 8, "out of memory"


class InternalError(RvcError):
    status, status_name = 9, "internal error"


class WrongModelKindError(RvcError, ValueError):
    status, status_name = 10, "wrong model kind"


class CancelledError(RvcError):
    status, status_name = 11, "cancelled"


_BY_STATUS = {cls.status: cls for cls in (
    InvalidArgumentError, RvcFileNotFoundError, RvcIOError, CorruptFileError, UnsupportedError,
    InvalidAudioError, BufferTooSmallError, RvcMemoryError, InternalError, WrongModelKindError,
    CancelledError)}


def error_for_status(status, message):
    """The exception instance for a C status code (used by the native module)."""
    return _BY_STATUS.get(status, RvcError)(message)
