"""The robot seen from the front and from above: arms, hands, commanded arms, wrist targets.

The fallback of the 3D view (:mod:`ui.robot_view_3d`), drawn with pyqtgraph's plain
(QPainter) plots so it works where OpenGL does not or is software-only (Xvfb's software GL
measured about 50 updates/s, too slow beside the cameras). Positions are in the robot
``base`` frame (m): the front view shows y (left) against z (up), the top view x (forward)
against y. Measured arms are solid, commanded arms dashed, wrist targets crosses, measured
hands thin lines through each finger's joints.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QWidget

from devices.sample import Sample
from ui.robot_figure import RobotFigure, RobotFigureSource

VIEWS = (("front", (1, 2), "y (m)", "z (m)"), ("top", (0, 1), "x (m)", "y (m)"))
RANGES_M = {"front": ((-0.8, 0.8), (0.6, 1.6)), "top": ((-0.3, 1.1), (-0.8, 0.8))}
"""Fixed (horizontal, vertical) ranges of each view (m): autoranging every frame costs ~10x
the drawing."""
SIDE_COLOURS = ("#3070d0", "#d05030")
TARGET_SIZE_M = 0.02
"""Half-size of the cross marking a wrist target (m)."""


class RobotView(QWidget):
    """Front and top views of both arms and hands; call :meth:`refresh` from the timer.

    ``flange`` is the hand flange pose (4, 4) in each arm's end frame (m).
    """

    def __init__(
        self, latest: Callable[[str], Sample | None], flange: np.ndarray | None = None
    ) -> None:
        super().__init__()
        self.source = RobotFigureSource(latest, np.eye(4) if flange is None else flange)
        self._curves: dict[str, list[pg.PlotDataItem]] = {}
        """Per view, per side (left first): measured, commanded, target, hand."""
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for name, _, xlabel, ylabel in VIEWS:
            plot = pg.PlotWidget(title=name)
            plot.setAspectLocked(True)
            plot.setLabel("bottom", xlabel)
            plot.setLabel("left", ylabel)
            for axis in ("bottom", "left"):
                plot.getAxis(axis).enableAutoSIPrefix(False)  # ticks stay in m
            horizontal, vertical = RANGES_M[name]
            plot.setRange(xRange=horizontal, yRange=vertical, padding=0.0)
            plot.disableAutoRange()
            if name == "front":
                plot.invertX(True)  # seen from the front, the robot's left is on the right
            curves = []
            for colour in SIDE_COLOURS:
                curves.append(plot.plot(pen=pg.mkPen(colour, width=3)))
                dashed = pg.mkPen(colour, width=1, style=Qt.PenStyle.DashLine)
                curves.append(plot.plot(pen=dashed))
                curves.append(plot.plot(pen=pg.mkPen(colour, width=2), connect="pairs"))
                curves.append(plot.plot(pen=pg.mkPen(colour, width=1), connect="finite"))
            self._curves[name] = curves
            layout.addWidget(plot)

    def refresh(self) -> None:
        """Redraw when the body, control or hand streams have a new sample."""
        figure = self.source.update()
        if figure is not None:
            self.draw(figure)

    def draw(self, figure: RobotFigure) -> None:
        """Show ``figure`` in both views."""
        for name, axes, _, _ in VIEWS:
            curves = self._curves[name]
            for side in range(2):
                shown = (
                    None if figure.measured is None else figure.measured[side],
                    None if figure.commanded is None else figure.commanded[side],
                    None if figure.targets is None else _cross(figure.targets[side], axes),
                    figure.hands[side],
                )
                for kind, points in enumerate(shown):
                    curve = curves[4 * side + kind]
                    if points is None:
                        curve.setData([], [])
                    else:
                        curve.setData(points[:, axes[0]], points[:, axes[1]])


def _cross(point: np.ndarray, axes: tuple[int, int]) -> np.ndarray:
    """Two segments (pairs of points, m) drawing an x of TARGET_SIZE_M around ``point`` in
    the view spanned by ``axes``."""
    h, v = np.zeros(3), np.zeros(3)
    h[axes[0]], v[axes[1]] = TARGET_SIZE_M, TARGET_SIZE_M
    return point + np.array([-h - v, h + v, -h + v, h - v])
