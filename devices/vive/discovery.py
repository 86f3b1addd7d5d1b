"""Which VIVE trackers SteamVR knows of, with battery and current pose: for assigning the
wrist roles and for ``dexstation doctor``."""

from __future__ import annotations

import time
from dataclasses import dataclass
from types import ModuleType

import numpy as np

from devices.hardware import import_sdk
from devices.vive.session import VIVE_FIX, acquire, release

SETTLE_POLL_S = 0.02
"""Wait between polls while connected trackers have no valid pose yet (s)."""


def battery_text(battery: float | None) -> str:
    """A battery charge (0..1) as the health panel and the doctor print it."""
    return "no battery reading" if battery is None else f"battery {battery * 100:.0f} %"


@dataclass(frozen=True)
class TrackerInfo:
    """A generic tracker SteamVR knows of. ``battery`` is 0..1 (None when not reported);
    ``pose`` is T_universe_tracker (4x4, m, standing universe), None unless tracked."""

    serial: str
    battery: float | None
    connected: bool
    pose: np.ndarray | None

    @property
    def state(self) -> str:
        """E.g. "connected, battery 80 %", "connected, battery 80 %, not tracked", "off"."""
        if not self.connected:
            return "off"
        untracked = "" if self.pose is not None else ", not tracked"
        return f"connected, {battery_text(self.battery)}{untracked}"


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
