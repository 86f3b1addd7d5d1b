"""Tactile calibration: check no fingertip touches, tare, and see each sensor's drift.

One page: a live list of the ten fingertips (touching or free, F6 offset drift since the
last tare), a Tare button that the station refuses with the reason while anything touches,
and the result.
"""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLabel, QListWidget, QPushButton, QVBoxLayout, QWizard, QWizardPage

from app.station import Station, StationError
from calibration.tactile import touching

REFRESH_MS = 200


class TactileWizard(QWizard):
    """Tare the fingertip sensors of ``station``."""

    def __init__(self, station: Station) -> None:
        super().__init__()
        self.station = station
        self.setWindowTitle("Tactile calibration")
        page = QWizardPage()
        page.setTitle("Tare the fingertip sensors")
        page.setSubTitle("Take both hands off every object, then press Tare.")
        self.sensors = QListWidget()
        self.tare_button = QPushButton("Tare")
        self.result = QLabel("")
        self.result.setWordWrap(True)
        self.tare_button.clicked.connect(self.tare)
        layout = QVBoxLayout(page)
        layout.addWidget(self.sensors)
        layout.addWidget(self.tare_button)
        layout.addWidget(self.result)
        self.addPage(page)
        self.tared: list[str] = []
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.refresh)
        self._timer.start(REFRESH_MS)
        self.refresh()

    def refresh(self) -> None:
        """Show each fingertip's contact state and drift."""
        streams = [s.name for s in self.station.specs if s.family == "tactile"]
        history = self.station.drift.history
        lines = []
        for name in streams:
            sample = self.station.bus.latest(name)
            state = "no reading" if sample is None else "TOUCHING" if touching(sample) else "free"
            drift = f", drift {history[name][-1].offset_n:.2f} N" if history.get(name) else ""
            lines.append(f"{name}: {state}{drift}")
        if [self.sensors.item(i).text() for i in range(self.sensors.count())] != lines:
            self.sensors.clear()
            self.sensors.addItems(lines)

    def tare(self) -> None:
        """Ask the station to tare; show what it did or why it refused."""
        try:
            self.tared = self.station.tare_tactile()
        except (StationError, OSError) as exc:
            self.result.setStyleSheet("color:#ff6060")
            self.result.setText(str(exc))
            return
        self.result.setStyleSheet("")
        self.result.setText(f"tared {len(self.tared)} fingertip sensors; saved in the profile")
