"""A human hand as planar finger chains: named postures in Manus ergonomics angles (deg) and
the Manus raw skeleton (25 nodes) they produce.

Wrist-node frame (m): x toward the middle fingertip, z out of the back of the hand,
y = z x x, so the thumb is on +y for a right hand and on -y for a left hand. Flexion
(stretch) angles curl a finger toward the palm (-z); a positive spread moves a finger toward
the thumb. Skeleton nodes: wrist; thumb metacarpal, proximal, distal, tip; then index,
middle, ring, pinky each metacarpal, proximal, intermediate, distal, tip.
"""

from __future__ import annotations

import numpy as np

from devices.gloves import FINGERS
from retargeting.hand_map import NOMINAL_LOWER_DEG, NOMINAL_UPPER_DEG

ERGONOMICS_LOWER_DEG = NOMINAL_LOWER_DEG
ERGONOMICS_UPPER_DEG = NOMINAL_UPPER_DEG
"""The simulated operator's range of each ergonomics angle (deg): the nominal adult one."""


def _posture(*fingers: tuple[float, float, float, float]) -> np.ndarray:
    """Thumb..pinky (spread, three flexions) in deg, flattened to MANUS_ERGONOMICS order."""
    return np.array([a for finger in fingers for a in finger], dtype=float)


POSTURES = {
    "relaxed": _posture(
        (8, 15, 10, 10), (4, 18, 22, 10), (0, 20, 25, 12), (-3, 22, 28, 12), (-6, 25, 30, 14)
    ),
    "open": _posture((20, 8, 5, 5), (8, 6, 6, 4), (0, 5, 6, 4), (-6, 5, 6, 4), (-12, 6, 6, 4)),
    "power": _posture(
        (18, 40, 25, 20), (5, 50, 55, 30), (0, 52, 58, 32), (-3, 54, 60, 34), (-7, 56, 62, 36)
    ),
    "pinch": _posture(
        (18, 48, 15, 25), (3, 40, 60, 25), (0, 35, 55, 30), (-3, 40, 60, 32), (-6, 45, 65, 35)
    ),
    "cup": _posture(
        (15, 25, 15, 15), (4, 30, 32, 16), (0, 32, 34, 18), (-3, 34, 36, 18), (-6, 36, 38, 20)
    ),
}
"""Named hand postures (20,) deg, MANUS_ERGONOMICS order: a relaxed hand, a flat open hand,
a power grasp around an ~8 cm sphere, a thumb-index tip pinch and a loose cup hold."""

_FINGER_BASE_M = np.array(
    [[0.015, 0.012, 0.0], [0.015, 0.002, 0.0], [0.015, -0.010, 0.0], [0.015, -0.020, 0.0]]
)
"""Index..pinky metacarpal (CMC) nodes, right hand."""
_KNUCKLE_M = np.array(
    [[0.085, 0.025, 0.0], [0.090, 0.004, 0.0], [0.083, -0.015, 0.0], [0.072, -0.033, 0.0]]
)
"""Index..pinky proximal (MCP) nodes, right hand."""
_PHALANX_M = np.array(
    [[0.042, 0.025, 0.020], [0.046, 0.028, 0.021], [0.043, 0.027, 0.020], [0.034, 0.019, 0.018]]
)
"""Index..pinky proximal, intermediate and distal phalanx lengths."""
_THUMB_CMC_M = np.array([0.020, 0.020, -0.012])
_THUMB_BONES_M = np.array([0.045, 0.032, 0.026])
"""Thumb metacarpal, proximal and distal bone lengths."""
_THUMB_YAW_RAD = np.deg2rad(40.0)
_THUMB_ROLL_RAD = np.deg2rad(-50.0)
"""Rest direction of the thumb metacarpal (toward the thumb side) and the roll of its flexion
plane, so that thumb flexion curls it across the palm toward the index finger."""

