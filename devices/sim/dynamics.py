"""A kinematic joint follower: first-order lag toward a target, capped by velocity limits."""

from __future__ import annotations

import numpy as np


class LagFollower:
    """Joint positions (rad) that follow a target with time constant ``lag_s`` (s), never faster
    than ``velocity_limit`` (rad/s, per joint).

    Each :meth:`advance` integrates over the actual time since the previous call (exactly, for
    the lag alone), so late or skipped ticks do not distort the motion. Not thread-safe: the
    owner serialises calls.
    """

    def __init__(self, q0: np.ndarray, lag_s: float, velocity_limit: np.ndarray) -> None:
        if lag_s <= 0:
            raise ValueError(f"lag_s must be > 0, got {lag_s}")
        self.position = np.array(q0, dtype=float)
        self.velocity = np.zeros_like(self.position)
        self.lag_s = lag_s
        self.velocity_limit = np.asarray(velocity_limit, dtype=float)
        self._t_ns: int | None = None

    def advance(self, target: np.ndarray, t_ns: int) -> None:
        """Move toward ``target`` (rad) up to time ``t_ns`` (ns); updates position and velocity."""
        dt = 0.0 if self._t_ns is None else max(t_ns - self._t_ns, 0) * 1e-9
        self._t_ns = t_ns
        if dt == 0.0:
            return
        step = (target - self.position) * -np.expm1(-dt / self.lag_s)
        cap = self.velocity_limit * dt
        step = np.clip(step, -cap, cap)
        self.position += step
        self.velocity = step / dt
