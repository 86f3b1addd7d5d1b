"""Human hand keypoints to fingertip targets in a Sharpa Wave hand's flange frame.

Two keypoint layouts are understood: the Manus raw skeleton (25 nodes) and OpenXR hand
tracking (26 joints, ``XR_EXT_hand_tracking`` order). Positions are in m in any frame fixed
to the glove or tracker; the wrist frame is rebuilt from the keypoints themselves, so the
result does not depend on that frame:

- origin at the wrist keypoint;
- x toward the middle finger's knuckle (MCP);
- z out of the back of the hand;
- y = z x x, i.e. toward the thumb for a right hand and away from it for a left hand.

The Sharpa flange frame has z toward the fingers and the palm facing +x, so the human wrist
frame maps to it by a fixed rotation (human x -> flange z, y -> y, z -> -x), then a
per-operator scale and an offset along the flange z axis (:class:`KeypointMapping`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

N_FINGERS = 5


@dataclass(frozen=True)
class KeypointLayout:
    """Indices of the keypoints used, for one layout; tips in thumb..pinky order."""

    name: str
    count: int
    wrist: int
    tips: tuple[int, ...]
    index_knuckle: int
    middle_knuckle: int
    pinky_knuckle: int


MANUS_SKELETON = KeypointLayout("manus", 25, 0, (4, 9, 14, 19, 24), 6, 11, 21)
"""Manus raw skeleton: wrist; thumb metacarpal, proximal, distal, tip; then index, middle,
ring and pinky each metacarpal, proximal, intermediate, distal, tip."""
OPENXR = KeypointLayout("openxr", 26, 1, (5, 10, 15, 20, 25), 7, 12, 22)
"""OpenXR: palm, wrist; thumb metacarpal, proximal, distal, tip; then index, middle, ring and
little each metacarpal, proximal, intermediate, distal, tip."""

FLANGE_FROM_HUMAN = np.array([[0.0, 0.0, -1.0], [0.0, 1.0, 0.0], [1.0, 0.0, 0.0]])
"""Rotation from the human wrist frame to the Sharpa flange frame (both sides)."""


@dataclass(frozen=True)
class KeypointMapping:
    """Human wrist-frame positions (m) to Sharpa flange-frame positions (m).

    ``flange = scale * FLANGE_FROM_HUMAN @ human + (0, 0, offset_z_m)``. The defaults suit an
    adult hand (wrist to middle knuckle about 0.09 m, to middle fingertip about 0.185 m) on
    the Sharpa Wave (flange to middle knuckle 0.128 m, to middle fingertip 0.233 m): unit
    scale, the human wrist keypoint 45 mm in front of the flange. :meth:`fit` refits them to
    one operator's hand.
    """

    scale: float = 1.0
    offset_z_m: float = 0.045

    def apply(self, human: np.ndarray) -> np.ndarray:
        """Flange-frame positions (..., 3) for human wrist-frame positions (..., 3), m."""
        flange = self.scale * (np.asarray(human) @ FLANGE_FROM_HUMAN.T)
        flange[..., 2] += self.offset_z_m
        return flange

    @classmethod
    def fit(cls, human_tips: np.ndarray, robot_tips: np.ndarray) -> KeypointMapping:
        """Least-squares scale and offset taking ``human_tips`` (5, 3) m, wrist frame, onto
        ``robot_tips`` (5, 3) m, flange frame (the same hand posture, e.g. flat open)."""
        rotated = np.asarray(human_tips, dtype=float) @ FLANGE_FROM_HUMAN.T
        robot = np.asarray(robot_tips, dtype=float)
        # Unknowns (scale, offset_z): robot = scale * rotated + offset_z * e_z.
        a = np.zeros((rotated.size, 2))
        a[:, 0] = rotated.ravel()
        a[2::3, 1] = 1.0
        (scale, offset), *_ = np.linalg.lstsq(a, robot.ravel(), rcond=None)
        if not scale > 0:
            raise ValueError("the human and robot fingertips do not describe the same posture")
        return cls(float(scale), float(offset))


def wrist_frame(points: np.ndarray, layout: KeypointLayout, side: str) -> np.ndarray:
    """The human wrist frame (4x4) in the keypoints' frame, from keypoints (count, 3) m.

    Raises ValueError when the wrist and knuckles do not span a plane.
    """
    frame = np.eye(4)
    frame[:3, 3], frame[:3, :3] = _wrist_axes(points, layout, side)
    return frame


def _wrist_axes(
    points: np.ndarray, layout: KeypointLayout, side: str
) -> tuple[np.ndarray, np.ndarray]:
    """Origin (3,) and rotation (3, 3) of the wrist frame; see :func:`wrist_frame`."""
    wrist = points[layout.wrist]
    x = points[layout.middle_knuckle] - wrist
    thumbward = points[layout.index_knuckle] - points[layout.pinky_knuckle]
    z = _cross(x, thumbward if side == "right" else -thumbward)
    x_norm, z_norm = math.sqrt(x @ x), math.sqrt(z @ z)
    if x_norm < 1e-4 or z_norm < 1e-8:
        raise ValueError(f"{layout.name} keypoints are degenerate: no wrist frame")
    x = x / x_norm
    z = z / z_norm
    return wrist, np.array((x, _cross(z, x), z)).T


def _cross(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Cross product of two 3-vectors (``np.cross`` costs ten times more on tiny arrays)."""
    return np.array(
        (a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0])
    )


@dataclass(frozen=True)
class HandTargets:
    """What the hand retargeter tracks, for one hand at one instant.

    ``tips``: (5, 3) target fingertip positions, m, flange frame, thumb..pinky.
    ``pinch_m``: (4,) the human's thumb-to-finger tip distances (index..pinky), m, unscaled.
    """

    tips: np.ndarray
    pinch_m: np.ndarray


def targets_from_keypoints(
    points: np.ndarray, layout: KeypointLayout, side: str, mapping: KeypointMapping
) -> HandTargets:
    """Fingertip targets for keypoints (count, 3) m of hand ``side``.

    Raises ValueError for a wrong shape, non-finite or degenerate keypoints.
    """
    points = np.asarray(points, dtype=float)
    if points.shape != (layout.count, 3):
        raise ValueError(f"{layout.name} keypoints must be ({layout.count}, 3), got {points.shape}")
    if not math.isfinite(points.sum()):
        raise ValueError(f"{layout.name} keypoints contain NaN or Inf")
    origin, rotation = _wrist_axes(points, layout, side)
    tips = points[layout.tips, :]
    to_thumb = tips[1:] - tips[0]
    pinch = np.sqrt(np.einsum("ij,ij->i", to_thumb, to_thumb))
    return HandTargets(mapping.apply((tips - origin) @ rotation), pinch)
