"""The Sharpa Wave hand (left and right, 22 joints) as a Pinocchio model built in code.

Authored from the official Sharpa Wave kinematic numbers (wave_01 "with flange"
descriptions: joint origins, axes, limits, fingertip frame offsets); the project never loads
the official files. The model is rooted at the hand's mounting flange, where it sits on the
Vega-1 ``L_ee`` / ``R_ee`` frame through the station's flange transform. Flange frame: z out
of the flange towards the fingers, palm facing +x. Positions in m, joints in rad in
SHARPA_JOINTS (SDK) order.

Frames per finger, named as in the official description:
- ``{side}_{finger}_DP``: the distal phalanx link (on the last joint);
- ``{side}_{finger}_elastomer``: the tactile sensor frame, origin on the distal joint's axis,
  its -y axis pointing to the fingertip;
- ``{side}_{finger}_fingertip``: the fingertip point, TIP_OFFSET_M along elastomer -y.
Every link is a BODY frame named as the official link, so the model exports to URDF
(``retargeting.urdf_export``) with the official link names.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Literal

import numpy as np
import pinocchio as pin

from retargeting import sharpa_limits

Side = Literal["left", "right"]
Vec3 = tuple[float, float, float]

SIDES: tuple[Side, ...] = ("left", "right")
FINGERS = ("thumb", "index", "middle", "ring", "pinky")
"""Finger order of every per-finger array (thumb first)."""
SHARPA_JOINTS = sharpa_limits.JOINT_NAMES
"""Joint order shared by the official description and the SDK (index 0..21, rad)."""
FRAME_KINDS = ("DP", "elastomer", "fingertip")

PALM_FROM_FLANGE_Z_M = 0.0005 + 0.029
"""Flange -> wrist -> palm (``hand_C_MC``) offset along the flange z axis (m)."""
TIP_OFFSET_M = {"thumb": 0.027611, **dict.fromkeys(FINGERS[1:], 0.026009)}
"""Distance (m) from the elastomer origin to the fingertip point along the elastomer -y axis."""

_R = 1.5708
_P = 3.1416
"""pi / 2 and pi (rad) as the official descriptions round them."""
_FINGERTIP_RPY = (_R, _R, 0.0)
"""Orientation of the fingertip frame in the elastomer frame (rad)."""

_LINKS = {
    "thumb": ("CMC_VL", "MC", "MCP_VL", "PP", "DP"),
    "index": ("MCP_VL", "PP", "MP", "DP"),
    "middle": ("MCP_VL", "PP", "MP", "DP"),
    "ring": ("MCP_VL", "PP", "MP", "DP"),
    "pinky": ("MC", "MCP_VL", "PP", "MP", "DP"),
}
"""Official link moved by each joint of a finger, joints in SHARPA_JOINTS order."""

# Per finger, the joints of SHARPA_JOINTS in order, then the fixed elastomer frame: origin xyz
# (m) and rpy (rad) relative to the previous row; the first row is relative to the palm.
# Every joint turns about its own +z axis.
_CHAINS: dict[Side, dict[str, tuple[tuple[Vec3, Vec3], ...]]] = {
    "right": {
        "thumb": (
            ((0.01, 0.026, 0.0214), (_P, 0.0, _R)),
            ((0.0, -0.005, 0.0), (-_R, 0.7854, 0.0)),
            ((0.065, -0.006, 0.010392), (0.5236, 0.0, 0.0)),
            ((0.0, 0.0, 0.0), (-_R, 0.0, 0.0)),
            ((0.039, 0.0, 0.0), (_R, 0.0, 0.0)),
            ((0.0, 0.0, 0.0), (_R, -_R, 0.0)),
        ),
        "index": (
            ((0.001, 0.0303, 0.0959), (0.0, -_R, -_R)),
            ((0.0, 0.0, 0.0), (-_R, 0.0, 0.0)),
            ((0.047, 0.0, 0.0), (_R, 0.0, 0.0)),
            ((0.0315, 0.0, 0.0), (0.0, 0.0, 0.0)),
            ((0.0, 0.0, 0.0), (_R, -_R, 0.0)),
        ),
        "middle": (
            ((0.0, 0.01, 0.0989), (0.0, -_R, -_R)),
            ((0.0, 0.0, 0.0), (-_R, 0.0, 0.0)),
            ((0.047, 0.0, 0.0), (_R, 0.0, 0.0)),
            ((0.0315, 0.0, 0.0), (0.0, 0.0, 0.0)),
            ((0.0, 0.0, 0.0), (_R, -_R, 0.0)),
        ),
        "ring": (
            ((0.0015, -0.0103, 0.0929), (0.0, -_R, -_R)),
            ((0.0, 0.0, 0.0), (-_R, 0.0, 0.0)),
            ((0.047, 0.0, 0.0), (_R, 0.0, 0.0)),
            ((0.0315, 0.0, 0.0), (0.0, 0.0, 0.0)),
            ((0.0, 0.0, 0.0), (_R, -_R, 0.0)),
        ),
        "pinky": (
            ((0.01136, -0.0263, 0.0869), (0.0, 0.0, _P)),
            ((0.00836, 0.0048, 0.0), (_R, -_R, 0.0)),
            ((0.0, 0.0, 0.0), (-_R, 0.0, 0.0)),
            ((0.047, 0.0, 0.0), (_R, 0.0, 0.0)),
            ((0.0315, 0.0, 0.0), (0.0, 0.0, 0.0)),
            ((0.0, 0.0, 0.0), (_R, -_R, 0.0)),
        ),
    },
    "left": {
        "thumb": (
            ((0.01, -0.026, 0.0214), (0.0, 0.0, -_R)),
            ((0.0, -0.005, 0.0), (_R, -0.7854, 0.0)),
            ((0.065, -0.006, -0.010392), (-0.5236, 0.0, 0.0)),
            ((0.0, 0.0, 0.0), (_R, 0.0, 0.0)),
            ((0.039, 0.0, 0.0), (-_R, 0.0, 0.0)),
            ((0.0, 0.0, 0.0), (_R, -_R, 0.0)),
        ),
        "index": (
            ((0.001, -0.0303, 0.0959), (0.0, -_R, -_R)),
            ((0.0, 0.0, 0.0), (_R, 0.0, 0.0)),
            ((0.047, 0.0, 0.0), (-_R, 0.0, 0.0)),
            ((0.0315, 0.0, 0.0), (0.0, 0.0, 0.0)),
            ((0.0, 0.0, 0.0), (_R, -_R, 0.0)),
        ),
        "middle": (
            ((0.0, -0.01, 0.0989), (0.0, -_R, -_R)),
            ((0.0, 0.0, 0.0), (_R, 0.0, 0.0)),
            ((0.047, 0.0, 0.0), (-_R, 0.0, 0.0)),
            ((0.0315, 0.0, 0.0), (0.0, 0.0, 0.0)),
            ((0.0, 0.0, 0.0), (_R, -_R, 0.0)),
        ),
        "ring": (
            ((0.0015, 0.0103, 0.0929), (0.0, -_R, -_R)),
            ((0.0, 0.0, 0.0), (_R, 0.0, 0.0)),
            ((0.047, 0.0, 0.0), (-_R, 0.0, 0.0)),
            ((0.0315, 0.0, 0.0), (0.0, 0.0, 0.0)),
            ((0.0, 0.0, 0.0), (_R, -_R, 0.0)),
        ),
        "pinky": (
            ((0.01136, 0.0263, 0.0869), (-_P, 0.0, _P)),
            ((0.00836, 0.0048, 0.0), (-_R, _R, 0.0)),
            ((0.0, 0.0, 0.0), (_R, 0.0, 0.0)),
            ((0.047, 0.0, 0.0), (-_R, 0.0, 0.0)),
            ((0.0315, 0.0, 0.0), (0.0, 0.0, 0.0)),
            ((0.0, 0.0, 0.0), (_R, -_R, 0.0)),
        ),
    },
}


def _placement(xyz: Vec3, rpy: Vec3) -> pin.SE3:
    return pin.SE3(pin.rpy.rpyToMatrix(np.array(rpy)), np.array(xyz))


@dataclass(frozen=True)
class SharpaWaveModel:
    """A Pinocchio model of one hand rooted at its flange, and its per-finger frame ids.

    ``frame_ids[kind]`` lists the five frame ids of ``kind`` (one of FRAME_KINDS) in FINGERS
    order. The configuration is the 22 joints in SHARPA_JOINTS order (rad).
    """

    side: Side
    model: pin.Model
    frame_ids: dict[str, tuple[int, ...]]


def _check_side(side: str) -> None:
    if side not in SIDES:
        raise ValueError(f"side must be 'left' or 'right', got {side!r}")


@cache
def build_hand_model(side: Side) -> SharpaWaveModel:
    """The Sharpa Wave model of ``side``; cached: copy ``model`` before changing it."""
    _check_side(side)
    model = pin.Model()
    model.name = f"{side}_sharpa_wave"
    flange = model.addFrame(
        pin.Frame(f"{side}_hand_flange", 0, 0, pin.SE3.Identity(), pin.FrameType.BODY)
    )
    palm_placement = pin.SE3(np.eye(3), np.array([0.0, 0.0, PALM_FROM_FLANGE_Z_M]))
    palm = model.addFrame(
        pin.Frame(f"{side}_hand_C_MC", 0, flange, palm_placement, pin.FrameType.BODY)
    )
    frame_ids: dict[str, list[int]] = {kind: [] for kind in FRAME_KINDS}
    for finger in FINGERS:
        *joints, elastomer = _CHAINS[side][finger]
        names = [n for n in SHARPA_JOINTS if n.startswith(f"{finger}_")]
        parent_joint, parent_frame, offset = 0, palm, palm_placement
        for name, link, (xyz, rpy) in zip(names, _LINKS[finger], joints, strict=True):
            k = SHARPA_JOINTS.index(name)
            parent_joint = model.addJoint(
                parent_joint,
                pin.JointModelRZ(),
                offset * _placement(xyz, rpy),
                f"{side}_{name}",
                sharpa_limits.EFFORT[k : k + 1],
                sharpa_limits.VELOCITY[k : k + 1],
                sharpa_limits.LOWER[k : k + 1],
                sharpa_limits.UPPER[k : k + 1],
            )
            joint_frame = model.addJointFrame(parent_joint, parent_frame)
            parent_frame = model.addBodyFrame(
                f"{side}_{finger}_{link}", parent_joint, pin.SE3.Identity(), joint_frame
            )
            offset = pin.SE3.Identity()
        frame_ids["DP"].append(parent_frame)
        elastomer_frame = model.addFrame(
            pin.Frame(
                f"{side}_{finger}_elastomer",
                parent_joint,
                parent_frame,
                _placement(*elastomer),
                pin.FrameType.OP_FRAME,
            )
        )
        frame_ids["elastomer"].append(elastomer_frame)
        tip = _placement(*elastomer) * _placement((0.0, -TIP_OFFSET_M[finger], 0.0), _FINGERTIP_RPY)
        frame_ids["fingertip"].append(
            model.addFrame(
                pin.Frame(
                    f"{side}_{finger}_fingertip",
                    parent_joint,
                    elastomer_frame,
                    tip,
                    pin.FrameType.OP_FRAME,
                )
            )
        )
    return SharpaWaveModel(side, model, {k: tuple(v) for k, v in frame_ids.items()})


class HandKinematics:
    """Forward kinematics of one hand's finger frames, in its flange frame (m).

    Holds its own Pinocchio data: use one instance per thread, or guard calls with a lock.
    """

    def __init__(self, side: Side) -> None:
        self.side = side
        hand = build_hand_model(side)
        self.model = hand.model
        self.frame_ids = hand.frame_ids
        self._data = self.model.createData()
        self._finger_joints = tuple(
            tuple(
                self.model.getJointId(f"{side}_{name}")
                for name in SHARPA_JOINTS
                if name.startswith(f"{finger}_")
            )
            for finger in FINGERS
        )

    def frames(self, q: np.ndarray, kind: str = "elastomer") -> np.ndarray:
        """(5, 4, 4) poses of the ``kind`` frames (FRAME_KINDS) in the flange frame, FINGERS order.

        ``q`` is (22,) joint positions (rad) in SHARPA_JOINTS order.
        """
        q = np.asarray(q, dtype=float)
        if q.shape != (self.model.nq,):
            raise ValueError(f"expected {self.model.nq} joint positions, got shape {q.shape}")
        pin.forwardKinematics(self.model, self._data, q)
        ids = self.frame_ids[kind]
        return np.stack(
            [pin.updateFramePlacement(self.model, self._data, i).homogeneous for i in ids]
        )

    def fingertips(self, q: np.ndarray) -> np.ndarray:
        """(5, 3) positions (m) of the fingertip points in the flange frame, FINGERS order."""
        return self.frames(q, "fingertip")[:, :3, 3]

    def skeleton(self, q: np.ndarray) -> np.ndarray:
        """Polylines drawing the hand, (K, 3) points (m) in the flange frame.

        For each finger in FINGERS order: the flange origin, the finger's joint origins, its
        fingertip point, then a NaN row ending the polyline.
        """
        tips = self.fingertips(q)  # also updates the joint placements
        rows: list[np.ndarray] = []
        for joints, tip in zip(self._finger_joints, tips, strict=True):
            rows.append(np.zeros(3))
            rows.extend(self._data.oMi[j].translation for j in joints)
            rows.extend((tip, np.full(3, np.nan)))
        return np.array(rows)
