"""VIVE wrist trackers: SE(3) pose in the tracking universe, validity, tracking state, serial."""

from __future__ import annotations

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


class WristTracker(Device):
    """One wrist tracker, identified by its serial (``LHR-...``)."""

    family = "tracker"

    def __init__(self, name: str, side: str, serial: str, **kwargs) -> None:
        super().__init__(name, **kwargs)
        self.side = side
        self.serial = serial

    def info(self) -> dict[str, str]:
        return {**super().info(), "serial": self.serial}
