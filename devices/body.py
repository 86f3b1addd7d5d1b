"""The Vega-1 body: two 7-DoF arms (commanded), torso and head (state), E-stop.

Arm joints are in ``ARM_JOINTS`` order (the model's): left j1..j7 then right j1..j7 (rad).
"""

from __future__ import annotations

from abc import abstractmethod

import numpy as np

from devices.device import Device
from devices.streams import FieldSpec, StreamSpec
from retargeting.vega1 import ARM_JOINTS as ARM_JOINTS  # the commanded joints, re-exported

TORSO_JOINTS = ("torso_j1", "torso_j2", "torso_j3")
HEAD_JOINTS = ("head_j1", "head_j2", "head_j3")
MAX_STEP_RAD = 0.3
"""dexcontrol rejects a command more than this far from the measured position."""
STALE_STATE_S = 0.5
"""dexcontrol rejects commands when the measured state is older than this."""


def body_stream(rate_hz: float) -> StreamSpec:
    """Stream ``body``: measured joints (rad, rad/s), the arm command in force, E-stop."""
    return StreamSpec(
        "body",
        "body",
        rate_hz,
        {
            "arm_position": FieldSpec((14,), "float32", "rad", "ARM_JOINTS order"),
            "arm_velocity": FieldSpec((14,), "float32", "rad/s", "ARM_JOINTS order"),
            "arm_command": FieldSpec((14,), "float32", "rad", "command in force, ARM_JOINTS"),
            "torso_position": FieldSpec((3,), "float32", "rad", "TORSO_JOINTS order"),
            "head_position": FieldSpec((3,), "float32", "rad", "HEAD_JOINTS order"),
            "estop": FieldSpec((), "bool", "1", "robot E-stop engaged"),
        },
    )


class Body(Device):
    """The robot body. The control loop is the only caller of its command methods."""

    family = "body"

    @abstractmethod
    def command_arms(self, q: np.ndarray) -> None:
        """Stream a 14-joint arm target (rad, ARM_JOINTS order).

        Raises CommandRejected (step > MAX_STEP_RAD from measured, outside URDF limits),
        StaleState (measured older than STALE_STATE_S), EStopActive.
        """

    @abstractmethod
    def measured_arms(self) -> tuple[np.ndarray, int]:
        """Latest measured arm positions (14,) rad and their capture time (monotonic ns)."""

    @abstractmethod
    def activate_estop(self) -> None:
        """Engage the robot's own E-stop."""

    @abstractmethod
    def release_estop(self) -> None:
        """Release the robot's E-stop (explicit operator reset only)."""

    @property
    @abstractmethod
    def estop_active(self) -> bool:
        """True while the robot's E-stop is engaged."""
