"""VIVE wrist trackers: SE(3) pose in the tracking universe, validity, tracking state, serial."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from devices.device import Device
from devices.streams import FieldSpec, StreamSpec

TRACKING_RUNNING_OK = 200
"""OpenVR ETrackingResult value for a pose that is being tracked normally."""


def tracker_stream(side: str, rate_hz: float) -> StreamSpec:
    """Stream ``tracker_{side}``: 4x4 homogeneous pose (m) of the tracker in the universe frame.

    The universe frame is OpenVR's standing universe: right-handed, +y up, -z forward.
    ``Sample.valid`` is OpenVR's ``bPoseIsValid``.
    """
    return StreamSpec(
        f"tracker_{side}",
        "tracker",
        rate_hz,
        {
            "pose": FieldSpec((4, 4), "float64", "m", "T_universe_tracker, standing universe"),
            "tracking_result": FieldSpec((), "int32", "1", "OpenVR ETrackingResult (200 = OK)"),
        },
    )


def battery_text(battery: float | None) -> str:
    """A battery charge (0..1) as the health panel and the doctor print it."""
    return "no battery reading" if battery is None else f"battery {battery * 100:.0f} %"


@dataclass(frozen=True)
class TrackerInfo:
    """A tracker a source knows of. ``battery`` is 0..1 (None when not reported); ``pose`` is
    T_universe_tracker (4x4, m, standing universe), None unless tracked."""

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


class WristTracker(Device):
    """One wrist tracker, identified by its serial (``LHR-...``)."""

    family = "tracker"

    def __init__(self, name: str, side: str, serial: str, **kwargs) -> None:
        super().__init__(name, **kwargs)
        self.side = side
        self.serial = serial

    def info(self) -> dict[str, str]:
        return {**super().info(), "serial": self.serial}

    @classmethod
    def census(cls, options: Any, timeout_s: float) -> list[TrackerInfo]:
        """Every tracker this backend's source sees now, configured or not, for assigning the
        wrist roles; [] when the backend cannot list trackers beyond its own (simulated,
        replayed). Takes at most about ``timeout_s`` (s); DeviceError naming the fix when the
        source cannot be reached."""
        return []
