"""The box the hands must stay in (m, robot ``base`` frame: x forward, y left, z up).

The points held in the box are each hand's wrist (the ``L_ee`` / ``R_ee`` origin) and the far
end of its palm capsule (see ``retargeting.collision``). The default box sits in front of the
robot above the station's table (top at z = 0.85 m, the simulated scene's default):

- x 0.10 .. 0.85 m: from a hand's width in front of the chest to past the arms' reach (wrists
  reach x = 0.70 m, palm ends 0.83 m with the default torso);
- y -0.60 .. +0.60 m: the table's width;
- z 0.85 .. 1.45 m: from the table top (palm and fingers may still touch it, the palm's axis
  may not go below it) to 0.24 m above the shoulders.

The READY_POSE wrists, at about (0.51, +-0.29, 1.02) m, and palm ends, at (0.63, +-0.29,
1.06) m, are at least 0.17 m inside every face: 0.17 m above the floor, 0.2 m elsewhere.
"""

from __future__ import annotations

import numpy as np

DEFAULT_LOWER = (0.10, -0.60, 0.85)
DEFAULT_UPPER = (0.85, 0.60, 1.45)


class WorkspaceBox:
    """Axis-aligned box (m, base frame) with corners ``lower`` and ``upper``, each (3,)."""

    def __init__(
        self,
        lower: np.ndarray | tuple[float, float, float] = DEFAULT_LOWER,
        upper: np.ndarray | tuple[float, float, float] = DEFAULT_UPPER,
    ) -> None:
        self.lower = np.array(lower, dtype=float)
        self.upper = np.array(upper, dtype=float)
        if self.lower.shape != (3,) or self.upper.shape != (3,):
            raise ValueError("lower and upper must be 3-vectors")
        if not (self.lower < self.upper).all():
            raise ValueError(f"empty box: lower {self.lower} is not below upper {self.upper}")

    def violation(self, points: np.ndarray) -> float:
        """How far (m) the point of ``points`` (n, 3) furthest outside the box is from it.

        0 when every point is inside or on the box.
        """
        points = np.asarray(points, dtype=float)
        outside = np.maximum(np.maximum(self.lower - points, points - self.upper), 0.0)
        return float(np.sqrt((outside * outside).sum(axis=-1).max(initial=0.0)))
