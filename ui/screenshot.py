"""Screenshot of the operator window on the simulated station, mid-grasp.

    python -m ui.screenshot docs/screenshot.png

Runs the station, engages, waits until the scripted operator is lifting the grasped object
(the fingertip pads pressing into it), lets the panels catch up, and saves the window. Run it
under a display (``make screenshot`` uses Xvfb).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

GRASP_PHASE = "lift"
"""The operator phase in which the hand holds the object."""
SETTLE_S = 0.6
"""Time into the phase before the picture: the robot lags its targets."""
TIMEOUT_S = 60.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("output", type=Path, help="PNG file to write")
    parser.add_argument("--config", type=Path, default=None, help="station TOML")
    args = parser.parse_args(argv)

    import pyqtgraph as pg
    from PySide6.QtWidgets import QApplication

    from app.config import load_config
    from app.station import Station
    from devices.sim.operator import operator_of
    from ui.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv)
    pg.setConfigOptions(imageAxisOrder="row-major", antialias=False)
    config = load_config(args.config)
    layouts = tempfile.TemporaryDirectory()  # the default layout, whatever operators saved
    config.ui.preferences_dir = layouts.name
    with layouts, Station(config) as station:
        window = MainWindow(station)
        window.resize(1600, 900)
        window.show()
        operator = operator_of(station.context)
        end = time.monotonic() + TIMEOUT_S
        engaged = False
        phase_start = None
        while time.monotonic() < end:
            app.processEvents()
            if not engaged and station.inputs_ready():
                station.engage()
                engaged = True
            in_phase = operator.phase(time.monotonic_ns()) == GRASP_PHASE
            if engaged and in_phase:
                phase_start = phase_start or time.monotonic()
                if time.monotonic() - phase_start >= SETTLE_S:
                    break
            elif phase_start is not None and not in_phase:
                phase_start = None
            time.sleep(0.01)
        else:
            print(f"the operator never reached {GRASP_PHASE!r} in {TIMEOUT_S:.0f} s")
            return 1
        for _ in range(10):  # a few more redraws with the latest frames
            app.processEvents()
            time.sleep(0.03)
        args.output.parent.mkdir(parents=True, exist_ok=True)
        window.grab().save(str(args.output))
        window.close()
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
