"""The robot in 3D (pyqtgraph.opengl): arms, hands, commanded arms and wrist targets, and the
choice between it and the 2D fallback.

The 3D view needs hardware OpenGL: :func:`choose_robot_view` probes the renderer and falls
back to the 2D view (:class:`ui.robot_view.RobotView`) where there is no OpenGL (the
offscreen platform) or only a software renderer (Xvfb's llvmpipe draws about 50 frames/s,
too slow beside three cameras), and says why. Drawn in the robot ``base`` frame (m); the
grid is the floor, the rectangle the table top.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Literal

import numpy as np
from PySide6.QtGui import QGuiApplication, QOffscreenSurface, QOpenGLContext
from PySide6.QtWidgets import QVBoxLayout, QWidget

from devices.sample import Sample
from ui.robot_figure import RobotFigure, RobotFigureSource

GL_RENDERER = 0x1F01
SOFTWARE_RENDERERS = ("llvmpipe", "softpipe", "swrast", "software")
NO_GL_PLATFORMS = ("offscreen", "minimal", "vnc")
SIDE_COLOURS = ((0.19, 0.44, 0.82, 1.0), (0.82, 0.31, 0.19, 1.0))
ViewChoice = Literal["auto", "3d", "2d"]


def opengl_renderer() -> str | None:
    """The OpenGL renderer's name (``GL_RENDERER``), or None when no context can be made."""
    if QGuiApplication.platformName() in NO_GL_PLATFORMS:
        return None
    context = QOpenGLContext()
    if not context.create():
        return None
    surface = QOffscreenSurface()
    surface.setFormat(context.format())
    surface.create()
    if not context.makeCurrent(surface):
        return None
    try:
        return str(context.functions().glGetString(GL_RENDERER))
    finally:
        context.doneCurrent()


def choose_robot_view(setting: ViewChoice, renderer: str | None) -> tuple[str, str]:
    """("3d" or "2d", why) for ``[ui] robot_view`` and the probed ``renderer``."""
    if setting == "2d":
        return "2d", "2D robot view: chosen in [ui] robot_view"
    if renderer is None:
        return "2d", "2D robot view: no OpenGL on this display"
    software = any(name in renderer.lower() for name in SOFTWARE_RENDERERS)
    if software and setting == "auto":
        why = f"OpenGL is software-only ({renderer}); set [ui] robot_view = 3d to force 3D"
        return "2d", f"2D robot view: {why}"
    return "3d", f"3D robot view on {renderer}"


def polyline_segments(points: np.ndarray) -> np.ndarray:
    """Pairs of consecutive finite points of NaN-separated polylines (K, 3) -> (2M, 3), the
    ``lines`` mode of GLLinePlotItem."""
    start, end = points[:-1], points[1:]
    keep = np.isfinite(start).all(axis=1) & np.isfinite(end).all(axis=1)
    return np.stack([start[keep], end[keep]], axis=1).reshape(-1, 3)


class RobotView3D(QWidget):
    """Both arms and hands in an orbitable 3D view; call :meth:`refresh` from the timer.

    ``table`` is ((x0, x1), (y0, y1), height) of the table top (m, base frame).
    """

    def __init__(
        self,
        latest: Callable[[str], Sample | None],
        flange: np.ndarray,
        table: tuple[Sequence[float], Sequence[float], float],
    ) -> None:
        import pyqtgraph.opengl as gl  # PyOpenGL loads only when the 3D view is used

        super().__init__()
        self.source = RobotFigureSource(latest, flange)
        self.canvas = gl.GLViewWidget()
        # From behind and above the robot's right shoulder, looking at the table.
        self.canvas.setCameraPosition(distance=1.8, elevation=30, azimuth=200)
        self.canvas.opts["center"].setX(0.45)
        self.canvas.opts["center"].setZ(1.0)
        self.setMinimumSize(360, 240)
        self.canvas.addItem(gl.GLGridItem())
        (x0, x1), (y0, y1), z = table
        outline = np.array([[x0, y0, z], [x1, y0, z], [x1, y1, z], [x0, y1, z], [x0, y0, z]])
        self.canvas.addItem(gl.GLLinePlotItem(pos=outline, color=(0.6, 0.5, 0.3, 1.0)))
        self.items: list[dict[str, object]] = []
        """Per side (left first): GL items ``measured``, ``commanded``, ``hand``, ``target``."""
        for colour in SIDE_COLOURS:
            faint = (*colour[:3], 0.5)
            side = {
                "measured": gl.GLLinePlotItem(color=colour, width=4, mode="line_strip"),
                "commanded": gl.GLLinePlotItem(color=faint, width=1, mode="line_strip"),
                "hand": gl.GLLinePlotItem(color=colour, width=1, mode="lines"),
                "target": gl.GLScatterPlotItem(color=colour, size=12),
            }
            for item in side.values():
                self.canvas.addItem(item)
            self.items.append(side)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.canvas)

    def refresh(self) -> None:
        """Redraw when the body, control or hand streams have a new sample."""
        figure = self.source.update()
        if figure is not None:
            self.draw(figure)

    def draw(self, figure: RobotFigure) -> None:
        """Show ``figure``; parts without data are hidden."""
        for side, items in enumerate(self.items):
            shown = {
                "measured": None if figure.measured is None else figure.measured[side],
                "commanded": None if figure.commanded is None else figure.commanded[side],
                "hand": None
                if figure.hands[side] is None
                else polyline_segments(figure.hands[side]),
                "target": None if figure.targets is None else figure.targets[side : side + 1],
            }
            for name, points in shown.items():
                item = items[name]
                item.setVisible(points is not None)
                if points is not None:
                    item.setData(pos=points)
