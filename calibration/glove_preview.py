"""The robot hand as the glove calibration being captured would drive it, for the wizard's
live preview.

Each glove sample is retargeted the way the control loop retargets it (the station's hand
input: fingertip keypoints through :class:`~retargeting.hand_retarget.HandRetargeter`, or
the ergonomics angles through :func:`~retargeting.hand_map.ergonomics_to_joints`), but with
:meth:`calibration.glove.GloveCapture.provisional` in place of the calibration in force, so
the operator sees the effect of each pose as soon as it is captured.
"""

from __future__ import annotations

import numpy as np

from calibration.glove import GloveCapture
from devices.sample import Sample
from retargeting.hand_keypoints import KeypointLayout, KeypointMapping, targets_from_keypoints
from retargeting.hand_map import ErgonomicsRange, ergonomics_to_joints
from retargeting.hand_retarget import HandRetargeter


class GlovePreview:
    """One hand's preview. ``layout`` is None for the ergonomics hand input, else the glove
    skeleton's keypoint layout; ``mapping`` and ``angle_range`` are the calibration in force,
    used until the capture replaces them."""

    def __init__(
        self,
        capture: GloveCapture,
        layout: KeypointLayout | None,
        mapping: KeypointMapping,
        angle_range: ErgonomicsRange,
    ) -> None:
        self.capture = capture
        self.layout = layout
        self.mapping = mapping
        self.angle_range = angle_range
        self._retargeter = HandRetargeter(capture.side) if layout is not None else None
        self._q = np.zeros(22)

    def joints(self, glove: Sample | None) -> np.ndarray | None:
        """Sharpa joints (22,) rad for ``glove``; None for a missing, invalid or non-finite
        sample (the last preview stays)."""
        if glove is None or not glove.valid:
            return None
        mapping, angle_range = self.capture.provisional(self.mapping, self.angle_range)
        if self._retargeter is None:
            angles = np.asarray(glove.data["ergonomics"], float)
            if not np.isfinite(angles).all():
                return None
            self._q = ergonomics_to_joints(angles, angle_range)
            return self._q
        points = glove.data.get("skeleton_position")
        if points is None or not np.isfinite(points).all():
            return None
        targets = targets_from_keypoints(points, self.layout, self.capture.side, mapping)
        self._q = self._retargeter.solve(targets, self._q)
        return self._q
