"""The station's status: state (big, coloured), devices, streams, control loop, disk, episode.

Fed a :class:`~app.station.Snapshot` by the window timer. The state label follows every
snapshot; tables are redrawn at TABLE_PERIOD_NS, and the costlier figures (loop timing
percentiles, disk space, episode size on disk) at SLOW_PERIOD_NS.
"""

from __future__ import annotations

import math
import os
import shutil
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QHeaderView, QLabel, QTableView, QVBoxLayout, QWidget

from app.health import StreamHealth
from app.loop_stats import LoopTiming
from app.state_machine import State
from app.station import Snapshot

STATE_COLOURS = {
    State.IDLE: "#607080",
    State.ENGAGING: "#c09020",
    State.ENGAGED: "#2a9040",
    State.HOLD: "#d07010",
    State.ESTOP: "#c02020",
}
TABLE_PERIOD_NS = 1_000_000_000
SLOW_PERIOD_NS = 1_000_000_000
STALE_MS = 500.0
"""A stream whose newest sample is older than this (ms) is marked stale (red)."""
LOW_DISK_BYTES = 5 * 1024**3
"""Free space under which the disk line turns red (about ten minutes of recording)."""
BAD = QBrush(QColor("#802020"))
WARN = QBrush(QColor("#705010"))
STREAM_COLUMNS = ("stream", "Hz", "age ms", "latency ms", "gaps", "drops", "bad")
DEVICE_COLUMNS = ("device", "connected", "message")


def folder_bytes(path: Path) -> int:
    """Bytes of the files under ``path`` (0 if it does not exist)."""
    total = 0
    for root, _, files in os.walk(path):
        for name in files:
            try:
                total += os.stat(os.path.join(root, name)).st_size
            except OSError:  # the writer replaced it meanwhile
                continue
    return total


class RowsModel(QAbstractTableModel):
    """A table of text rows, each with an optional background, replaced whole at each
    refresh: one ``dataChanged`` per refresh instead of a signal per cell."""

    def __init__(self, columns: tuple[str, ...]) -> None:
        super().__init__()
        self.columns = columns
        self._rows: list[tuple[str, ...]] = []
        self._brushes: list[QBrush | None] = []

    def rowCount(self, parent: QModelIndex | None = None) -> int:
        return len(self._rows)

    def columnCount(self, parent: QModelIndex | None = None) -> int:
        return len(self.columns)

    def text(self, row: int, column: int) -> str:
        return self._rows[row][column]

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if role == Qt.ItemDataRole.DisplayRole:
            return self._rows[index.row()][index.column()]
        if role == Qt.ItemDataRole.BackgroundRole:
            return self._brushes[index.row()]
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.columns[section]
        return None

    def set_rows(self, rows: list[tuple[str, ...]], brushes: list[QBrush | None]) -> None:
        """Show ``rows`` (texts per column) with their backgrounds."""
        if rows == self._rows and brushes == self._brushes:
            return
        if len(rows) != len(self._rows):
            self.beginResetModel()
            self._rows, self._brushes = rows, brushes
            self.endResetModel()
            return
        self._rows, self._brushes = rows, brushes
        last = self.index(len(rows) - 1, len(self.columns) - 1)
        self.dataChanged.emit(self.index(0, 0), last)


def _view(model: RowsModel) -> QTableView:
    view = QTableView()
    view.setModel(model)
    view.verticalHeader().setVisible(False)
    view.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
    view.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    header = view.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)  # once per refresh
    header.setStretchLastSection(True)
    return view


def _ms(value: float) -> str:
    return "—" if not math.isfinite(value) else f"{value:.0f}"


def stream_brush(health: StreamHealth) -> QBrush | None:
    """Red for a stale stream, amber for one that lost or rejected samples."""
    if not health.age_ms < STALE_MS:
        return BAD
    if health.gaps or health.dropped or health.invalid:
        return WARN
    return None


