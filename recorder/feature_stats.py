"""Normalisation statistics of exported features, accumulated an episode at a time in
bounded memory, in the form of LeRobot's ``meta/stats.json``.

Every statistic has one value per dimension: min, max, mean, std, q01 and q99 (the 1st and
99th percentiles), and ``count`` (frames seen). NaN values (missing data) are left out; a
dimension that never had a value gets ``None``.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

RESERVOIR_ROWS = 50_000
"""Rows kept for the quantiles of a vector feature: exact up to this many frames, a uniform
random sample of all frames beyond (about 0.05 percentile points of error)."""
QUANTILES = {"q01": 0.01, "q99": 0.99}


def _listed(values: np.ndarray) -> list[float | None]:
    return [float(v) if np.isfinite(v) else None for v in values]


class VectorStats:
    """Statistics of a (frames, dims) numeric feature, per dimension."""

    def __init__(self, dims: int, seed: int = 0) -> None:
        self.frames = 0
        self._seen = 0
        self._count = np.zeros(dims)
        self._sum = np.zeros(dims)
        self._squares = np.zeros(dims)
        self._min = np.full(dims, np.inf)
        self._max = np.full(dims, -np.inf)
        self._reservoir = np.empty((0, dims))
        self._rng = np.random.default_rng(seed)

    def update(self, values: np.ndarray) -> None:
        """Add (n, dims) values (or (n,) for one dimension)."""
        x = np.asarray(values, np.float64).reshape(len(values), -1)
        present = ~np.isnan(x)
        self.frames += len(x)
        self._count += present.sum(axis=0)
        self._sum += np.where(present, x, 0.0).sum(axis=0)
        self._squares += np.where(present, x * x, 0.0).sum(axis=0)
        self._min = np.fmin(self._min, np.fmin.reduce(x, axis=0, initial=np.inf))
        self._max = np.fmax(self._max, np.fmax.reduce(x, axis=0, initial=-np.inf))
        self._sample(x)

    def _sample(self, x: np.ndarray) -> None:
        """Reservoir sampling (Algorithm R): a uniform sample of every row seen."""
        room = max(RESERVOIR_ROWS - len(self._reservoir), 0)
        self._reservoir = np.concatenate([self._reservoir, x[:room]])
        rest = x[room:]
        position = self._seen + min(room, len(x)) + np.arange(len(rest))
        slots = self._rng.integers(0, position + 1)
        kept = slots < RESERVOIR_ROWS
        self._reservoir[slots[kept]] = rest[kept]
        self._seen += len(x)

    def result(self) -> dict[str, Any]:
        """The statistics as JSON-ready lists."""
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = self._sum / self._count
            std = np.sqrt(np.maximum(self._squares / self._count - mean * mean, 0.0))
        with warnings.catch_warnings():  # a dimension without values: NaN, listed as None
            warnings.simplefilter("ignore", RuntimeWarning)
            quantiles = np.nanquantile(self._reservoir, list(QUANTILES.values()), axis=0)
        out = {
            "min": _listed(np.where(self._count > 0, self._min, np.nan)),
            "max": _listed(np.where(self._count > 0, self._max, np.nan)),
            "mean": _listed(mean),
            "std": _listed(std),
            **{name: _listed(q) for name, q in zip(QUANTILES, quantiles, strict=True)},
        }
        return {**out, "count": [self.frames]}


class PixelStats:
    """Per-channel statistics of uint8 images (H, W, C) or (H, W), scaled to 0..1 and shaped
    (C, 1, 1) as LeRobot's image features: exact, from a histogram of every pixel added."""

    def __init__(self, channels: int) -> None:
        self.frames = 0
        self._histogram = np.zeros((channels, 256), np.int64)

    def update(self, image: np.ndarray) -> None:
        pixels = image.reshape(-1, self._histogram.shape[0])
        for c in range(self._histogram.shape[0]):
            self._histogram[c] += np.bincount(pixels[:, c], minlength=256)
        self.frames += 1

    def result(self) -> dict[str, Any]:
        levels = np.arange(256) / 255.0
        out: dict[str, list] = {name: [] for name in ("min", "max", "mean", "std", *QUANTILES)}
        for counts in self._histogram:
            total = counts.sum()
            if not total:
                for values in out.values():
                    values.append([[None]])
                continue
            cumulative = np.cumsum(counts) / total
            present = np.flatnonzero(counts)
            mean = (counts * levels).sum() / total
            values = {
                "min": levels[present[0]],
                "max": levels[present[-1]],
                "mean": mean,
                "std": np.sqrt((counts * (levels - mean) ** 2).sum() / total),
                **{name: levels[np.searchsorted(cumulative, q)] for name, q in QUANTILES.items()},
            }
            for name, value in values.items():
                out[name].append([[float(value)]])
        return {**out, "count": [self.frames]}
