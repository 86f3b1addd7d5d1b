"""Starts the Qt application with a station built from a config."""

from __future__ import annotations

import signal
import sys

from app.config import StationConfig
from app.station import Station


def run_gui(config: StationConfig, operator: str | None = None) -> int:
    """Open the main window on a running station for ``operator`` (default ``[ui]
    operator``); returns the Qt exit code, or 2 when ``[ui.keys]`` is invalid."""
    import pyqtgraph as pg
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from ui.keymap import KeymapError, build_keymap
    from ui.main_window import MainWindow

    try:
        build_keymap(config.ui.keys)
    except KeymapError as exc:
        print(f"dexstation: {exc}", file=sys.stderr)
        return 2
    app = QApplication.instance() or QApplication(sys.argv)
    for signum in (signal.SIGINT, signal.SIGTERM):  # Ctrl+C or kill: close cleanly
        signal.signal(signum, lambda *_: app.quit())
    wake = QTimer()  # lets Python run its signal handlers while Qt's loop waits
    wake.timeout.connect(lambda: None)
    wake.start(200)
    pg.setConfigOptions(imageAxisOrder="row-major", antialias=False)
    station = Station(config)
    station.launch()  # its processes start up while the window is built
    window = MainWindow(station, operator)
    window.show()
    station.start()
    app.aboutToQuit.connect(window.close)  # Ctrl+C and kill save the layout too
    try:
        return app.exec()
    finally:
        station.stop()
