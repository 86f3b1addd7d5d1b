"""The robot seen from the front and from above: measured arms, commanded arms, wrist targets.

A 2D view drawn with pyqtgraph's plain (QPainter) plots, so it works where OpenGL does not
(Xvfb's software GL measured about 50 updates/s, too slow beside the cameras). Positions are
in the robot ``base`` frame (m): the front view shows y (left) against z (up), the top view x
(forward) against y. Measured arms are solid, commanded arms dashed, wrist targets crosses.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pinocchio as pin
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QWidget

from devices.sample import Sample
from retargeting.vega1 import Vega1Arms

CHAIN = ("arm_j1", "arm_j2", "arm_j4", "arm_j6", "arm_j8", "ee")
"""Frames drawn along each arm: shoulder, upper arm, elbow, wrist, flange, hand mount."""
VIEWS = (("front", (1, 2), "y (m)", "z (m)"), ("top", (0, 1), "x (m)", "y (m)"))
SIDE_COLOURS = ("#3070d0", "#d05030")


class RobotView(QWidget):
    """Front and top views of both arms; call :meth:`refresh` from the window timer."""

    def __init__(self, latest: Callable[[str], Sample | None]) -> None:
        super().__init__()
        self._latest = latest
        self._arms = Vega1Arms()
        self._frames = [
            [self._arms.model.getFrameId(f"{side}_{name}") for name in CHAIN] for side in "LR"
        ]
        self._seqs: tuple[int | None, int | None] = (None, None)
        self._curves: dict[str, list[pg.PlotDataItem]] = {}
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for name, _, xlabel, ylabel in VIEWS:
            plot = pg.PlotWidget(title=name)
            plot.setAspectLocked(True)
            plot.setLabel("bottom", xlabel)
            plot.setLabel("left", ylabel)
            for axis in ("bottom", "left"):
                plot.getAxis(axis).enableAutoSIPrefix(False)  # ticks stay in m
            if name == "front":
                plot.invertX(True)  # seen from the front, the robot's left is on the right
            curves = []
            for colour in SIDE_COLOURS:
                curves.append(plot.plot(pen=pg.mkPen(colour, width=3), symbol="o", symbolSize=5))
                dashed = pg.mkPen(colour, width=1, style=Qt.PenStyle.DashLine)
                curves.append(plot.plot(pen=dashed))
                curves.append(plot.plot(pen=None, symbol="x", symbolSize=12, symbolPen=colour))
            self._curves[name] = curves
            layout.addWidget(plot)

    def refresh(self) -> None:
        """Redraw when the body or control stream has a new sample."""
        body, control = self._latest("body"), self._latest("control")
        seqs = (None if body is None else body.seq, None if control is None else control.seq)
        if seqs == self._seqs:
            return
        self._seqs = seqs
        measured = None if body is None else self._points(body.data["arm_position"])
        commanded, targets = None, None
        if control is not None and np.isfinite(control.data["arm_command"]).all():
            commanded = self._points(control.data["arm_command"])
        if control is not None and np.isfinite(control.data["wrist_target"]).all():
            targets = control.data["wrist_target"][:, :3, 3]
        for name, axes, _, _ in VIEWS:
            curves = self._curves[name]
            for side in range(2):
                for k, points in enumerate((measured, commanded)):
                    curve = curves[3 * side + k]
                    if points is None:
                        curve.setData([], [])
                    else:
                        curve.setData(points[side][:, axes[0]], points[side][:, axes[1]])
                target = curves[3 * side + 2]
                if targets is None:
                    target.setData([], [])
                else:
                    target.setData([targets[side, axes[0]]], [targets[side, axes[1]]])

    def _points(self, q: np.ndarray) -> list[np.ndarray]:
        """(len(CHAIN), 3) frame positions (m, base frame) per arm for joints ``q`` (14,)."""
        model, data = self._arms.model, self._arms.data
        pin.framesForwardKinematics(model, data, np.asarray(q, dtype=float))
        return [np.array([data.oMf[f].translation for f in frames]) for frames in self._frames]
