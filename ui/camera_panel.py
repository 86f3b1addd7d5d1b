"""Live camera views: the head camera large, the two wrist cameras smaller beside it.

Each view is an ImageItem in an aspect-locked ViewBox (image rows down) with an overlay
"NN fps · age NN ms" and a "NO SIGNAL" state. Frames are pulled by :meth:`CameraPanel.refresh`
from the window timer; an image is uploaded only when its stream has a new ``seq``, which is
what keeps three 1280x720 views cheap.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QVBoxLayout, QWidget

from devices.sample import Sample

STREAMS = ("camera_head", "camera_left_wrist", "camera_right_wrist")
STALE_NS = 500_000_000
"""A stream whose newest frame is older than this (ns) shows NO SIGNAL."""
FPS_WINDOW_NS = 2_000_000_000
"""Frames seen within this span (ns) measure the frame rate."""
OVERLAY_PERIOD_NS = 250_000_000
"""The fps/age overlay is rewritten at most this often (ns): text layout costs a frame's
upload, and a number changing 30 times a second cannot be read anyway."""
DIM_OPACITY = 0.2
"""Opacity of the last frame under NO SIGNAL (the background is black)."""
PLACEHOLDER = np.zeros((90, 160, 3), dtype=np.uint8)
"""Black 16:9 image shown before the first frame."""


class CameraView:
    """One stream's ViewBox, ImageItem and overlays, with its frame-rate bookkeeping."""

    def __init__(self, stream: str, box: pg.ViewBox) -> None:
        self.stream = stream
        self.box = box
        self.image_item = pg.ImageItem(PLACEHOLDER, autoLevels=False)
        box.addItem(self.image_item)
        self.overlay = pg.TextItem("", color="#ffff60", fill="#00000090", anchor=(0, 0))
        self.banner = pg.TextItem("NO SIGNAL", color="#ff5050", anchor=(0.5, 0.5))
        self.banner.setFont(QFont("sans", 20, QFont.Weight.Bold))
        for item in (self.overlay, self.banner):
            box.addItem(item, ignoreBounds=True)
        self.seq: int | None = None
        self._overlay_text = ""
        self._overlay_due_ns = 0
        self.frames = 0
        """New frames drawn so far."""
        self.no_signal = False
        self._seen: deque[tuple[int, int]] = deque()  # (seq, t_capture_ns) of new frames
        self._show_no_signal(True)

    @property
    def fps(self) -> float:
        """Frames per second over the last FPS_WINDOW_NS, from seq and capture times."""
        if len(self._seen) < 2:
            return 0.0
        (seq0, t0), (seq1, t1) = self._seen[0], self._seen[-1]
        return (seq1 - seq0) * 1e9 / (t1 - t0) if t1 > t0 else 0.0

    def update(self, frame: Sample | None, now_ns: int) -> None:
        """Show ``frame`` (upload only when its seq is new) and the overlay at ``now_ns``."""
        if frame is not None and frame.seq != self.seq:
            if self.seq is not None and frame.seq < self.seq:  # the device restarted
                self._seen.clear()
            self.seq = frame.seq
            image = frame.data["image"]
            self.image_item.setImage(image, autoLevels=False)
            self.frames += 1
            self._seen.append((frame.seq, frame.t_capture_ns))
            while self._seen[0][1] < frame.t_capture_ns - FPS_WINDOW_NS:
                self._seen.popleft()
            self.banner.setPos(image.shape[1] / 2, image.shape[0] / 2)
        stale = frame is None or now_ns - frame.t_capture_ns > STALE_NS
        if stale != self.no_signal:
            self._show_no_signal(stale)
        if frame is None:
            self._set_overlay("", now_ns)
        elif now_ns >= self._overlay_due_ns:
            age_ms = max(now_ns - frame.t_capture_ns, 0) / 1e6  # arrived after now_ns was read
            self._set_overlay(f"{self.fps:.0f} fps · age {age_ms:.0f} ms", now_ns)

    def _set_overlay(self, text: str, now_ns: int) -> None:
        self._overlay_due_ns = now_ns + OVERLAY_PERIOD_NS
        if text != self._overlay_text:
            self._overlay_text = text
            self.overlay.setText(text)

    def _show_no_signal(self, on: bool) -> None:
        self.no_signal = on
        self.banner.setVisible(on)
        self.image_item.setOpacity(DIM_OPACITY if on else 1.0)
        if on:
            self._seen.clear()
            if self.seq is None:
                self.banner.setPos(PLACEHOLDER.shape[1] / 2, PLACEHOLDER.shape[0] / 2)


class CameraPanel(QWidget):
    """The first stream large on the left, the others stacked on its right.

    ``latest(stream)`` returns the newest Sample of a stream (field ``image``: HxWx3 uint8 RGB)
    or None; call :meth:`refresh` from the window timer.
    """

    def __init__(
        self, latest: Callable[[str], Sample | None], streams: tuple[str, ...] = STREAMS
    ) -> None:
        super().__init__()
        self._latest = latest
        self._canvas = pg.GraphicsLayoutWidget()
        self.views: dict[str, CameraView] = {}
        for i, stream in enumerate(streams):
            box = pg.ViewBox(lockAspect=True, invertY=True, enableMouse=False)
            box.setMenuEnabled(False)
            if i == 0:
                self._canvas.ci.addItem(box, row=0, col=0, rowspan=max(len(streams) - 1, 1))
            else:
                self._canvas.ci.addItem(box, row=i - 1, col=1)
            self.views[stream] = CameraView(stream, box)
        self._canvas.ci.layout.setColumnStretchFactor(0, 2)
        self._canvas.ci.layout.setColumnStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._canvas)

    def refresh(self, now_ns: int) -> None:
        """Pull each stream's newest frame; ``now_ns`` on the ``time.monotonic_ns()`` clock."""
        for stream, view in self.views.items():
            view.update(self._latest(stream), now_ns)
