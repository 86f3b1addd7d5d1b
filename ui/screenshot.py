"""Screenshot of the operator window on the simulated station, mid-grasp.

    python -m ui.screenshot docs/screenshot.png

Runs the station, engages, waits until the touch panel shows a grasp (fingertips of one hand
in contact for a moment), lets the panels catch up, and saves the window. Run it
under a display (``make screenshot`` uses Xvfb).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

GRASP_CONTACTS = 3
"""Fingertips of one hand in contact that make a grasp."""
SETTLE_S = 0.6
"""How long the grasp must have lasted before the picture."""
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
        end = time.monotonic() + TIMEOUT_S
        engaged = False
        grasp_start = None
        while time.monotonic() < end:
            app.processEvents()
            if not engaged and station.inputs_ready():
                station.engage()
                engaged = True
            if engaged and _grasping(window):
                grasp_start = grasp_start or time.monotonic()
                if time.monotonic() - grasp_start >= SETTLE_S:
                    break
            else:
                grasp_start = None
            time.sleep(0.01)
        else:
            print(f"no grasp ({GRASP_CONTACTS} fingertips in contact) in {TIMEOUT_S:.0f} s")
            return 1
        app.processEvents()  # paint what the last refresh drew, still mid-grasp
        args.output.parent.mkdir(parents=True, exist_ok=True)
        window.grab().save(str(args.output))
        touching = sorted(
            f"{side} {finger}" for (side, finger), on in window.touch.contact.items() if on
        )
        print(f"in contact: {', '.join(touching)}")
        window.close()
    print(f"wrote {args.output}")
    return 0


def _grasping(window) -> bool:
    """True while one hand has GRASP_CONTACTS fingertips in contact on the touch panel."""
    contact = window.touch.contact
    return any(
        sum(on for (side, _), on in contact.items() if side == hand) >= GRASP_CONTACTS
        for hand in ("left", "right")
    )


if __name__ == "__main__":
    sys.exit(main())
