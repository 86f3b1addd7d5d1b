"""Operator wrist poses to robot wrist targets: position scaling and clutch / re-anchoring.

Poses are 4x4 (m) in the robot ``base`` frame: the operator's wrist after the calibrated
tracker -> wrist -> robot transforms, the target for ``L_ee`` / ``R_ee``. Motion is mapped
relative to an anchor pair (operator pose, robot target): the target moves ``scale`` times
the operator's displacement from the anchor and turns by the operator's rotation since the
anchor (in the base frame). The first pose seen anchors the mapping to itself, so at scale 1
the target is the operator's pose. While the clutch is held the target stays put; releasing
it re-anchors at the operator's current pose, so the operator can re-centre without the
robot moving and the target continues from where it stopped, without a jump.
"""

from __future__ import annotations

import numpy as np


class WristMapping:
    """One wrist's mapping; call :meth:`target` every tick with the operator's pose."""

    def __init__(self, scale: float = 1.0) -> None:
        if not (np.isfinite(scale) and scale > 0):
            raise ValueError(f"position scale must be a positive number, got {scale}")
        self.scale = scale
        self._operator_anchor: np.ndarray | None = None
        self._robot_anchor: np.ndarray | None = None
        self._last: np.ndarray | None = None
        self.clutched = False

    def target(self, operator_pose: np.ndarray) -> np.ndarray:
        """The wrist target (4x4, m, base frame) for the operator's pose (4x4, base frame)."""
        if self.clutched and self._last is not None:
            return self._last
        if self._operator_anchor is None:
            self._operator_anchor = np.array(operator_pose, dtype=float)
            self._robot_anchor = self._operator_anchor if self._last is None else self._last
        target = np.eye(4)
        rotation = operator_pose[:3, :3] @ self._operator_anchor[:3, :3].T
        target[:3, :3] = rotation @ self._robot_anchor[:3, :3]
        target[:3, 3] = self._robot_anchor[:3, 3] + self.scale * (
            operator_pose[:3, 3] - self._operator_anchor[:3, 3]
        )
        self._last = target
        return target

    def press_clutch(self) -> None:
        """Freeze the target until :meth:`release_clutch`."""
        self.clutched = True

    def release_clutch(self) -> None:
        """Resume: the next :meth:`target` call re-anchors at the operator's pose then."""
        self._operator_anchor = None
        self.clutched = False

    def reset(self) -> None:
        """Forget the anchors: the next pose anchors the mapping to itself again."""
        self._operator_anchor = self._robot_anchor = self._last = None
        self.clutched = False
