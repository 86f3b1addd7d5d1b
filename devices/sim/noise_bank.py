"""Pre-drawn sensor noise for simulated images, sliced at a random offset per frame.

Drawing fresh Gaussian noise for a 1280x720x3 frame costs tens of ms; slicing a bank twice
the frame's size at a random offset costs nothing and still gives every frame a different
pattern, which is what compression and bandwidth measurements need.
"""

from __future__ import annotations

from functools import cache

import numpy as np


class NoiseBank:
    """Gaussian noise of ``sigma`` DN, clipped to +-``margin`` DN, as uint8.

    Signed banks hold the noise modulo 256: adding a slice to a uint8 image whose values lie
    in [margin, 255 - margin] gives the exact noisy image. Rectified banks hold ``|noise|``,
    for sensors whose background is 0.
    """

    def __init__(self, size: int, sigma: float, rectified: bool = False, seed: int = 0) -> None:
        self.size = size
        self.margin = int(np.ceil(3.0 * sigma))
        rng = np.random.default_rng(seed)
        values = np.clip(np.rint(rng.normal(0.0, sigma, 2 * size)), -self.margin, self.margin)
        if rectified:
            values = np.abs(values)
        self._bank = values.astype(np.int16).astype(np.uint8)

    def draw(self, rng: np.random.Generator) -> np.ndarray:
        """A read-only (size,) uint8 view of the bank at a random offset."""
        start = int(rng.integers(0, self.size + 1))
        view = self._bank[start : start + self.size]
        view.flags.writeable = False
        return view


@cache
def noise_bank(size: int, sigma: float, rectified: bool = False) -> NoiseBank:
    """The process's shared bank for this size and noise level (read-only, thread-safe)."""
    return NoiseBank(size, sigma, rectified)
