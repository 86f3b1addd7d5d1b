"""The safety filters every command passes through (joints rad, rad/s; distances m).

Joint rules, applied in order: non-finite values are replaced by the previous safe command;
joint limits with a margin; per-joint velocity limits over the tick; a maximum step from the
measured position (dexcontrol's 0.3 rad guard, taken with a safety factor). The arms then
obey two Cartesian rules: no self-collision (``retargeting.collision``) and hands inside the
workspace box (``retargeting.workspace``). Each filter returns the safe command and flags
naming every rule that changed it.
"""

from __future__ import annotations

from enum import IntFlag

import numpy as np

from retargeting.collision import CapsuleModel
from retargeting.workspace import WorkspaceBox


class Clamp(IntFlag):
    """Why the filter changed a command (recorded per tick in the ``control`` stream)."""

    NONE = 0
    NONFINITE = 1
    LIMIT = 2
    VELOCITY = 4
    STEP = 8
    COLLISION = 16
    WORKSPACE = 32


class JointSafetyFilter:
    """Limits, velocity and step guard for one group of joints (rad, rad/s)."""

    def __init__(
        self,
        lower: np.ndarray,
        upper: np.ndarray,
        velocity: np.ndarray,
        margin_rad: float,
        max_step_rad: float | None,
    ) -> None:
        self.lower = np.asarray(lower, dtype=float) + margin_rad
        self.upper = np.asarray(upper, dtype=float) - margin_rad
        self.velocity = np.asarray(velocity, dtype=float)
        self.max_step = max_step_rad

    def apply(
        self, q: np.ndarray, q_previous: np.ndarray, q_measured: np.ndarray, dt_s: float
    ) -> tuple[np.ndarray, Clamp]:
        """Safe version of command ``q`` given the previous safe command and the measurement.

        ``q_previous`` and ``q_measured`` must be finite. The result is always finite, inside
        the limits, within ``velocity * dt_s`` of ``q_previous`` and within ``max_step`` of
        ``q_measured``.
        """
        q = np.array(q, dtype=float)
        dv = self.velocity * dt_s
        lo = np.maximum(self.lower, q_previous - dv)
        hi = np.minimum(self.upper, q_previous + dv)
        if self.max_step is not None:
            lo = np.maximum(lo, q_measured - self.max_step)
            hi = np.minimum(hi, q_measured + self.max_step)
        if ((q >= lo) & (q <= hi)).all():  # the common case: nothing to change (NaN fails)
            return q, Clamp.NONE
        flags = Clamp.NONE
        bad = ~np.isfinite(q)
        if bad.any():
            q[bad] = q_previous[bad]
            flags |= Clamp.NONFINITE
        flags |= self._clip(q, self.lower, self.upper, Clamp.LIMIT)
        flags |= self._clip(q, q_previous - dv, q_previous + dv, Clamp.VELOCITY)
        if self.max_step is not None:
            flags |= self._clip(
                q, q_measured - self.max_step, q_measured + self.max_step, Clamp.STEP
            )
            flags |= self._clip(q, self.lower, self.upper, Clamp.LIMIT)
        return q, flags

    @staticmethod
    def _clip(q: np.ndarray, lo: np.ndarray, hi: np.ndarray, flag: Clamp) -> Clamp:
        clipped = np.minimum(np.maximum(q, lo), hi)
        changed = bool((clipped != q).any())
        q[:] = clipped
        return flag if changed else Clamp.NONE


class ArmSafetyFilter:
    """The joint rules, then self-collision and workspace, for the 14 arm joints (ARM_JOINTS).

    After the joint rules, a command may not make the self-collision penetration (how far the
    smallest capsule clearance is below zero, m) nor the workspace violation (how far the
    furthest hand point is outside the box, m) larger than they are at ``q_previous``: from a
    safe state it may not enter a violation, from a state in violation it may reduce it but
    not increase it. A command that would is backed off along the straight line from
    ``q_previous`` to it, keeping the largest fraction found safe by ``bisection_steps``
    halvings (none: ``q_previous`` itself), and flagged COLLISION and/or WORKSPACE.

    Precondition: ``q_previous`` itself satisfies the joint rules (finite, inside the limits
    with margin, within ``max_step`` of ``q_measured``), as the previous output of this filter
    does while the robot follows its commands. Every point of the segment from ``q_previous``
    to the joint-filtered command then satisfies them too (the rules are boxes, hence convex),
    so the backed-off command does.
    """

    def __init__(
        self,
        joints: JointSafetyFilter,
        capsules: CapsuleModel,
        workspace: WorkspaceBox,
        bisection_steps: int = 6,
    ) -> None:
        self.joints = joints
        self.capsules = capsules
        self.workspace = workspace
        self.bisection_steps = bisection_steps

    def apply(
        self, q: np.ndarray, q_previous: np.ndarray, q_measured: np.ndarray, dt_s: float
    ) -> tuple[np.ndarray, Clamp]:
        """Safe version of arm command ``q`` (14,) rad; see the class for the rules.

        Costs one capsule evaluation when the joint-filtered command is free of violations,
        and ``2 + bisection_steps`` when it has some.
        """
        q, flags = self.joints.apply(q, q_previous, q_measured, dt_s)
        penetration, outside = self.violations(q)
        if penetration == 0.0 and outside == 0.0:
            return q, flags
        allowed_penetration, allowed_outside = self.violations(q_previous)
        if penetration > allowed_penetration:
            flags |= Clamp.COLLISION
        if outside > allowed_outside:
            flags |= Clamp.WORKSPACE
        if penetration <= allowed_penetration and outside <= allowed_outside:
            return q, flags
        step = q - q_previous
        safe, unsafe = 0.0, 1.0
        for _ in range(self.bisection_steps):
            fraction = 0.5 * (safe + unsafe)
            penetration, outside = self.violations(q_previous + fraction * step)
            if penetration <= allowed_penetration and outside <= allowed_outside:
                safe = fraction
            else:
                unsafe = fraction
        return q_previous + safe * step, flags

    def violations(self, q: np.ndarray) -> tuple[float, float]:
        """Self-collision penetration and workspace violation (m, 0 when free) at ``q``."""
        clearances, hand_points = self.capsules.evaluate(q)
        return max(0.0, -float(clearances.min())), self.workspace.violation(hand_points)
