"""Which VIVE trackers SteamVR knows of, with battery and current pose: for assigning the
wrist roles and for ``dexstation doctor``."""

from __future__ import annotations

import time
from types import ModuleType

from devices.hardware import import_sdk
from devices.trackers import TrackerInfo
from devices.vive.session import VIVE_FIX, acquire, release

SETTLE_POLL_S = 0.02
"""Wait between polls while connected trackers have no valid pose yet (s)."""


def discover_trackers(
    timeout_s: float = 1.0, openvr: ModuleType | None = None
) -> list[TrackerInfo]:
    """Every generic tracker, sorted by serial, polled until each connected one has a valid
    pose or ``timeout_s`` (s) has passed.

    Shares the process's OpenVR session (trackers streaming meanwhile are unaffected).
    ``openvr`` defaults to the installed pyopenvr. Raises DeviceError naming the fix when
    OpenVR is missing or SteamVR is not running.
    """
    openvr = openvr or import_sdk("openvr", VIVE_FIX)
    session = acquire(openvr)
    try:
        deadline = time.monotonic() + timeout_s
        while True:
            poll = session.poll()
            readings = {serial: poll.reading(slot) for serial, slot in poll.trackers.items()}
            settled = all(r.usable for s, r in readings.items() if poll.trackers[s].connected)
            if settled or time.monotonic() >= deadline:
                break
            time.sleep(SETTLE_POLL_S)
        return [
            TrackerInfo(
                serial,
                session.battery(slot.index) if slot.connected else None,
                slot.connected,
                readings[serial].pose if readings[serial].usable else None,
            )
            for serial, slot in sorted(poll.trackers.items())
        ]
    finally:
        release(session)
