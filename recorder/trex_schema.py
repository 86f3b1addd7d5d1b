"""The public T-Rex LeRobot schema: feature keys, their order, and where each comes from.

Vectors, in this order:

- ``observation.state`` (58,): measured joint positions (rad), [L arm 7 | L hand 22 |
  R arm 7 | R hand 22]; arms in ``ARM_JOINTS`` order, hands in ``SHARPA_JOINTS`` order;
- ``action`` (58,): commanded joint positions (rad), same order;
- ``observation.tactile_force`` (60,): (left, right) x (thumb .. pinky) x (Fx, Fy, Fz, Mx, My,
  Mz), N and N*m in each fingertip's elastomer frame.

Videos, in this order: the head's left eye and the two wrist cameras (RGB), then per side, per
kind (RAW, then DEFORM) and per finger the tactile images (grey).
"""

from __future__ import annotations

from devices.gloves import FINGERS
from devices.hands import SHARPA_JOINTS
from retargeting.vega1 import ARM_JOINTS

SIDES = ("left", "right")
ARM_DOF = 7
WRENCH_AXES = ("Fx", "Fy", "Fz", "Mx", "My", "Mz")
TACTILE_KINDS = ("raw", "deform")

STATE = "observation.state"
ACTION = "action"
TACTILE_FORCE = "observation.tactile_force"

BODY_STREAM = "body"
CONTROL_STREAM = "control"
"""The control loop's stream: the arm and hand commands sent (the action)."""


def hand_stream_name(side: str) -> str:
    return f"hand_{side}"


def tactile_stream_name(side: str, finger: str) -> str:
    return f"tactile_{side}_{finger}"


JOINT_NAMES = (
    *ARM_JOINTS[:ARM_DOF],
    *(f"L_{j}" for j in SHARPA_JOINTS),
    *ARM_JOINTS[ARM_DOF:],
    *(f"R_{j}" for j in SHARPA_JOINTS),
)
"""Names of the 58 dimensions of the state and the action."""
FORCE_NAMES = tuple(f"{s}_{f}_{a}" for s in SIDES for f in FINGERS for a in WRENCH_AXES)
"""Names of the 60 dimensions of the tactile force."""

CAMERA_VIDEOS = {
    "observation.images.head_left": "camera_head",
    "observation.images.left_wrist": "camera_left_wrist",
    "observation.images.right_wrist": "camera_right_wrist",
}
"""Camera video key -> the stream whose ``image`` field it shows."""
TACTILE_VIDEOS = {
    f"observation.images.tactile_{side}_{kind}_{finger}": (tactile_stream_name(side, finger), kind)
    for side in SIDES
    for kind in TACTILE_KINDS
    for finger in FINGERS
}
"""Tactile video key -> (stream, field) it shows."""
VIDEO_KEYS = (*CAMERA_VIDEOS, *TACTILE_VIDEOS)

STATE_STREAMS = (BODY_STREAM, *(hand_stream_name(side) for side in SIDES))
TACTILE_STREAMS = tuple(tactile_stream_name(side, finger) for side in SIDES for finger in FINGERS)
SCHEMA_STREAMS = (
    *STATE_STREAMS,
    CONTROL_STREAM,
    *TACTILE_STREAMS,
    *CAMERA_VIDEOS.values(),
)
"""Every stream an episode needs for the schema."""
