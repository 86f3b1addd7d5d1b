"""A first main window: state, head camera, robot view, device health, engage, record and
E-stop.

Reads Station snapshots on a timer and sends commands; never on the control path.
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.state_machine import State
from app.station import Station, StationError
from ui.robot_view import RobotView

STATE_COLOURS = {
    State.IDLE: "#607080",
    State.ENGAGING: "#c09020",
    State.ENGAGED: "#2a9040",
    State.HOLD: "#d07010",
    State.ESTOP: "#c02020",
}
REFRESH_MS = 33


class MainWindow(QMainWindow):
    """Operator window for one station."""

    def __init__(self, station: Station) -> None:
        super().__init__()
        self.station = station
        self.setWindowTitle(f"dexstation — {station.config.station.name}")
        self.state_label = QLabel("IDLE")
        self.state_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.state_label.setMinimumHeight(48)
        self.reason_label = QLabel("")
        self.camera = pg.ImageItem()
        view = pg.GraphicsLayoutWidget()
        box = view.addViewBox(lockAspect=True, invertY=True)
        box.addItem(self.camera)
        self.frames_drawn = 0
        """Head-camera frames drawn so far (the window's frame rate)."""
        self._camera_seq: int | None = None
        self.robot = RobotView(station.bus.latest)
        self.health = QTableWidget(0, 6)
        self.health.setHorizontalHeaderLabels(["stream", "Hz", "age ms", "gaps", "drops", "bad"])
        self.primitive = QLineEdit(placeholderText="primitive")
        self.object_name = QLineEdit(placeholderText="object")
        self.record_button = QPushButton("Record (R)")
        self.estop_button = QPushButton("E-STOP (Esc)")
        self.estop_button.setStyleSheet("background:#c02020;color:white;font-weight:bold")
        self.estop_button.setMinimumHeight(48)
        engage = QPushButton("Engage (E)")
        disengage = QPushButton("Disengage (D)")
        reset = QPushButton("Reset E-stop")
        engage.clicked.connect(station.engage)
        disengage.clicked.connect(station.disengage)
        reset.clicked.connect(station.reset_estop)
        self.estop_button.clicked.connect(station.estop)
        self.record_button.clicked.connect(self.toggle_recording)
        for key, slot in (
            ("Escape", station.estop),
            ("E", station.engage),
            ("D", station.disengage),
            ("R", self.toggle_recording),
        ):
            shortcut = QShortcut(QKeySequence(key), self)
            shortcut.setContext(Qt.ShortcutContext.ApplicationShortcut)
            shortcut.activated.connect(slot)

        controls = QHBoxLayout()
        for widget in (engage, disengage, reset, self.primitive, self.object_name):
            controls.addWidget(widget)
        controls.addWidget(self.record_button)
        side = QVBoxLayout()
        side.addWidget(self.state_label)
        side.addWidget(self.reason_label)
        side.addWidget(self.health, 1)
        side.addWidget(self.estop_button)
        left = QVBoxLayout()
        left.addWidget(view, 3)
        left.addWidget(self.robot, 2)
        body = QHBoxLayout()
        body.addLayout(left, 3)
        body.addLayout(side, 2)
        root = QVBoxLayout()
        root.addLayout(body, 1)
        root.addLayout(controls)
        central = QWidget()
        central.setLayout(root)
        self.setCentralWidget(central)
        self.resize(1400, 800)
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.refresh)
        self.timer.start(REFRESH_MS)

    def toggle_recording(self) -> None:
        """Start an episode with the typed primitive/object, or stop the current one."""
        try:
            if self.station.recording is None:
                self.station.start_recording(self.primitive.text(), self.object_name.text())
            else:
                self.station.stop_recording()
        except StationError as exc:
            QMessageBox.warning(self, "dexstation", str(exc))

    def refresh(self) -> None:
        """Redraw from the latest snapshot."""
        snap = self.station.snapshot()
        self.state_label.setText(snap.state.name)
        self.state_label.setStyleSheet(
            f"background:{STATE_COLOURS[snap.state]};color:white;font-size:24px;font-weight:bold"
        )
        rec = f"  ● REC {snap.recording} {snap.recording_s:.0f} s" if snap.recording else ""
        self.reason_label.setText(f"{snap.reason}{rec}")
        self.record_button.setText("Stop (R)" if snap.recording else "Record (R)")
        frame = self.station.bus.latest("camera_head")
        if frame is not None and frame.seq != self._camera_seq:
            self._camera_seq = frame.seq
            self.camera.setImage(frame.data["image"], autoLevels=False, levels=(0, 255))
            self.frames_drawn += 1
        self.robot.refresh()
        rows = list(snap.health.values())
        self.health.setRowCount(len(rows))
        for i, h in enumerate(rows):
            values = (h.stream, f"{h.rate_hz:.0f}", f"{h.age_ms:.0f}", h.gaps, h.dropped, h.invalid)
            for j, value in enumerate(values):
                self.health.setItem(i, j, QTableWidgetItem(str(value)))
