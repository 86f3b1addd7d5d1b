"""Plays a recorded episode back: every stream scrubbed in sync on one timeline.

The timeline is the station clock of the recording (``t_capture_ns``), shown in seconds from
the first sample. At a time t each stream shows its newest sample captured at or before t,
exactly as the live window showed it, through the same panels (cameras, touch, robot) fed by
:meth:`EpisodePlayer.latest`; joint plots of both arms carry a cursor at t. A stream whose
newest sample is old at t shows as stale (NO SIGNAL), so recorded gaps are visible.

Keys: Space play/pause, Left/Right step 1/30 s (with Shift 1 s), Home/End, I/O set the trim
in/out marks (:attr:`EpisodePlayer.marks`).
"""

from __future__ import annotations

import time

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSlider,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from devices.sample import Sample
from recorder.episode_reader import Episode, StreamData
from ui.camera_panel import CameraPanel
from ui.robot_view import RobotView
from ui.touch_panel import TouchPanel

SLIDER_STEPS_PER_S = 1000
STEP_S = 1 / 30
PLAY_PERIOD_MS = 33
JOINT_STREAM = "body"
JOINT_FIELD = "arm_position"


class _StreamCursor:
    """Rows of one stream by capture time, with the last decoded row cached."""

    def __init__(self, stream: StreamData) -> None:
        self.stream = stream
        self.times = stream.t_capture_ns
        self._cached: tuple[int, Sample] | None = None

    def at(self, t_ns: int) -> Sample | None:
        """The newest sample captured at or before ``t_ns``, or None before the first."""
        row = int(np.searchsorted(self.times, t_ns, side="right")) - 1
        if row < 0:
            return None
        if self._cached is None or self._cached[0] != row:
            s = self.stream
            data = {name: s.frame(name, row) for name in s.fields}
            device = int(s.t_device_ns[row]) if s.has_t_device[row] else None
            sample = Sample(
                s.name,
                int(s.seq[row]),
                int(s.t_capture_ns[row]),
                int(s.t_arrival_ns[row]),
                device,
                bool(s.valid[row]),
                data,
            )
            self._cached = (row, sample)
        return self._cached[1]


