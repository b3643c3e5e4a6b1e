"""Option values shared by the wrappers: precision names as the C ABI's rvc_precision."""
from ._errors import InvalidArgumentError

_PRECISIONS = {"auto": 0, "fp32": 1, "float32": 1, "fp16": 2, "float16": 2, "bf16": 3, "bfloat16": 3}


def precision_id(precision, who):
    """The rvc_precision for a name ("auto", "fp32", "fp16", "bf16", ...); `who` names the caller
    in the error for any other value."""
    if precision not in _PRECISIONS:
        raise InvalidArgumentError(f"{who}: unknown precision {precision!r}; use one of {sorted(_PRECISIONS)}")
    return _PRECISIONS[precision]
