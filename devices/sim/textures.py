"""Procedural surface textures for the simulated cameras: wood, floor tiles, wall plaster.

Each texture is a square (size, size, 3) uint8 RGB image that tiles its plane periodically,
``texel_m`` metres per texel; it is generated from a seed, so renders are deterministic.
"""

from __future__ import annotations

import numpy as np


def smooth_noise(rng: np.random.Generator, shape: tuple[int, int], cells: int) -> np.ndarray:
    """Periodic value noise in [0, 1] of ``shape``: a ``cells`` x ``cells`` random lattice,
    bilinearly interpolated and wrapping at the edges."""
    lattice = rng.random((cells, cells))
    ys = np.arange(shape[0]) * cells / shape[0]
    xs = np.arange(shape[1]) * cells / shape[1]
    y0, x0 = ys.astype(int), xs.astype(int)
    fy, fx = (ys - y0)[:, None], (xs - x0)[None, :]
    y1, x1 = (y0 + 1) % cells, (x0 + 1) % cells
    top = lattice[y0][:, x0] * (1 - fx) + lattice[y0][:, x1] * fx
    bottom = lattice[y1][:, x0] * (1 - fx) + lattice[y1][:, x1] * fx
    return top * (1 - fy) + bottom * fy


def _mix(t: np.ndarray, dark: tuple[int, int, int], light: tuple[int, int, int]) -> np.ndarray:
    t = np.clip(t, 0.0, 1.0)[..., None]
    return np.asarray(dark) * (1.0 - t) + np.asarray(light) * t


def _octaves(
    rng: np.random.Generator, shape: tuple[int, int], cells: tuple[int, ...]
) -> np.ndarray:
    """Sum of value-noise layers, finer ones weaker, normalised to [0, 1]."""
    layers = [smooth_noise(rng, shape, c) / (i + 1) for i, c in enumerate(cells)]
    total = sum(layers)
    return (total - total.min()) / np.ptp(total)


def wood(rng: np.random.Generator, size: int, texel_m: float) -> np.ndarray:
    """Four planks of light oak per period, grain along the rows."""
    warp = _octaves(rng, (size, size), (4, 16))
    across = np.arange(size)[None, :] / size
    grain = 0.5 + 0.5 * np.sin(2 * np.pi * (72 * across + 6.0 * warp))  # 18 rings per plank
    fibres = rng.random((size, 1)) * 0.25 + rng.random((1, size)) * 0.35
    rgb = _mix(0.6 * grain + fibres, (132, 86, 50), (196, 150, 100))
    plank = size // 4
    seams = np.arange(size) % plank < max(round(0.0015 / texel_m), 1)
    rgb[:, seams] *= 0.55
    return rgb.astype(np.uint8)


def tiles(rng: np.random.Generator, size: int, texel_m: float) -> np.ndarray:
    """Two grey floor tiles per period, with dark grout 6 mm wide and speckle."""
    speckle = 0.7 * _octaves(rng, (size, size), (8, 64)) + 0.3 * rng.random((size, size))
    rgb = _mix(speckle, (92, 94, 98), (150, 152, 156))
    line = np.arange(size) % (size // 2) < max(round(0.006 / texel_m), 1)
    rgb[line[:, None] | line[None, :]] = (60, 60, 62)
    return rgb.astype(np.uint8)


def plaster(rng: np.random.Generator, size: int) -> np.ndarray:
    """Off-white painted wall with a faint mottle."""
    mottle = 0.6 * _octaves(rng, (size, size), (4, 32)) + 0.4 * rng.random((size, size))
    return _mix(mottle, (196, 192, 180), (226, 222, 210)).astype(np.uint8)
