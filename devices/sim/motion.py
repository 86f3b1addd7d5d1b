"""Smooth motion building blocks for scripted trajectories: blends, bumps, band-limited noise.

Every function here is a pure function of time, so a script built from them is deterministic.
"""

from __future__ import annotations

import numpy as np


def min_jerk(s: float) -> float:
    """Minimum-jerk progress ``10 s^3 - 15 s^4 + 6 s^5`` for ``s`` clipped to [0, 1].

    Goes 0 -> 1 with zero velocity and acceleration at both ends.
    """
    s = min(max(s, 0.0), 1.0)
    return s * s * s * (10.0 + s * (-15.0 + 6.0 * s))


def bump(s: float) -> float:
    """There-and-back profile ``64 s^3 (1 - s)^3`` for ``s`` clipped to [0, 1].

    Goes 0 -> 1 (at s = 0.5) -> 0 with zero velocity and acceleration at both ends.
    """
    s = min(max(s, 0.0), 1.0)
    return 64.0 * (s * (1.0 - s)) ** 3


class SmoothNoise:
    """Deterministic band-limited noise: per channel, a sum of sinusoids with seeded frequencies
    (log-uniform in ``band_hz``), phases and amplitudes.

    Each channel has zero mean and standard deviation ``sigma`` (the caller's units), and the
    value at a time ``t_s`` (s) depends only on the seed and ``t_s``.
    """

    def __init__(
        self,
        rng: np.random.Generator,
        sigma: np.ndarray | float,
        n: int,
        band_hz: tuple[float, float] = (0.2, 12.0),
        components: int = 8,
    ) -> None:
        lo, hi = np.log(band_hz[0]), np.log(band_hz[1])
        self._omega = 2.0 * np.pi * np.exp(rng.uniform(lo, hi, (n, components)))
        self._phase = rng.uniform(0.0, 2.0 * np.pi, (n, components))
        weight = rng.uniform(0.5, 1.0, (n, components))
        # A sinusoid of amplitude a has variance a^2 / 2.
        scale = np.asarray(sigma, dtype=float) * np.sqrt(2.0 / (weight**2).sum(axis=1))
        self._amplitude = weight * scale[:, None]

    def __call__(self, t_s: float) -> np.ndarray:
        """Noise values (n,) at time ``t_s`` (s)."""
        return (self._amplitude * np.sin(self._omega * t_s + self._phase)).sum(axis=1)
