"""The joint-space safety filter every command passes through.

Rules, applied in order: non-finite values are replaced by the previous safe command; joint
limits with a margin; per-joint velocity limits over the tick; a maximum step from the
measured position (dexcontrol's 0.3 rad guard, taken with a safety factor). It returns the
safe command and flags naming every rule that changed it.
"""

from __future__ import annotations

from enum import IntFlag

import numpy as np


class Clamp(IntFlag):
    """Why the filter changed a command (recorded per tick in the ``control`` stream)."""

    NONE = 0
    NONFINITE = 1
    LIMIT = 2
    VELOCITY = 4
    STEP = 8


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
        flags = Clamp.NONE
        q = np.array(q, dtype=float)
        bad = ~np.isfinite(q)
        if bad.any():
            q[bad] = q_previous[bad]
            flags |= Clamp.NONFINITE
        flags |= self._clip(q, self.lower, self.upper, Clamp.LIMIT)
        dv = self.velocity * dt_s
        flags |= self._clip(q, q_previous - dv, q_previous + dv, Clamp.VELOCITY)
        if self.max_step is not None:
            flags |= self._clip(
                q, q_measured - self.max_step, q_measured + self.max_step, Clamp.STEP
            )
            flags |= self._clip(q, self.lower, self.upper, Clamp.LIMIT)
        return q, flags

    @staticmethod
    def _clip(q: np.ndarray, lo: np.ndarray, hi: np.ndarray, flag: Clamp) -> Clamp:
        clipped = np.clip(q, lo, hi)
        changed = not np.array_equal(clipped, q)
        q[:] = clipped
        return flag if changed else Clamp.NONE
