"""The Vega-1 reduced to what we command: two 7-DoF arms, torso and head held fixed.

Loaded with Pinocchio from the ``dexmate-urdf`` package. Poses are 4x4 homogeneous
matrices (m) of the ``L_ee`` / ``R_ee`` frames in the robot ``base`` frame (x forward,
y left, z up).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
import pinocchio as pin

ARM_JOINTS = tuple(f"{side}_arm_j{i}" for side in ("L", "R") for i in range(1, 8))
EE_FRAMES = ("L_ee", "R_ee")
DEFAULT_TORSO = (0.5, 1.0, 0.0)
"""Torso joints (rad) held while teleoperating: upright, shoulders at table height."""
DEFAULT_HEAD = (0.0, 0.0, -0.2)
"""Head joints (rad) held while teleoperating: the head camera looks about 40 deg down."""
READY_POSE = (
    0.8, 0.2, 0.0, -1.6, 0.0, 0.0, 0.0,
    -0.8, -0.2, 0.0, -1.6, 0.0, 0.0, 0.0,
)  # fmt: skip
"""A comfortable arm configuration (rad, ARM_JOINTS order): elbows bent, wrists at about
(0.51, +-0.29, 1.02) m in the base frame, above the table."""


def urdf_path() -> str:
    """Path of the Vega-1 URDF shipped by ``dexmate-urdf``."""
    from dexmate_urdf import robots

    return str(robots.humanoid.vega_1.vega_1.urdf)


@dataclass(frozen=True)
class ArmLimits:
    """Joint limits of the 14 arm joints, ARM_JOINTS order: rad and rad/s."""

    lower: np.ndarray
    upper: np.ndarray
    velocity: np.ndarray


class Vega1Arms:
    """Forward kinematics and Jacobians of both arms with torso and head locked."""

    def __init__(
        self,
        torso: tuple[float, float, float] = DEFAULT_TORSO,
        head: tuple[float, float, float] = DEFAULT_HEAD,
    ) -> None:
        self.model = reduced_model(ARM_JOINTS, torso, head)
        self.data = self.model.createData()
        self.ee_ids = tuple(self.model.getFrameId(f) for f in EE_FRAMES)
        self.limits = ArmLimits(
            lower=self.model.lowerPositionLimit.copy(),
            upper=self.model.upperPositionLimit.copy(),
            velocity=self.model.velocityLimit.copy(),
        )

    def wrist_poses(self, q: np.ndarray) -> np.ndarray:
        """(2, 4, 4) poses of L_ee and R_ee in the base frame for arm joints ``q`` (14,) rad."""
        pin.framesForwardKinematics(self.model, self.data, np.asarray(q, dtype=float))
        return np.stack([self.data.oMf[i].homogeneous for i in self.ee_ids])


def reduced_model(
    joints: tuple[str, ...],
    torso: tuple[float, float, float] = DEFAULT_TORSO,
    head: tuple[float, float, float] = DEFAULT_HEAD,
) -> pin.Model:
    """The Vega-1 with only ``joints`` free (in that order), torso and head locked (rad).

    Locked arm joints are held at READY_POSE; they do not move the frames of the other arm.
    """
    full = _full_model()
    q_lock = pin.neutral(full)
    held = dict(
        zip(
            ("torso_j1", "torso_j2", "torso_j3", "head_j1", "head_j2", "head_j3"),
            (*torso, *head),
            strict=True,
        )
    )
    held.update(zip(ARM_JOINTS, READY_POSE, strict=True))
    locked = []
    for jid in range(1, full.njoints):
        name = full.names[jid]
        if name in joints:
            continue
        if name in held:
            q_lock[full.joints[jid].idx_q] = held[name]
        locked.append(jid)
    model = pin.buildReducedModel(full, locked, q_lock)
    names = tuple(model.names)[1:]
    if names != tuple(joints):
        raise RuntimeError(f"unexpected Vega-1 joints {names}, expected {joints}")
    return model


def arm_joints(side: str) -> tuple[str, ...]:
    """The seven joint names of the ``left`` or ``right`` arm."""
    prefix = {"left": "L", "right": "R"}[side]
    return tuple(j for j in ARM_JOINTS if j.startswith(f"{prefix}_"))


@cache
def _full_model() -> pin.Model:
    return pin.buildModelFromUrdf(urdf_path())
