"""The operator's main window: cameras in the middle, touch, robot, status and episode panels
in docks around them, E-STOP always in the toolbar.

Reads Station snapshots on a timer and sends commands; never on the control path. Keys (and
foot pedals) go through :class:`~ui.keymap.KeyRouter`. The dock layout, window geometry and
display choices are saved per operator (:mod:`ui.preferences`) when the window closes or the
operator changes, and restored for the operator typed in the episode panel.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import numpy as np
from PySide6.QtCore import QByteArray, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QMainWindow,
    QPushButton,
    QToolBar,
    QWidget,
    QWizard,
)

from app.station import Station, StationError
from ui.camera_panel import CameraPanel
from ui.episode_browser import EpisodeBrowser
from ui.episode_panel import EpisodePanel
from ui.glove_wizard import GloveWizard
from ui.keymap import DEFAULT_KEYS, KeyRouter, build_keymap, keys_of
from ui.preferences import Preferences, load_preferences, save_preferences
from ui.robot_view import RobotView
from ui.robot_view_3d import RobotView3D, choose_robot_view, opengl_renderer
from ui.status_panel import StatusPanel
from ui.tactile_wizard import TactileWizard
from ui.touch_panel import TouchPanel
from ui.tracker_wizard import TrackerWizard

REFRESH_MS = 10
"""Timer period: cameras and touch are redrawn as soon as a new frame is there (a 30 fps
stream polled at 30 Hz loses frames to the beat between the two)."""
SLOW_PANEL_NS = 66_000_000
"""The robot view (200 Hz data) is redrawn at most this often (ns): 15 Hz is smooth for a
kinematic sketch and costs half of 30 Hz."""
STATUS_NS = 100_000_000
"""State, health and episode panels are refreshed this often (ns)."""
DEFAULT_SIZE = (1600, 900)
"""Window size (pixels) before an operator's own is restored."""
ESTOP_STYLE = "background:#c02020;color:white;font-weight:bold;font-size:18px;padding:8px 24px"