class EpisodePlayer(QWidget):
    """Cameras, touch, robot and joint plots of ``episode`` at one scrubbed time."""

    position_changed = Signal(float)
    """Seconds from the episode's first sample."""

    def __init__(self, episode: Episode) -> None:
        super().__init__()
        self.episode = episode
        self._cursors = {
            name: _StreamCursor(episode.stream(name))
            for name in episode.streams
            if len(episode.stream(name))
        }
        starts = [c.times[0] for c in self._cursors.values()]
        ends = [c.times[-1] for c in self._cursors.values()]
        self.start_ns = int(min(starts)) if starts else 0
        self.duration_s = (int(max(ends)) - self.start_ns) * 1e-9 if ends else 0.0
        self.t_ns = self.start_ns
        self.marks: list[float] = [0.0, self.duration_s]
        """Trim in and out marks (s from the first sample)."""
        self.cameras = CameraPanel(self.latest)
        self.touch = TouchPanel(self.latest)
        flange = np.asarray(episode.metadata.config.get("retargeting", {}).get("flange", np.eye(4)))
        self.robot = RobotView(self.latest, flange)
        self.joints = pg.PlotWidget(title="arm joints (rad)")
        self._cursor_line = pg.InfiniteLine(angle=90, pen=pg.mkPen("#ffff60"))
        self._plot_joints()
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(0, int(self.duration_s * SLIDER_STEPS_PER_S))
        self.slider.valueChanged.connect(lambda v: self.seek(v / SLIDER_STEPS_PER_S))
        self.play_button = QPushButton("Play (Space)")
        self.play_button.clicked.connect(self.toggle_play)
        self.time_label = QLabel("")
        self._timer = QTimer(self)
        self._timer.timeout.connect(self._advance)
        self._played_at = 0.0

        controls = QHBoxLayout()
        controls.addWidget(self.play_button)
        controls.addWidget(self.slider, 1)
        controls.addWidget(self.time_label)
        top = QSplitter(Qt.Orientation.Horizontal)
        top.addWidget(self.cameras)
        top.addWidget(self.touch)
        bottom = QSplitter(Qt.Orientation.Horizontal)
        bottom.addWidget(self.joints)
        bottom.addWidget(self.robot)
        body = QSplitter(Qt.Orientation.Vertical)
        body.addWidget(top)
        body.addWidget(bottom)
        layout = QVBoxLayout(self)
        layout.addWidget(body, 1)
        layout.addLayout(controls)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.seek(0.0)

    def latest(self, stream: str) -> Sample | None:
        """The sample of ``stream`` shown at the current time (the panels' source)."""
        cursor = self._cursors.get(stream)
        return None if cursor is None else cursor.at(self.t_ns)

    @property
    def position_s(self) -> float:
        return (self.t_ns - self.start_ns) * 1e-9

    def seek(self, seconds: float) -> None:
        """Show every stream at ``seconds`` from the first sample (clamped to the episode)."""
        seconds = min(max(seconds, 0.0), self.duration_s)
        self.t_ns = self.start_ns + round(seconds * 1e9)
        self.slider.blockSignals(True)
        self.slider.setValue(round(seconds * SLIDER_STEPS_PER_S))
        self.slider.blockSignals(False)
        self.cameras.refresh(self.t_ns)
        self.touch.refresh(self.t_ns)
        self.robot.refresh()
        self._cursor_line.setValue(seconds)
        in_s, out_s = self.marks
        self.time_label.setText(
            f"{seconds:6.2f} / {self.duration_s:.2f} s   in {in_s:.2f}  out {out_s:.2f}"
        )
        self.position_changed.emit(seconds)

    def toggle_play(self) -> None:
        """Play from the current time at real speed, or pause."""
        if self._timer.isActive():
            self._timer.stop()
            self.play_button.setText("Play (Space)")
            return
        if self.position_s >= self.duration_s:
            self.seek(0.0)
        self._played_at = time.monotonic()
        self._timer.start(PLAY_PERIOD_MS)
        self.play_button.setText("Pause (Space)")

    def set_mark(self, which: int) -> None:
        """Set the trim in (0) or out (1) mark at the current time."""
        self.marks[which] = self.position_s
        self.marks.sort()
        self.seek(self.position_s)

    def _advance(self) -> None:
        now = time.monotonic()
        step, self._played_at = now - self._played_at, now
        self.seek(self.position_s + step)
        if self.position_s >= self.duration_s:
            self.toggle_play()

    def _plot_joints(self) -> None:
        self.joints.setLabel("bottom", "t (s)")
        self.joints.addItem(self._cursor_line)
        cursor = self._cursors.get(JOINT_STREAM)
        if cursor is None or JOINT_FIELD not in cursor.stream.fields:
            return
        t = (cursor.times - self.start_ns) * 1e-9
        q = cursor.stream.field(JOINT_FIELD)
        for j in range(q.shape[1]):
            colour = pg.intColor(j, hues=q.shape[1])
            self.joints.plot(t, q[:, j], pen=pg.mkPen(colour, width=1), connect="finite")

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        big = event.modifiers() & Qt.KeyboardModifier.ShiftModifier
        step = 1.0 if big else STEP_S
        moves = {
            Qt.Key.Key_Left: self.position_s - step,
            Qt.Key.Key_Right: self.position_s + step,
            Qt.Key.Key_Home: 0.0,
            Qt.Key.Key_End: self.duration_s,
        }
        if key == Qt.Key.Key_Space:
            self.toggle_play()
        elif key in moves:
            self.seek(moves[key])
        elif key in (Qt.Key.Key_I, Qt.Key.Key_O):
            self.set_mark(0 if key == Qt.Key.Key_I else 1)
        else:
            super().keyPressEvent(event)
