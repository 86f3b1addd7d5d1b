"""The ten fingertip sensors laid out like the operator's two hands, backs up.

The left hand is on the left, the right on the right, thumbs facing each other. All ten
DEFORM maps, baseline-subtracted and downsampled 2x, are drawn as ONE mosaic ImageItem with a
fixed colour map over 0..DEFORM_MAX_MM (one image is about three times faster to update than
ten). Under each tile: normal force and shear (N) from F6, green in contact, red on a slip
warning. DEFORM and force are shown relative to a no-contact baseline: each fingertip's first
sample, until :meth:`TouchPanel.capture_baseline` takes the latest ones.
:meth:`TouchPanel.show_raw` swaps the mosaic to the RAW sensor images.

F6 is in the elastomer frame, whose +z is the pad's palmar normal pushed inwards: Fz is the
normal force (positive pressing), hypot(Fx, Fy) the shear.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QFont, QPainterPath
from PySide6.QtWidgets import QGraphicsPathItem, QVBoxLayout, QWidget

from devices.hands import DEFORM_SHAPE, FINGERS, RAW_SHAPE, Tactile
from devices.sample import Sample

SIDES = ("left", "right")
DEFORM_MM_PER_UNIT = Tactile.deform_mm_per_unit
"""Millimetres of penetration per DEFORM unit."""
DEFORM_MAX_MM = 2.0
"""Penetration (mm) at the top of the colour map."""
CONTACT_N = 0.3
"""Normal force (N) above which a fingertip is in contact."""
FRICTION_MU = 0.8
"""Coulomb friction coefficient assumed at the fingertips (the simulated scene's default)."""
SLIP_WARNING_FRACTION = 0.8
"""Shear/normal at this fraction of FRICTION_MU raises the slip warning."""
STALE_NS = 500_000_000
"""A fingertip whose newest sample is older than this (ns) shows as absent."""
DOWNSAMPLE = 2
GAP_PX = 8
"""Mosaic pixels between tiles."""
LABEL_PX = 24
"""Mosaic rows kept free under each tile for its label."""
FINGER_PLACES = {
    "thumb": (4, 1.35),
    "index": (3, 0.2),
    "middle": (2, 0.0),
    "ring": (1, 0.2),
    "pinky": (0, 0.5),
}
"""Left hand, back up: finger -> (column, row in tile heights); the right hand mirrors it."""
LABEL_POINTS = 7
"""Font size (pt) of the force labels, small enough for the panel docked at its default size."""
DEFORM_LUT = pg.colormap.get("inferno").getLookupTable(nPts=256, alpha=False)
RAW_LUT = np.repeat(np.arange(256, dtype=np.uint8)[:, None], 3, axis=1)


def tile_origin(side: str, finger: str, shape: tuple[int, int]) -> tuple[int, int]:
    """Top-left (row, col) in the mosaic (pixels) of a tile of ``shape`` (rows, cols)."""
    col, row = FINGER_PLACES[finger]
    if side == "right":
        col = 2 * len(FINGERS) - col  # mirrored, one empty column between the hands
    return int(row * (shape[0] + LABEL_PX)), col * (shape[1] + GAP_PX)


class TouchPanel(QWidget):
    """Both hands' fingertip DEFORM (or RAW) maps with force, contact and slip per fingertip.

    ``latest(stream)`` returns the newest Sample of ``tactile_{side}_{finger}`` or None; call
    :meth:`refresh` from the window timer. State for inspection: :attr:`mosaic` (the array
    drawn), :attr:`contact`, :attr:`slip`, :attr:`normal_n` and :attr:`shear_n` per
    (side, finger).
    """

    def __init__(self, latest: Callable[[str], Sample | None]) -> None:
        super().__init__()
        self._latest = latest
        self.keys = [(side, finger) for side in SIDES for finger in FINGERS]
        self.contact = dict.fromkeys(self.keys, False)
        self.slip = dict.fromkeys(self.keys, False)
        self.normal_n = dict.fromkeys(self.keys, 0.0)
        self.shear_n = dict.fromkeys(self.keys, 0.0)
        self._baseline: dict[tuple[str, str], np.ndarray] = {}  # downsampled DEFORM units
        self._force_baseline: dict[tuple[str, str], np.ndarray] = {}  # F6 force (N)
        self._seqs: dict[tuple[str, str], int | None] = {}
        self._label_shown: dict[tuple[str, str], tuple[str, str]] = {}
        self._raw = False
        canvas = pg.GraphicsLayoutWidget()
        self._box = canvas.addViewBox(lockAspect=True, invertY=True, enableMouse=False)
        self._box.setMenuEnabled(False)
        self._image = pg.ImageItem()
        self._box.addItem(self._image)
        self._outlines = QGraphicsPathItem()  # one static item framing all ten tiles
        self._outlines.setPen(pg.mkPen("#505050", width=1, cosmetic=True))
        self._box.addItem(self._outlines)
        self._labels = {key: pg.TextItem("", anchor=(0, 0)) for key in self.keys}
        font = QFont("sans", LABEL_POINTS)
        for label in self._labels.values():
            label.setFont(font)
            self._box.addItem(label, ignoreBounds=True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(canvas)
        self._layout_mosaic()

    def show_raw(self, on: bool) -> None:
        """Draw the RAW sensor images (True) or the baseline-subtracted DEFORM maps (False)."""
        if on != self._raw:
            self._raw = on
            self._layout_mosaic()

    def capture_baseline(self) -> None:
        """Take each fingertip's latest DEFORM and force as its no-contact zero (call with no
        contact); until then the first sample of each fingertip is its zero."""
        for side, finger in self.keys:
            sample = self._latest(f"tactile_{side}_{finger}")
            if sample is not None:
                self._take_baseline((side, finger), sample)
        self._seqs.clear()

    def _take_baseline(self, key: tuple[str, str], sample: Sample) -> None:
        self._baseline[key] = self._downsample(sample.data["deform"]).copy()
        self._force_baseline[key] = sample.data["f6"][:3].astype(float)

    def refresh(self, now_ns: int) -> None:
        """Redraw fingertips with a new sample; ``now_ns`` on the ``time.monotonic_ns()`` clock."""
        changed = False
        for key in self.keys:
            sample = self._latest(f"tactile_{key[0]}_{key[1]}")
            if sample is not None and now_ns - sample.t_capture_ns > STALE_NS:
                sample = None
            seq = None if sample is None else sample.seq
            if seq == self._seqs.get(key, -1):
                continue
            self._seqs[key] = seq
            if sample is not None and key not in self._baseline:
                self._take_baseline(key, sample)
            self._draw_tile(key, sample)
            self._update_forces(key, sample)
            changed = True
        if changed:
            self._image.setImage(self.mosaic, autoLevels=False)

    def _layout_mosaic(self) -> None:
        """Allocate the mosaic for the current mode and place tiles and labels."""
        shape = RAW_SHAPE if self._raw else DEFORM_SHAPE
        self._tile_shape = (shape[0] // DOWNSAMPLE, shape[1] // DOWNSAMPLE)
        th, tw = self._tile_shape
        origins = {key: tile_origin(*key, self._tile_shape) for key in self.keys}
        height = max(r for r, _ in origins.values()) + th + LABEL_PX
        width = max(c for _, c in origins.values()) + tw
        self.mosaic = np.zeros((height, width), dtype=np.uint8)
        self._tiles = {key: self.mosaic[r : r + th, c : c + tw] for key, (r, c) in origins.items()}
        outlines = QPainterPath()
        for key, (r, c) in origins.items():
            self._labels[key].setPos(c, r + th)
            outlines.addRect(c, r, tw, th)
        self._outlines.setPath(outlines)
        if self._raw:
            self._image.setLookupTable(RAW_LUT)
            self._image.setLevels((0, 255))
        else:
            self._image.setLookupTable(DEFORM_LUT)
            self._image.setLevels((0, DEFORM_MAX_MM / DEFORM_MM_PER_UNIT))
        self._image.setImage(self.mosaic, autoLevels=False)
        self._seqs.clear()

    @staticmethod
    def _downsample(image: np.ndarray) -> np.ndarray:
        return image[::DOWNSAMPLE, ::DOWNSAMPLE]

    def _draw_tile(self, key: tuple[str, str], sample: Sample | None) -> None:
        """Write one fingertip's image into its tile (zeros when absent)."""
        tile = self._tiles[key]
        if sample is None:
            tile[:] = 0
        elif self._raw:
            tile[:] = self._downsample(sample.data["raw"])
        else:
            deform = self._downsample(sample.data["deform"])
            baseline = self._baseline[key]
            np.maximum(deform, baseline, out=tile)  # saturating deform - baseline in uint8
            np.subtract(tile, baseline, out=tile)

    def _update_forces(self, key: tuple[str, str], sample: Sample | None) -> None:
        """Normal force, shear, contact and slip of one fingertip, and its label."""
        if sample is None:
            self.normal_n[key] = self.shear_n[key] = 0.0
            self.contact[key] = self.slip[key] = False
            self._set_label(key, "no signal", "#808080")
            return
        fx, fy, fz = sample.data["f6"][:3] - self._force_baseline[key]
        shear, fz = float(np.hypot(fx, fy)), float(fz)
        contact = fz > CONTACT_N
        slip = contact and shear >= SLIP_WARNING_FRACTION * FRICTION_MU * fz
        self.normal_n[key], self.shear_n[key] = fz, shear
        self.contact[key], self.slip[key] = contact, slip
        colour = "#ff4040" if slip else "#40ff40" if contact else "#c0c0c0"
        text = f"N {fz:.1f}\nS {shear:.1f}" + (" SLIP" if slip else "")
        self._set_label(key, text, colour)

    def _set_label(self, key: tuple[str, str], text: str, colour: str) -> None:
        if self._label_shown.get(key) != (text, colour):
            self._label_shown[key] = (text, colour)
            self._labels[key].setText(text, color=colour)