class MainWindow(QMainWindow):
    """Operator window for one station; ``operator`` overrides ``[ui] operator``."""

    aligned = Signal(str)
    """A quick re-alignment finished; carries the result for the status bar."""

    def __init__(self, station: Station, operator: str | None = None) -> None:
        super().__init__()
        self.station = station
        self._aligning = False
        self.aligned.connect(self._show_aligned)
        config = station.config
        self.setWindowTitle(f"dexstation — {config.station.name}")
        self.setDockOptions(QMainWindow.DockOption.AnimatedDocks)
        self.keymap = build_keymap(config.ui.keys)
        latest = station.bus.latest
        self.cameras = CameraPanel(latest)
        self.touch = TouchPanel(latest)
        flange = np.asarray(config.retargeting.flange)
        renderer = None if config.ui.robot_view == "2d" else opengl_renderer()
        view, self.robot_view_choice = choose_robot_view(config.ui.robot_view, renderer)
        """Which robot view is shown, and why."""
        table = (config.sim.table_x_m, config.sim.table_y_m, config.sim.table_height_m)
        self.robot: RobotView | RobotView3D = (
            RobotView3D(latest, flange, table) if view == "3d" else RobotView(latest, flange)
        )
        store = station.dataset_store
        folder = store.local_path or store.spool_folder(config.dataset.spool)
        self.status = StatusPanel(station.loop_stats.timing, lambda: Path(folder))
        self.episode = EpisodePanel(station, config.ui.operator if operator is None else operator)
        self.setCentralWidget(self.cameras)
        self._docks: dict[str, QDockWidget] = {}
        for name, widget, area in (
            ("Status", self.status, Qt.DockWidgetArea.LeftDockWidgetArea),
            ("Episode", self.episode, Qt.DockWidgetArea.RightDockWidgetArea),
            ("Touch", self.touch, Qt.DockWidgetArea.BottomDockWidgetArea),
            ("Robot", self.robot, Qt.DockWidgetArea.BottomDockWidgetArea),
        ):
            self._add_dock(name, widget, area)
        self._docks["Robot"].setToolTip(self.robot_view_choice)
        self.statusBar().showMessage(self.robot_view_choice, 10_000)
        self.cameras.setMinimumSize(480, 270)
        self.resize(*DEFAULT_SIZE)
        docks = self._docks
        self.resizeDocks([docks["Status"], docks["Episode"]], [400, 380], Qt.Orientation.Horizontal)
        self.resizeDocks([docks["Touch"]], [280], Qt.Orientation.Vertical)
        self.resizeDocks([docks["Touch"], docks["Robot"]], [900, 700], Qt.Orientation.Horizontal)
        self._default_layout = self.saveState()

        actions = {
            "estop": station.estop,
            "engage": station.engage,
            "disengage": station.disengage,
            "record": self.episode.toggle_recording,
            "success": lambda: self.episode.finish("success"),
            "failure": lambda: self.episode.finish("failure"),
            "discard": self.episode.discard,
            "next": self.episode.select_next,
            "clutch": station.clutch,
            "raw": lambda: self.raw_action.toggle(),
            "baseline": self.touch.capture_baseline,
            "align": self.quick_align,
        }
        self.keys = {action: keys_of(self.keymap, action) for action in DEFAULT_KEYS}
        self.episode.label_keys(self.keys)
        self._build_toolbar()
        self._build_menu()
        self.router = KeyRouter(self, self.keymap, actions)
        QApplication.instance().installEventFilter(self.router)

        self.frames_drawn = 0
        """Head-camera frames drawn so far (the window's frame rate)."""
        self.browser: EpisodeBrowser | None = None
        self.wizard: QWizard | None = None
        """The calibration wizard last opened from the Calibrate menu."""
        self._next_robot_ns = self._next_status_ns = 0
        self._operator = self.episode.operator_name
        self._apply(self._load(self._operator))
        self.episode.operator_changed.connect(self._switch_operator)
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.refresh)
        self.timer.start(REFRESH_MS)

    def _add_dock(self, name: str, widget: QWidget, area: Qt.DockWidgetArea) -> None:
        dock = QDockWidget(name, self)
        dock.setObjectName(f"dock-{name.lower()}")
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        self._docks[name] = dock

    def _button(self, text: str, action: str, slot: object) -> QPushButton:
        keys = self.keys.get(action, "")
        button = QPushButton(f"{text} ({keys})" if keys else text)
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keys stay with the key router
        button.clicked.connect(slot)
        return button

    def _build_toolbar(self) -> None:
        bar = QToolBar("Controls", self)
        bar.setObjectName("toolbar-controls")
        bar.setMovable(False)
        bar.setFloatable(False)
        bar.toggleViewAction().setEnabled(False)  # E-STOP can never be hidden
        self.estop_button = self._button("E-STOP", "estop", self.station.estop)
        self.estop_button.setStyleSheet(ESTOP_STYLE)
        bar.addWidget(self.estop_button)
        bar.addSeparator()
        for text, action, slot in (
            ("Engage", "engage", self.station.engage),
            ("Disengage", "disengage", self.station.disengage),
            ("Reset E-stop", "", self.station.reset_estop),
        ):
            bar.addWidget(self._button(text, action, slot))
        bar.addSeparator()
        self.raw_action = QAction(f"Raw tactile ({self.keys['raw']})", self, checkable=True)
        self.raw_action.toggled.connect(self.touch.show_raw)
        bar.addAction(self.raw_action)
        bar.addWidget(self._button("Tactile baseline", "baseline", self.touch.capture_baseline))
        self.tare_button = self._button("Tare tactile", "", self.tare_tactile)
        bar.addWidget(self.tare_button)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, bar)

    def _build_menu(self) -> None:
        episodes = self.menuBar().addMenu("&Episodes")
        review = episodes.addAction("Review episodes…")
        review.setShortcut("Ctrl+O")
        review.triggered.connect(self.open_browser)
        calibrate = self.menuBar().addMenu("&Calibrate")
        for text, opener in (
            ("Trackers…", lambda: TrackerWizard(self.station)),
            ("Left glove…", lambda: GloveWizard(self.station, self._operator or "unnamed", "left")),
            (
                "Right glove…",
                lambda: GloveWizard(self.station, self._operator or "unnamed", "right"),
            ),
            ("Tactile…", lambda: TactileWizard(self.station)),
        ):
            calibrate.addAction(text).triggered.connect(
                lambda _=False, o=opener: self._show_wizard(o())
            )
        calibrate.addSeparator()
        align = calibrate.addAction(f"Quick re-align ({self.keys['align']})")
        align.triggered.connect(self.quick_align)
        view = self.menuBar().addMenu("&View")
        for dock in self._docks.values():
            view.addAction(dock.toggleViewAction())
        view.addSeparator()
        reset = view.addAction("Reset layout")
        reset.triggered.connect(lambda: self.restoreState(self._default_layout))

    def _show_wizard(self, wizard: QWizard) -> None:
        self.wizard = wizard
        wizard.show()

    def quick_align(self) -> None:
        """Re-align the trackers while the operator holds the robot's reset pose (about a
        second, off the UI thread); the result shows in the status bar."""
        if self._aligning:
            return
        self._aligning = True
        self.statusBar().showMessage("re-aligning: hold your wrists where the robot's are…")
        threading.Thread(target=self._run_quick_align, name="quick-align", daemon=True).start()

    def _run_quick_align(self) -> None:
        try:
            fit, _ = self.station.quick_align()
        except (StationError, OSError) as exc:
            message = str(exc)
        else:
            message = (
                f"re-aligned: moved {fit.moved_mm:.0f} mm, turned {fit.turned_deg:.1f} deg; "
                f"residual {fit.residual_mm:.1f} mm, {fit.residual_deg:.1f} deg"
            )
        self.aligned.emit(message)

    def _show_aligned(self, message: str) -> None:
        self._aligning = False
        self.statusBar().showMessage(message, 20_000)

    def tare_tactile(self) -> None:
        """Zero the fingertip sensors (refused, with the reason, while any touches)."""
        try:
            streams = self.station.tare_tactile()
        except (StationError, OSError) as exc:
            self.statusBar().showMessage(str(exc))
            return
        self.touch.capture_baseline()
        self.statusBar().showMessage(f"tared {len(streams)} fingertip sensors", 10_000)

    def open_browser(self) -> None:
        """Open the episode browser on this station's dataset (a local folder)."""
        if self.station.dataset_store.local_path is None:
            self.statusBar().showMessage(
                "review works on a local dataset: open the dataset folder with "
                "dexstation episodes, or point [dataset] root at a folder"
            )
            return
        if self.browser is None:
            self.browser = EpisodeBrowser(self.station.dataset_store)
        self.browser.reload()
        self.browser.show()
        self.browser.raise_()

    def refresh(self) -> None:
        """Redraw every panel from the latest samples and snapshot."""
        now = time.monotonic_ns()
        self.cameras.refresh(now)
        self.frames_drawn = next(iter(self.cameras.views.values())).frames
        self.touch.refresh(now)
        if now >= self._next_robot_ns:
            self._next_robot_ns = now + SLOW_PANEL_NS
            self.robot.refresh()
        if now >= self._next_status_ns:
            self._next_status_ns = now + STATUS_NS
            recording = self.station.recording
            self.status.refresh(self.station.snapshot(), recording.path if recording else None)
            self.episode.refresh()

    def preferences(self) -> Preferences:
        """The window's current layout and choices."""
        return Preferences(
            geometry=bytes(self.saveGeometry().toBase64()).decode(),
            layout=bytes(self.saveState().toBase64()).decode(),
            show_raw=self.raw_action.isChecked(),
        )

    def _load(self, operator: str) -> Preferences:
        prefs, warning = load_preferences(self.station.config.ui.preferences_dir, operator)
        if warning:
            self.statusBar().showMessage(warning)
        return prefs

    def _apply(self, prefs: Preferences) -> None:
        if prefs.geometry:
            self.restoreGeometry(QByteArray.fromBase64(prefs.geometry.encode()))
        else:
            self.resize(*DEFAULT_SIZE)
        self.restoreState(
            QByteArray.fromBase64(prefs.layout.encode()) if prefs.layout else self._default_layout
        )
        self.raw_action.setChecked(prefs.show_raw)

    def save_preferences(self) -> None:
        """Save the layout for the current operator (a message says where, or why not)."""
        try:
            path = save_preferences(
                self.station.config.ui.preferences_dir, self._operator, self.preferences()
            )
        except OSError as exc:
            self.statusBar().showMessage(f"layout not saved: {exc}")
            return
        self.statusBar().showMessage(f"layout saved to {path}", 5000)

    def _switch_operator(self, operator: str) -> None:
        if operator == self._operator:
            return
        self.save_preferences()
        self._operator = operator
        self._apply(self._load(operator))
        try:
            self.station.set_operator(operator)
        except StationError as exc:
            self.statusBar().showMessage(f"{operator}'s gloves keep the previous mapping: {exc}")

    def closeEvent(self, event: QCloseEvent) -> None:
        self.timer.stop()
        self.router.release_held()
        QApplication.instance().removeEventFilter(self.router)
        self.save_preferences()
        if self.browser is not None:
            self.browser.close()
        super().closeEvent(event)
