"""Vega-1 arm inverse kinematics: one warm-started damped-least-squares step per control tick.

Targets are ``L_ee`` / ``R_ee`` poses (4x4, m) in the robot ``base`` frame; joints are rad in
each arm's ARM_JOINTS order. Each :meth:`ArmIK.step` moves the arm toward the target as far as
the joint velocity limits allow over one tick, like one step of a differential-IK QP:

- task: the 6-D pose error (the SE(3) log map in the wrist frame: m, and rad weighted by
  ``rotation_weight_m``), solved by damped least squares;
- damping grows with the squared task error (Sugihara's rule), so far or unreachable targets
  and singular configurations give small, smooth steps instead of jumps;
- posture: a pull toward a comfortable configuration, projected into the task's null space;
- velocity limits: the step is scaled down as a whole (direction kept) to ``velocity * dt``;
- joint limits: joints that would cross a limit are pinned there and the step is re-solved
  with the remaining joints, so a limit costs as little task error as possible.
"""

from __future__ import annotations

import math

import numpy as np
import pinocchio as pin

from retargeting.linalg import solve_spd
from retargeting.vega1 import (
    ARM_JOINTS,
    DEFAULT_HEAD,
    DEFAULT_TORSO,
    EE_FRAMES,
    READY_POSE,
    arm_joints,
    reduced_model,
)

SIDES = ("left", "right")


