"""Images of a simulated fingertip sensor: the DEFORM penetration map and the RAW gel image.

The DEFORM map (240x240) shows the fingertip pad sphere in an azimuthal projection centred
on its palmar pole: the distance from the map centre is proportional to the angle from the
pole, the dorsal pole lies on the rim; up is towards the fingertip (elastomer -y), right is
elastomer +x. Both images are drawn on a precomputed background with per-frame noise from
shared noise banks, and only the pressed region is recomputed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from devices.hands import DEFORM_SHAPE, RAW_SHAPE
from devices.sim.hand_geometry import PAD_RADIUS_M, PALMAR_AXIS
from devices.sim.noise_bank import noise_bank
from devices.sim.textures import smooth_noise

MAP_RADIUS_PX = DEFORM_SHAPE[0] / 2
MAP_PX_PER_M = MAP_RADIUS_PX / (np.pi * PAD_RADIUS_M)
"""DEFORM map pixels per metre of pad surface (arc length from the palmar pole)."""
RAW_COL_OFFSET = (RAW_SHAPE[1] - DEFORM_SHAPE[1]) // 2
"""The RAW image sees the pad like the DEFORM map, with this many extra columns each side."""
DEFORM_NOISE_DN = 1.0
RAW_NOISE_DN = 2.0
MARKER_PITCH_PX = 16
MARKER_RADIUS_PX = 2.5


@dataclass(frozen=True)
class Press:
    """One contact as the sensor sees it: centre (row, col) on the DEFORM map (pixels), peak
    DEFORM value (u8 units), blob width (pixels, one standard deviation) and the marker
    displacement at the centre (rows, cols) in pixels."""

    row: float
    col: float
    peak: float
    sigma_px: float
    shear_px: tuple[float, float]


def map_pixel(direction: np.ndarray) -> tuple[float, float]:
    """(row, col) on the DEFORM map of a unit ``direction`` (elastomer frame) from the pad
    centre."""
    angle = np.arccos(np.clip(direction @ PALMAR_AXIS, -1.0, 1.0))
    towards_tip, lateral = -direction[1], direction[0]
    length = np.hypot(towards_tip, lateral)
    reach = angle / np.pi * MAP_RADIUS_PX / length if length > 1e-9 else 0.0
    centre = MAP_RADIUS_PX - 0.5
    return centre - reach * towards_tip, centre + reach * lateral


def _gaussian_window(centre: float, sigma: float, size: int) -> tuple[slice, np.ndarray] | None:
    """Indices within 2.5 sigma of ``centre`` inside [0, size) and the Gaussian there."""
    lo, hi = max(int(centre - 2.5 * sigma), 0), min(int(centre + 2.5 * sigma) + 2, size)
    if lo >= hi:
        return None
    x = np.arange(lo, hi, dtype=np.float32)
    return slice(lo, hi), np.exp(-0.5 * ((x - centre) / sigma) ** 2)


def _blob(
    row: float, col: float, sigma: float, shape: tuple[int, int]
) -> tuple[slice, slice, np.ndarray] | None:
    """A unit-peak Gaussian blob clipped to ``shape``: its rows, columns and values."""
    rows = _gaussian_window(row, sigma, shape[0])
    cols = _gaussian_window(col, sigma, shape[1])
    if rows is None or cols is None:
        return None
    return rows[0], cols[0], np.outer(rows[1], cols[1])


def _gel_background(rng: np.random.Generator, lo: int) -> np.ndarray:
    """The unpressed RAW image: lit gel with a grid of dark markers, values in [lo, 255-lo]."""
    h, w = RAW_SHAPE
    rows, cols = np.mgrid[0:h, 0:w].astype(np.float32)
    light = 175.0 - 45.0 * ((rows / h - 0.3) ** 2 + (cols / w - 0.5) ** 2)
    texture = 10.0 * smooth_noise(rng, (h, w), 24)
    jitter = rng.normal(0.0, 0.6, 2)
    dr = (rows - MARKER_PITCH_PX / 2 + jitter[0]) % MARKER_PITCH_PX - MARKER_PITCH_PX / 2
    dc = (cols - MARKER_PITCH_PX / 2 + jitter[1]) % MARKER_PITCH_PX - MARKER_PITCH_PX / 2
    marker = np.clip(MARKER_RADIUS_PX + 0.5 - np.hypot(dr, dc), 0.0, 1.0)
    image = (light + texture) * (1.0 - 0.7 * marker)
    return np.clip(image, lo, 255 - lo).astype(np.uint8)


class TactileImager:
    """Draws DEFORM maps and RAW images of one fingertip sensor. One per sensor and thread."""

    def __init__(self, rng: np.random.Generator) -> None:
        self._rng = rng
        self._deform_noise = noise_bank(DEFORM_SHAPE[0] * DEFORM_SHAPE[1], DEFORM_NOISE_DN, True)
        self._raw_noise = noise_bank(RAW_SHAPE[0] * RAW_SHAPE[1], RAW_NOISE_DN)
        self._lo = self._raw_noise.margin
        self._raw_background = _gel_background(self._rng, self._lo)

    def deform(self, press: Press | None) -> np.ndarray:
        """A new DEFORM map (240, 240) uint8: noise, plus a Gaussian blob under ``press``."""
        image = self._deform_noise.draw(self._rng).reshape(DEFORM_SHAPE).copy()
        blob = None if press is None else _blob(press.row, press.col, press.sigma_px, DEFORM_SHAPE)
        if blob is not None:
            rows, cols, weight = blob
            pressed = np.minimum(press.peak * weight + 0.5, 255.0).astype(np.uint8)
            np.maximum(image[rows, cols], pressed, out=image[rows, cols])
        return image

    def raw(self, press: Press | None) -> np.ndarray:
        """A new RAW image (240, 320) uint8: the gel with noise; under ``press`` the markers
        are dragged by the shear and the pressed gel darkens."""
        noise = self._raw_noise.draw(self._rng).reshape(RAW_SHAPE)
        image = np.add(self._raw_background, noise)
        if press is None:
            return image
        spread = press.sigma_px + 3.0
        blob = _blob(press.row, press.col + RAW_COL_OFFSET, spread, RAW_SHAPE)
        if blob is not None:
            rows, cols, weight = blob
            r = np.arange(rows.start, rows.stop)[:, None] - press.shear_px[0] * weight
            c = np.arange(cols.start, cols.stop)[None, :] - press.shear_px[1] * weight
            source = self._raw_background[
                np.clip(np.rint(r), 0, RAW_SHAPE[0] - 1).astype(np.intp),
                np.clip(np.rint(c), 0, RAW_SHAPE[1] - 1).astype(np.intp),
            ]
            darkening = 1.0 - 0.4 * min(press.peak / 100.0, 1.0) * weight
            pressed = np.clip(source * darkening, self._lo, 255 - self._lo).astype(np.uint8)
            np.add(pressed, noise[rows, cols], out=image[rows, cols])
        return image
