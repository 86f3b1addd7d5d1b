"""Glove range-of-motion calibration: guided poses -> the operator's glove calibration.

The operator holds each pose of :data:`POSES` in turn (the wizard shows :data:`PROMPTS` and
a live retargeted robot hand); :class:`GloveCapture` keeps the glove frames of each. The
result (:meth:`GloveCapture.result`) is a :class:`~calibration.profiles.GloveCalibration`:

- the 20 ergonomics angles' range (deg, Manus order) from the 2nd to the 98th percentile of
  every frame captured, so a glitch cannot widen it; the ``ergonomics`` hand input stretches
  it onto the robot's range (:class:`~retargeting.hand_map.ErgonomicsRange`);
- the keypoint mapping (scale, wrist-to-flange offset, m) fitted so the operator's flat
  hand's fingertips land on the robot's open hand's
  (:meth:`~retargeting.hand_keypoints.KeypointMapping.fit`), when the glove sends a skeleton.
"""

from __future__ import annotations

from functools import cached_property

import numpy as np

from calibration.profiles import GloveCalibration
from devices.sample import Sample
from retargeting.hand_keypoints import (
    FLANGE_FROM_HUMAN,
    MANUS_SKELETON,
    KeypointMapping,
    targets_from_keypoints,
)
from retargeting.hand_map import MIN_SPAN_DEG, ErgonomicsRange
from retargeting.sharpa_wave import HandKinematics

POSES = (
    "flat",
    "fist",
    "spread",
    "thumb_opposition",
    "pinch_index",
    "pinch_middle",
    "pinch_ring",
    "pinch_pinky",
)
PROMPTS = {
    "flat": "Hold your hand flat, fingers together, palm down.",
    "fist": "Make a tight fist, thumb over the fingers.",
    "spread": "Spread your fingers as wide as you can.",
    "thumb_opposition": "Touch the base of your little finger with your thumb.",
    "pinch_index": "Pinch your thumb and index fingertips together.",
    "pinch_middle": "Pinch your thumb and middle fingertips together.",
    "pinch_ring": "Pinch your thumb and ring fingertips together.",
    "pinch_pinky": "Pinch your thumb and little fingertips together.",
}
FRAMES_PER_POSE = 30
"""Glove frames needed per pose (a third of a second at 90 Hz)."""
PERCENTILES = (2.0, 98.0)


class GloveCalibrationError(ValueError):
    """The capture cannot give a calibration; the message says which poses to repeat."""


class GloveCapture:
    """Collects one hand's glove frames per guided pose."""

    def __init__(self, side: str) -> None:
        self.side = side
        self.frames: dict[str, list[np.ndarray]] = {pose: [] for pose in POSES}
        self._flat_tips: list[np.ndarray] = []

    def add(self, pose: str, sample: Sample) -> bool:
        """Keep a glove frame for ``pose``; False (ignored) when invalid or non-finite."""
        if pose not in self.frames:
            raise ValueError(f"unknown pose {pose!r}; poses: {', '.join(POSES)}")
        angles = np.asarray(sample.data["ergonomics"], dtype=float)
        if not sample.valid or angles.shape != (20,) or not np.isfinite(angles).all():
            return False
        self.frames[pose].append(angles)
        points = sample.data.get("skeleton_position")
        if pose == "flat" and points is not None and np.isfinite(points).all():
            identity = KeypointMapping(scale=1.0, offset_z_m=0.0)
            flange = targets_from_keypoints(points, MANUS_SKELETON, self.side, identity).tips
            self._flat_tips.append(flange @ FLANGE_FROM_HUMAN)  # back to the wrist frame
        return True

    def missing(self) -> list[str]:
        """Poses with fewer than FRAMES_PER_POSE frames, in order."""
        return [pose for pose in POSES if len(self.frames[pose]) < FRAMES_PER_POSE]

    def result(self) -> GloveCalibration:
        """The calibration; GloveCalibrationError naming the poses to repeat."""
        if missing := self.missing():
            raise GloveCalibrationError(f"{self.side} glove: hold these poses longer: {missing}")
        lower, upper = self._angle_range()
        try:
            ErgonomicsRange(lower, upper)  # the checks the ergonomics input relies on
        except ValueError as exc:
            raise GloveCalibrationError(f"{self.side} glove: {exc}") from None
        mapping = self._keypoint_mapping() or KeypointMapping()
        return GloveCalibration(
            lower_deg=lower.tolist(),
            upper_deg=upper.tolist(),
            keypoint_scale=mapping.scale,
            keypoint_offset_m=mapping.offset_z_m,
        )

    def provisional(
        self, mapping: KeypointMapping, angle_range: ErgonomicsRange
    ) -> tuple[KeypointMapping, ErgonomicsRange]:
        """The calibration so far, for the live preview: the keypoint mapping once the flat
        hand is captured, and each angle's range once it spans MIN_SPAN_DEG; ``mapping`` and
        ``angle_range`` (the calibration in force) until then."""
        fitted = self._keypoint_mapping() or mapping
        if not any(self.frames.values()):
            return fitted, angle_range
        lower, upper = self._angle_range()
        narrow = upper - lower < MIN_SPAN_DEG
        lower = np.where(narrow, angle_range.lower_deg, lower)
        upper = np.where(narrow, angle_range.upper_deg, upper)
        return fitted, ErgonomicsRange(lower, upper)

    def _angle_range(self) -> tuple[np.ndarray, np.ndarray]:
        """Each angle's range (deg) over every frame captured, glitches excluded."""
        angles = np.concatenate([np.array(f) for f in self.frames.values() if f])
        return tuple(np.percentile(angles, PERCENTILES, axis=0))

    def _keypoint_mapping(self) -> KeypointMapping | None:
        """The flat hand's fingertips fitted onto the robot's open hand, None before."""
        if not self._flat_tips:
            return None
        return KeypointMapping.fit(np.mean(self._flat_tips, axis=0), self._robot_open_tips)

    @cached_property
    def _robot_open_tips(self) -> np.ndarray:
        """(5, 3) fingertips (m, flange frame) of the robot's open hand."""
        return HandKinematics(self.side).fingertips(np.zeros(22))


def ergonomics_range(calibration: GloveCalibration) -> ErgonomicsRange:
    """The ergonomics-input range of a saved calibration."""
    return ErgonomicsRange(np.array(calibration.lower_deg), np.array(calibration.upper_deg))


def keypoint_mapping(calibration: GloveCalibration) -> KeypointMapping:
    """The keypoint mapping of a saved calibration."""
    return KeypointMapping(calibration.keypoint_scale, calibration.keypoint_offset_m)
