"""The calibration the control loop applies, built from the station's configuration and the
station and operator profiles, and carried to the control process as one message.

It changes while the station runs: after a registration or a quick re-alignment (station
profile), and when the operator changes or their glove reconnects (operator profile). The
control loop takes a new one only while not engaged, so a change never moves the robot.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

import numpy as np

from app.config import StationConfig
from calibration.glove import ergonomics_range, keypoint_mapping
from calibration.profiles import OperatorProfile, StationProfile
from retargeting.hand_keypoints import KeypointMapping
from retargeting.hand_map import NOMINAL_RANGE, ErgonomicsRange

SIDES = ("left", "right")


@dataclass(frozen=True)
class CalibrationInForce:
    """What maps the operator onto the robot, per side in ``SIDES`` order.

    ``robot_from_universe``: 4x4 T_base_universe (m), tracking universe to robot base frame.
    ``tracker_to_wrist``: each tracker's mount, 4x4 T_tracker_wrist (m), so the operator's
    wrist in the universe is ``T_universe_tracker @ tracker_to_wrist``.
    ``keypoint_mapping`` and ``ergonomics_range``: each glove's mapping onto the robot hand.
    ``operator``: whose gloves these are ("" for the configured defaults).
    """

    robot_from_universe: np.ndarray
    tracker_to_wrist: tuple[np.ndarray, np.ndarray]
    keypoint_mapping: tuple[KeypointMapping, KeypointMapping]
    ergonomics_range: tuple[ErgonomicsRange, ErgonomicsRange]
    operator: str = ""

    def wrists_in_base(self, tracker_poses: np.ndarray) -> np.ndarray:
        """The operator's wrists (2, 4, 4) in the robot base frame for the trackers' poses
        (2, 4, 4) in the universe (m)."""
        return self.robot_from_universe @ tracker_poses @ np.stack(self.tracker_to_wrist)

    @property
    def digest(self) -> str:
        """A short fingerprint, to tell which calibration a process has in force."""
        return hashlib.sha1(self.encode()).hexdigest()[:12]

    def encode(self) -> bytes:
        """JSON bytes for the control process's command ring."""
        return json.dumps(
            {
                "robot_from_universe": self.robot_from_universe.tolist(),
                "tracker_to_wrist": [t.tolist() for t in self.tracker_to_wrist],
                "keypoint_mapping": [[m.scale, m.offset_z_m] for m in self.keypoint_mapping],
                "ergonomics_range": [
                    [r.lower_deg.tolist(), r.upper_deg.tolist()] for r in self.ergonomics_range
                ],
                "operator": self.operator,
            }
        ).encode()

    @classmethod
    def decode(cls, payload: bytes) -> CalibrationInForce:
        data = json.loads(payload)
        left, right = (np.asarray(t, float) for t in data["tracker_to_wrist"])
        mappings = [KeypointMapping(s, o) for s, o in data["keypoint_mapping"]]
        ranges = [ErgonomicsRange(*map(np.asarray, r)) for r in data["ergonomics_range"]]
        return cls(
            np.asarray(data["robot_from_universe"], float),
            (left, right),
            (mappings[0], mappings[1]),
            (ranges[0], ranges[1]),
            data["operator"],
        )


def calibration_in_force(
    config: StationConfig, station: StationProfile | None, operator: OperatorProfile | None
) -> CalibrationInForce:
    """The calibration from the profiles, each part falling back to the configuration:
    ``[calibration] robot_from_universe``, identity mounts, ``[retargeting] hand_scale`` /
    ``hand_offset_m`` and the nominal ergonomics range."""
    r = config.retargeting
    default_mapping = KeypointMapping(r.hand_scale, r.hand_offset_m)
    robot_from_universe = np.asarray(
        station.robot_from_universe if station else config.calibration.robot_from_universe, float
    )
    roles = station.trackers if station else []
    mounts = {t.role: np.asarray(t.tracker_to_wrist, float) for t in roles}
    gloves = operator.gloves if operator else {}
    return CalibrationInForce(
        robot_from_universe,
        tuple(mounts.get(f"{side}_wrist", np.eye(4)) for side in SIDES),
        tuple(keypoint_mapping(g) if (g := gloves.get(s)) else default_mapping for s in SIDES),
        tuple(ergonomics_range(g) if (g := gloves.get(s)) else NOMINAL_RANGE for s in SIDES),
        operator.operator if operator else "",
    )
