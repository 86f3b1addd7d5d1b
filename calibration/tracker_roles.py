"""Which tracker is on which wrist, found by asking the operator to raise one hand.

The wizard records every tracker's pose (tracking universe, +y up, m) with both hands down,
then asks "raise your LEFT hand" and records again: the tracker that rose most, by at least
MIN_RISE_M while the others stayed, is the left wrist's; the remaining one the right's.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from calibration.profiles import TrackerRole

MIN_RISE_M = 0.15
"""The raised tracker must rise at least this much (m)."""
MAX_OTHER_RISE_M = 0.08
"""...while no other tracker rises more than this (m)."""
UP_AXIS = 1
"""The tracking universe's up axis (OpenVR standing universe: +y)."""


class RoleError(ValueError):
    """The movement does not tell the trackers apart; the message says what to do."""


def suggest_roles(
    down: Mapping[str, np.ndarray], left_raised: Mapping[str, np.ndarray]
) -> list[TrackerRole]:
    """Roles for the two trackers seen in both captures (serial -> 4x4 pose, universe)."""
    serials = sorted(set(down) & set(left_raised))
    if len(serials) != 2:
        raise RoleError(
            f"{len(serials)} tracker(s) seen in both captures ({', '.join(serials) or 'none'}): "
            "switch on exactly the two wrist trackers and keep them in view"
        )
    rise = {s: float(left_raised[s][UP_AXIS, 3] - down[s][UP_AXIS, 3]) for s in serials}
    left = max(serials, key=rise.__getitem__)
    right = next(s for s in serials if s != left)
    if rise[left] < MIN_RISE_M:
        raise RoleError(
            f"no tracker rose {MIN_RISE_M * 100:.0f} cm (best {rise[left] * 100:.0f} cm): "
            "raise the left hand higher, above the head"
        )
    if rise[right] > MAX_OTHER_RISE_M:
        raise RoleError("both trackers rose: keep the right hand down while raising the left")
    return [
        TrackerRole(serial=left, role="left_wrist"),
        TrackerRole(serial=right, role="right_wrist"),
    ]
