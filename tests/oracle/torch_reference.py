"""The test oracle: PyTorch (Debian's python3-torch) writes and reads checkpoints for rvc's tests.

  torch_reference.py write PATH   writes tensors of every dtype, strided views and nested values
  torch_reference.py verify FULL WEIGHTS
                                  loads files rvc wrote and checks them: FULL with every kind of
                                  value, WEIGHTS with those torch's weights-only loader accepts

Both sides compute the expected values from the same formula, element index -> value, so neither
side trusts the other's output.
"""
import argparse
import collections
import sys

import torch

DTYPES = {
    "float16": torch.float16, "bfloat16": torch.bfloat16, "float32": torch.float32,
    "float64": torch.float64, "int64": torch.int64, "int32": torch.int32, "int16": torch.int16,
    "int8": torch.int8, "uint8": torch.uint8, "bool": torch.bool,
}


def formula(dtype_name, numel):
    """Element i of a tensor of `dtype_name` (exactly representable in every dtype)."""
    i = torch.arange(numel, dtype=torch.float64)
    if dtype_name == "bool":
        return (i.long() % 3 == 1)
    if dtype_name == "uint8":
        return (i % 251).to(torch.uint8)
    if dtype_name in ("int8", "int16", "int32", "int64"):
        return (i - 12).to(DTYPES[dtype_name])
    return (i * 0.5 - 3).to(DTYPES[dtype_name])


def write(path):
    tensors = {name: formula(name, 24).reshape(2, 3, 4) for name in DTYPES}
    base = formula("float32", 24).reshape(2, 3, 4)
    views = {
        "transposed": base.transpose(0, 2),           # strides (1, 4, 12)
        "sliced": formula("float32", 100)[10:40:3],   # offset 10, stride 3
        "column": base[1, :, 2],                      # offset 14, stride 4
        "scalar": torch.tensor(7.25),
        "empty": torch.zeros(0, 5),
    }
    ns = argparse.Namespace(lr=0.0001, name="exp (声音)", layers=[1, 2])
    obj = {
        "tensors": tensors,
        "views": views,
        "nested": [1, -2, 3.5, "utf8 声音", None, True, False, b"\x00\xffraw", (1, 2, 3)],
        "big": 2 ** 40,
        "negative": -(2 ** 40),
        "namespace": ns,
        "ordered": collections.OrderedDict([("b", 1), ("a", 2)]),
        "parameter": torch.nn.Parameter(formula("float32", 6).reshape(2, 3)),
    }
    torch.save(obj, path)


def check(condition, message):
    if not condition:
        print("MISMATCH:", message)
        sys.exit(1)


def check_tensors(obj):
    for name in DTYPES:
        t = obj["tensors"][name]
        check(t.dtype == DTYPES[name], f"{name}: dtype {t.dtype}")
        check(list(t.shape) == [2, 3, 4], f"{name}: shape {list(t.shape)}")
        check(torch.equal(t.reshape(-1), formula(name, 24)), f"{name}: values")
    view = obj["views"]["transposed"]
    check(list(view.shape) == [4, 3, 2], "transposed shape")
    check(torch.equal(view, formula("float32", 24).reshape(2, 3, 4).transpose(0, 2)), "transposed values")
    check(obj["empty"].shape == (0, 5), "empty tensor")
    check(obj["big"] == 2 ** 40 and obj["negative"] == -(2 ** 40), "64-bit ints")


def weights_only_reads_floats():
    """torch 1.13's weights-only unpickler has no BINFLOAT opcode: floats fail there whoever wrote them."""
    import io
    buffer = io.BytesIO()
    torch.save({"f": 0.5}, buffer)
    buffer.seek(0)
    try:
        torch.load(buffer, weights_only=True)
        return True
    except Exception:
        return False


def verify(full_path, weights_path):
    modes = (True, False) if weights_only_reads_floats() else (False,)
    for weights_only in modes:
        obj = torch.load(full_path, weights_only=weights_only)
        check_tensors(obj)
        check(obj["nested"] == [1, -2, 3.5, "utf8 声音", None, True, False, b"\x00\xffraw", (1, 2, 3)],
              f"nested: {obj['nested']!r}")
        check(obj["config"] == [1025, 32, 192, 0.0, "1", [3, 7, 11], [[1, 3, 5]]], f"config {obj['config']!r}")
    obj = torch.load(weights_path, weights_only=True)
    check_tensors(obj)
    check(obj["nested"] == [1, -2, "utf8 声音", None, True, False, (1, 2, 3), {"k": [7]}],
          f"weights-only nested: {obj['nested']!r}")
    print("torch.load read every value rvc wrote (weights_only modes:", modes, "and True for", weights_path, ")")


if __name__ == "__main__":
    if sys.argv[1:2] == ["write"] and len(sys.argv) == 3:
        write(sys.argv[2])
    elif sys.argv[1:2] == ["verify"] and len(sys.argv) == 4:
        verify(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)
