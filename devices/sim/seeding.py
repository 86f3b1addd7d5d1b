"""Deterministic random generators for simulated devices, keyed by the scene seed and names."""

from __future__ import annotations

import zlib

import numpy as np


def seeded_rng(seed: int, *keys: int | str) -> np.random.Generator:
    """A generator determined by ``seed`` and ``keys`` (device names, sides, indices): the same
    arguments give the same stream in every process and every run."""
    entropy = [k if isinstance(k, int) else zlib.crc32(k.encode()) for k in keys]
    return np.random.default_rng([seed % 2**63, *(k % 2**63 for k in entropy)])
