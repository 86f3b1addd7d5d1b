"""One tracker's pose as OpenVR reports it, in the form both tracker backends emit and the
pose wire carries."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True, slots=True)
class TrackerReading:
    """A tracker's pose at one poll.

    ``pose`` is T_universe_tracker, 4x4 float64 (m), in OpenVR's standing universe
    (right-handed, +y up, -z forward). ``valid`` is OpenVR's ``bPoseIsValid and
    bDeviceIsConnected``; ``tracking_result`` its ETrackingResult (200 = Running_OK).
    """

    serial: str
    pose: np.ndarray
    valid: bool
    tracking_result: int

    @property
    def usable(self) -> bool:
        """Valid and finite: a pose the station may act on."""
        return self.valid and bool(np.isfinite(self.pose).all())


def pose_from_3x4(rows: Any) -> np.ndarray:
    """The 4x4 homogeneous transform (float64) of a 3x4 row-major [R|t]."""
    pose = np.eye(4)
    pose[:3, :] = np.asarray(rows, dtype=np.float64).reshape(3, 4)
    return pose


def reading_from_openvr(serial: str, pose: Any) -> TrackerReading:
    """The reading of one ``openvr.TrackedDevicePose_t`` (its 3x4 ``mDeviceToAbsoluteTracking``
    is float32 in OpenVR; widened to float64)."""
    return TrackerReading(
        serial,
        pose_from_3x4(np.ctypeslib.as_array(pose.mDeviceToAbsoluteTracking.m)),
        bool(pose.bPoseIsValid) and bool(pose.bDeviceIsConnected),
        int(pose.eTrackingResult),
    )