class StatusPanel(QWidget):
    """State, device and stream health, loop timing, disk and episode figures.

    ``loop_timing()`` gives the control loop's timing; ``dataset_folder()`` the local folder
    episodes are written to (for the free space).
    """

    def __init__(
        self, loop_timing: Callable[[], LoopTiming], dataset_folder: Callable[[], Path]
    ) -> None:
        super().__init__()
        self._loop_timing = loop_timing
        self._dataset_folder = dataset_folder
        self.state_label = QLabel("IDLE")
        self.state_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.state_label.setMinimumHeight(56)
        self.reason_label = QLabel("")
        self.reason_label.setWordWrap(True)
        self.episode_label = QLabel("not recording")
        self.loop_label = QLabel("")
        self.disk_label = QLabel("")
        self.drift_label = QLabel("")
        self.drift_label.setStyleSheet("color:#ff8040")
        self.drift_label.setWordWrap(True)
        self.devices = RowsModel(DEVICE_COLUMNS)
        self.streams = RowsModel(STREAM_COLUMNS)
        self._devices_view, self._streams_view = _view(self.devices), _view(self.streams)
        layout = QVBoxLayout(self)
        for widget in (self.state_label, self.reason_label, self.episode_label):
            layout.addWidget(widget)
        layout.addWidget(self.loop_label)
        layout.addWidget(self.disk_label)
        layout.addWidget(self.drift_label)
        layout.addWidget(self._devices_view, 1)
        layout.addWidget(self._streams_view, 2)
        self._state: State | None = None
        self._next_table_ns = 0
        self._next_slow_ns = 0
        self._episode_bytes = 0

    def refresh(self, snap: Snapshot, episode_path: Path | None) -> None:
        """Show ``snap``; ``episode_path`` is the folder of the running episode, if any."""
        if snap.state is not self._state:
            self._state = snap.state
            self.state_label.setText(snap.state.name)
            self.state_label.setStyleSheet(
                f"background:{STATE_COLOURS[snap.state]};color:white;"
                "font-size:28px;font-weight:bold"
            )
        if self.reason_label.text() != snap.reason:
            self.reason_label.setText(snap.reason)
        drift = "\n".join(snap.tactile_drift)
        if self.drift_label.text() != drift:
            self.drift_label.setText(drift)
        if snap.t_ns >= self._next_slow_ns:
            self._next_slow_ns = snap.t_ns + SLOW_PERIOD_NS
            self._refresh_slow(snap, episode_path)
        if snap.recording:
            size = self._episode_bytes / 1e6
            self.episode_label.setText(
                f"● REC {snap.recording}   {snap.recording_s:.0f} s   {size:.0f} MB"
            )
        elif self.episode_label.text() != "not recording":
            self.episode_label.setText("not recording")
        if snap.t_ns >= self._next_table_ns:
            self._next_table_ns = snap.t_ns + TABLE_PERIOD_NS
            self._refresh_tables(snap)

    def _refresh_slow(self, snap: Snapshot, episode_path: Path | None) -> None:
        timing = self._loop_timing()
        self.loop_label.setText(
            f"control loop {timing.rate_hz:.0f} Hz · period p99 ±{timing.period_p99_ms:.2f} ms"
            f" · missed {snap.control.missed_ticks} · compute {timing.compute_p50_us:.0f} µs"
            f" · {snap.control.realtime}"
        )
        self._episode_bytes = folder_bytes(episode_path) if episode_path else 0
        folder = self._dataset_folder()
        try:
            free = shutil.disk_usage(folder if folder.exists() else folder.parent).free
        except OSError as exc:
            self.disk_label.setText(f"disk: cannot check {folder} ({exc.strerror})")
            self.disk_label.setStyleSheet("color:#ff6060")
            return
        self.disk_label.setText(f"disk: {free / 1e9:.1f} GB free in {folder}")
        self.disk_label.setStyleSheet("color:#ff6060" if free < LOW_DISK_BYTES else "")

    def _refresh_tables(self, snap: Snapshot) -> None:
        devices = sorted(snap.devices.items())
        self.devices.set_rows(
            [(name, "yes" if st.connected else "NO", st.message) for name, st in devices],
            [None if st.connected else BAD for _, st in devices],
        )
        health = sorted(snap.health.values(), key=lambda h: h.stream)
        rows = [
            (
                h.stream,
                f"{h.rate_hz:.0f}",
                _ms(h.age_ms),
                _ms(h.latency_ms),
                str(h.gaps),
                str(h.dropped),
                str(h.invalid),
            )
            for h in health
        ]
        self.streams.set_rows(rows, [stream_brush(h) for h in health])
