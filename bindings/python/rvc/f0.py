"""Pitch (f0) estimation with the methods RVC offers.

    f0 = rvc.f0.estimate(audio, 16000, method="rmvpe", model="assets/rmvpe/rmvpe.pt")

f0 is a float64 array in Hz at 100 frames per second (hop 160 at 16 kHz), 0 = unvoiced, with
len(audio) // 160 + 1 frames. Audio must be mono at 16 kHz: rvc.load_audio(path, sr=16000) reads
and resamples any file.
"""
import os as _os

from . import _rvc
from ._options import precision_id

#: RVC's method names.
METHODS = ("pm", "harvest", "dio", "rmvpe", "fcpe")
#: The rate every estimator takes.
SAMPLE_RATE = 16000
#: Samples per frame at SAMPLE_RATE.
HOP_SAMPLES = 160


class Estimator:
    """A loaded f0 estimator, reusable and safe to share between threads.

    method: "rmvpe" (needs model = rmvpe.pt), "fcpe" (a torchfcpe checkpoint), "pm", "harvest",
    "dio". threshold: frames whose confidence is at or below it are unvoiced (None: RVC's, rmvpe
    0.03, fcpe 0.006).
    """

    def __init__(self, method="rmvpe", model=None, device="cpu", precision="auto", threshold=None):
        self.method = method
        self._native = _rvc.F0Estimator(
            method, None if model is None else _os.fspath(model), device, precision_id(precision, "rvc.f0.Estimator"),
            -1.0 if threshold is None else float(threshold))

    def estimate(self, audio, sr=SAMPLE_RATE, return_confidence=False):
        """f0 of mono `audio` at `sr` (must be 16000) as float64 Hz per frame; with
        return_confidence, (f0, confidence), confidence being None for methods without one."""
        f0, confidence = self._native.estimate(audio, int(sr))
        return (f0, confidence) if return_confidence else f0


def estimate(audio, sr, method="rmvpe", model=None, device="cpu", precision="auto", threshold=None,
             return_confidence=False):
    """One-off estimate: Estimator(method, model, ...).estimate(audio, sr, return_confidence).
    Load the Estimator once instead when estimating many clips."""
    return Estimator(method, model, device, precision, threshold).estimate(audio, sr, return_confidence)


__all__ = ["METHODS", "SAMPLE_RATE", "HOP_SAMPLES", "Estimator", "estimate"]