_METACARPAL_YAW_RAD = np.arctan2(
    _KNUCKLE_M[:, 1] - _FINGER_BASE_M[:, 1], _KNUCKLE_M[:, 0] - _FINGER_BASE_M[:, 0]
)
_CHAIN_START_M = np.vstack([_THUMB_CMC_M, _KNUCKLE_M])
_CHAIN_BONES_M = np.vstack([_THUMB_BONES_M, _PHALANX_M])
_CHAIN_YAW_RAD = np.array([_THUMB_YAW_RAD, *_METACARPAL_YAW_RAD])
_CHAIN_ROLL_RAD = np.array([_THUMB_ROLL_RAD, 0.0, 0.0, 0.0, 0.0])
"""Each finger (thumb first) as a planar chain of three flexing bones: first joint, bone
lengths, and the chain's base rotation Rz(yaw) Rx(roll) before spread and flexion."""


def _yaw_roll_quaternions(yaw: np.ndarray, roll: np.ndarray) -> np.ndarray:
    """Quaternions (n, 4) (w, x, y, z) of Rz(yaw) Rx(roll)."""
    cy, sy, cr, sr = np.cos(yaw / 2), np.sin(yaw / 2), np.cos(roll / 2), np.sin(roll / 2)
    return np.stack([cy * cr, cy * sr, sy * sr, sy * cr], axis=-1)


def skeleton(ergonomics_deg: np.ndarray, side: str) -> tuple[np.ndarray, np.ndarray]:
    """Raw skeleton for 20 ergonomics angles (deg): node positions (25, 3) m and orientations
    (25, 4) quaternions (w, x, y, z), both in the wrist-node frame of hand ``side``.

    A bone's node sits at its proximal joint and is oriented with x along the bone; a tip
    node takes its distal bone's orientation.
    """
    mirror = 1.0 if side == "right" else -1.0
    flip = np.array([1.0, mirror, 1.0])
    angles = np.deg2rad(np.asarray(ergonomics_deg, dtype=float)).reshape(len(FINGERS), 4)
    yaw = mirror * (_CHAIN_YAW_RAD + angles[:, 0])
    roll = mirror * _CHAIN_ROLL_RAD
    flexion = np.cumsum(angles[:, 1:], axis=1)  # (5, 3): each bone's flexion in its chain

    # Bone k points along Rz(yaw) Rx(roll) Ry(flexion_k) x = cos(f) x_base - sin(f) z_base.
    x_base = np.stack([np.cos(yaw), np.sin(yaw), np.zeros(5)], axis=-1)
    z_base = np.stack(
        [np.sin(yaw) * np.sin(roll), -np.cos(yaw) * np.sin(roll), np.cos(roll)], axis=-1
    )
    bones = (
        np.cos(flexion)[..., None] * x_base[:, None] - np.sin(flexion)[..., None] * z_base[:, None]
    ) * _CHAIN_BONES_M[..., None]
    start = _CHAIN_START_M * flip
    points = start[:, None] + np.cumsum(np.concatenate([np.zeros((5, 1, 3)), bones], 1), 1)

    # Quaternion product base * (cos(f/2), 0, sin(f/2), 0).
    w, x, y, z = (c[:, None] for c in _yaw_roll_quaternions(yaw, roll).T)
    c, s = np.cos(flexion / 2), np.sin(flexion / 2)
    quats = np.stack([w * c - y * s, x * c - z * s, w * s + y * c, z * c + x * s], axis=-1)
    quats = np.concatenate([quats, quats[:, -1:]], axis=1)

    metacarpal_q = _yaw_roll_quaternions(mirror * _METACARPAL_YAW_RAD, np.zeros(4))
    finger_points = np.concatenate([(_FINGER_BASE_M * flip)[:, None], points[1:]], axis=1)
    finger_quats = np.concatenate([metacarpal_q[:, None], quats[1:]], axis=1)
    positions = np.vstack([np.zeros((1, 3)), points[0], finger_points.reshape(-1, 3)])
    orientations = np.vstack([[1.0, 0.0, 0.0, 0.0], quats[0], finger_quats.reshape(-1, 4)])
    return positions, orientations


def fingertip(positions: np.ndarray, finger: str) -> np.ndarray:
    """Tip node position (3,) of ``finger`` from skeleton ``positions`` (25, 3)."""
    index = FINGERS.index(finger)
    return positions[4 if index == 0 else 4 + 5 * index]