class ArmIK:
    """Differential IK of one 7-DoF arm (arrays in, arrays out; holds its own model data)."""

    def __init__(
        self,
        side: str,
        dt_s: float = 0.005,
        torso: tuple[float, float, float] = DEFAULT_TORSO,
        head: tuple[float, float, float] = DEFAULT_HEAD,
        rotation_weight_m: float = 0.3,
        damping: float = 1e-3,
        error_damping: float = 1.0,
        max_error_m: float = 0.05,
        posture_gain: float = 0.02,
        velocity_fraction: float = 1.0,
        backtracks: int = 3,
    ) -> None:
        """``dt_s``: the control period (s). ``rotation_weight_m``: metres of position error
        worth one radian of orientation error. ``damping``: the constant part of the damping
        (m). ``error_damping``: damping added per unit of squared weighted error (1/m).
        ``posture_gain``: fraction of the posture error corrected per step, in the null
        space. ``velocity_fraction``: share of the URDF velocity limits the IK may use.
        ``max_error_m``: the weighted error is clamped to this length per step (m).
        ``backtracks``: how many times a step that increases the error is halved."""
        self.side = side
        self.model = reduced_model(arm_joints(side), torso, head)
        self.data = self.model.createData()
        self.ee = self.model.getFrameId(EE_FRAMES[SIDES.index(side)])
        self.lower = self.model.lowerPositionLimit.copy()
        self.upper = self.model.upperPositionLimit.copy()
        self.max_step = velocity_fraction * self.model.velocityLimit * dt_s
        """Largest change per step of each joint (rad)."""
        self._weights = np.array([1.0, 1.0, 1.0, *[rotation_weight_m] * 3])
        self._row_weights = self._weights[:, None]
        self.damping = damping
        self.error_damping = error_damping
        self.max_error = max_error_m
        self.backtracks = backtracks
        self.posture_gain = posture_gain
        offset = 0 if side == "left" else 7
        self.posture = np.array(READY_POSE[offset : offset + 7])

    def pose(self, q: np.ndarray) -> np.ndarray:
        """The wrist (``L_ee`` / ``R_ee``) pose (4x4, m, base frame) at joints ``q`` (7,) rad."""
        pin.framesForwardKinematics(self.model, self.data, np.asarray(q, dtype=float))
        return self.data.oMf[self.ee].homogeneous

    def step(self, target: np.ndarray, q: np.ndarray) -> np.ndarray:
        """Joints (7,) rad one step from ``q`` toward ``target`` (4x4, m, base frame).

        ``q`` must be finite; the result is within the joint limits and within
        ``max_step`` of ``q`` (clipped into the limits first if ``q`` was outside them).
        """
        q = np.minimum(np.maximum(q, self.lower), self.upper)
        goal = pin.SE3(target)
        # In the LOCAL frame the Jacobian does not update the joint placements: FK first.
        pin.forwardKinematics(self.model, self.data, q)
        jac = pin.computeFrameJacobian(self.model, self.data, q, self.ee, pin.LOCAL)
        jac *= self._row_weights
        error = self._error(goal)
        distance = math.sqrt(error @ error)
        if distance > self.max_error:
            error *= self.max_error / distance
        posture = self.posture_gain * (self.posture - q)
        q_next = q + self._solve(jac, error, posture, self.max_step)
        clipped = np.minimum(np.maximum(q_next, self.lower), self.upper)
        if (clipped != q_next).any():
            q_next = self._pin_limits(q, q_next, jac, error, posture)
        # Far targets (beyond reach, or across a singularity) can make the linear model
        # overshoot and the arm chatter between two poses: keep only steps that do not
        # increase the error there. Near targets need no check.
        for _ in range(self.backtracks if distance > self.max_error else 0):
            pin.forwardKinematics(self.model, self.data, q_next)
            after = self._error(goal)
            if after @ after <= distance * distance + 1e-12:
                break
            q_next = 0.5 * (q + q_next)
        return q_next

    def _error(self, goal: pin.SE3) -> np.ndarray:
        """Weighted pose error (6,) to ``goal``, in the wrist frame, at the last computed
        kinematics: the log map (m; rad times ``rotation_weight_m``)."""
        pose = pin.updateFramePlacement(self.model, self.data, self.ee)
        return pin.log6(pose.actInv(goal)).np * self._weights

    def _pin_limits(
        self,
        q: np.ndarray,
        q_next: np.ndarray,
        jac: np.ndarray,
        error: np.ndarray,
        posture: np.ndarray,
    ) -> np.ndarray:
        """Pin the joints that would cross a limit and re-solve with the others."""
        pinned = (q_next < self.lower) | (q_next > self.upper)
        q_next = np.minimum(np.maximum(q_next, self.lower), self.upper)
        free = ~pinned
        if free.any():
            residual = error - jac @ (q_next - q)
            q_next[free] += self._solve(jac[:, free], residual, posture[free], self.max_step[free])
        q_next = np.minimum(np.maximum(q_next, self.lower), self.upper)
        return q + _bounded(q_next - q, self.max_step)

    def _solve(
        self, jac: np.ndarray, error: np.ndarray, posture: np.ndarray, max_step: np.ndarray
    ) -> np.ndarray:
        """Damped-least-squares step (rad) for the columns of ``jac``, within ``max_step``.

        dq = J^T (J J^T + lambda^2 I)^-1 (e - J p) + p: the task step plus the posture step
        ``p`` projected into the task's (damped) null space, with one solve.
        """
        gram = jac @ jac.T
        gram.flat[::7] += self.damping**2 + self.error_damping * float(error @ error)
        x = solve_spd(gram, error - jac @ posture)
        return _bounded(jac.T @ x + posture, max_step)


def _bounded(dq: np.ndarray, max_step: np.ndarray) -> np.ndarray:
    """``dq`` scaled down as a whole so that no joint moves more than ``max_step``."""
    scale = float((np.abs(dq) / max_step).max())
    return dq / scale if scale > 1.0 else dq


class BimanualIK:
    """Both arms' IK: ``solve`` maps (2, 4, 4) wrist targets and (14,) joints to (14,) joints."""

    def __init__(self, dt_s: float = 0.005, **options) -> None:
        self.arms = tuple(ArmIK(side, dt_s, **options) for side in SIDES)
        self.joints = ARM_JOINTS

    def solve(self, targets: np.ndarray, q: np.ndarray) -> np.ndarray:
        """One step of each arm from ``q`` (14,) rad toward ``targets`` (2, 4, 4) base frame."""
        return np.concatenate(
            [arm.step(targets[i], q[7 * i : 7 * i + 7]) for i, arm in enumerate(self.arms)]
        )
