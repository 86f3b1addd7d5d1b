"""Simulated VIVE wrist tracker: the scripted operator's wrist in the OpenVR universe frame."""

from __future__ import annotations

import numpy as np
import pinocchio as pin
from pydantic import Field

from devices.device import PeriodicDevice
from devices.registry import BuildContext
from devices.sim.operator import operator_of
from devices.sim.options import SidedOptions
from devices.sim.seeding import seeded_rng
from devices.streams import StreamSpec
from devices.trackers import TRACKING_RUNNING_OK, WristTracker, tracker_stream

POSITION_JITTER_M = 0.3e-3
"""Standard deviation of the tracked position noise (m), per axis."""
ROTATION_JITTER_RAD = np.deg2rad(0.1)
"""Standard deviation of the tracked orientation noise (rad), per axis."""


def _default_serial(data: dict) -> str:
    return f"LHR-SIM0001{data['side'][0].upper()}"


class SimTracker(WristTracker, PeriodicDevice):
    """One simulated tracker emitting ``tracker_{side}``: the pose (m) of the tracker in the
    OpenVR standing universe, always valid with ``tracking_result`` 200.

    The tracker sits exactly on the operator's wrist (identity tracker-to-wrist offset). The
    universe-to-robot registration is read once from the build context: it is the simulated
    room's ground truth, which later calibrations estimate but do not change.
    OpenVR poses carry no device timestamp, so ``t_device_ns`` is None.
    """

    backend = "sim"

    class Options(SidedOptions):
        serial: str = Field(
            default_factory=_default_serial, min_length=1, description="LHR-... serial"
        )
        rate_hz: float = Field(120.0, gt=0.0, description="poll rate (Hz)")

    def __init__(self, name: str, options: Options, context: BuildContext) -> None:
        super().__init__(
            name, options.side, options.serial, rate_hz=options.rate_hz, faults=options.faults
        )
        self.options = options
        self._operator = operator_of(context)
        self._universe_from_robot = np.linalg.inv(np.asarray(context.robot_from_universe))
        self._rng = seeded_rng(context.scene.seed, "tracker", name)
        self._stream = tracker_stream(options.side, options.rate_hz)

    def streams(self) -> tuple[StreamSpec, ...]:
        return (self._stream,)

    def _poll(self, t_ns: int) -> None:
        pose = self._universe_from_robot @ self._operator.wrist_pose(self.side, t_ns)
        pose[:3, :3] = pose[:3, :3] @ pin.exp3(self._rng.normal(0.0, ROTATION_JITTER_RAD, 3))
        pose[:3, 3] += self._rng.normal(0.0, POSITION_JITTER_M, 3)
        data = {"pose": pose, "tracking_result": np.array(TRACKING_RUNNING_OK, dtype=np.int32)}
        self._emit(self._stream.name, t_ns, data)
