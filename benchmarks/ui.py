"""The operator window on the full simulated station: frame rate, CPU and loop timing.

Runs the packaged simulated station (three 1280x720 cameras at 30 fps, ten tactile channels,
gloves, trackers, robot) with the main window, engaged, for ``--seconds``, then prints one JSON
object on the last line:

- ``startup_s``: from creating the application to the first drawn camera frame;
- ``fps``: window refreshes per second that drew a new head-camera frame;
- ``cpu_pct``: CPU time of the station process (UI, bus, recorder) over wall time, in percent
  of one core (the sensor and control processes are not included);
- ``camera_hz``: the head camera's own frame rate meanwhile (the most ``fps`` can reach);
- ``loop_period_p99_ms`` and ``missed_ticks``: the control loop while the UI runs.

    QT_QPA_PLATFORM=offscreen python benchmarks/ui.py --seconds 20
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

# Python puts this script's folder first on the path, where this file would shadow the ``ui``
# package it measures.
sys.path = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=20.0)
    args = parser.parse_args()
    started = time.perf_counter()

    import pyqtgraph as pg
    from PySide6.QtWidgets import QApplication

    from app.config import load_config
    from app.station import Station
    from ui.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv)
    pg.setConfigOptions(imageAxisOrder="row-major", antialias=False)
    config = load_config()
    layouts = tempfile.TemporaryDirectory()  # the default layout, whatever operators saved
    config.ui.preferences_dir = layouts.name
    station = Station(config)
    station.launch()  # as dexstation run does: its processes start up while the window is built
    window = MainWindow(station)
    window.show()
    with layouts, station:
        while window.frames_drawn == 0:
            app.processEvents()
            time.sleep(0.002)
        startup_s = time.perf_counter() - started
        station.wait_for(station.inputs_ready, 10.0)
        station.engage()
        station.loop_stats.reset()
        drawn0, cpu0, t0 = window.frames_drawn, time.process_time(), time.perf_counter()
        while time.perf_counter() < t0 + args.seconds:
            app.processEvents()
            time.sleep(0.001)
        wall = time.perf_counter() - t0
        cpu = time.process_time() - cpu0
        drawn = window.frames_drawn - drawn0
        timing = station.loop_stats.timing()
        camera_hz = station.bus.health()["camera_head"].rate_hz
    result = {
        "seconds": args.seconds,
        "startup_s": round(startup_s, 3),
        "fps": round(drawn / wall, 2),
        "cpu_pct": round(100.0 * cpu / wall, 1),
        "camera_hz": round(camera_hz, 1),
        "loop_period_p99_ms": round(timing.period_p99_ms, 4),
        "missed_ticks": timing.missed_ticks,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
