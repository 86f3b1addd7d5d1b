"""Fingertip kinematics of one Sharpa Wave hand, from its mounting flange to the five sensors.

The model is built in code with Pinocchio from the official Sharpa Wave kinematic numbers
(joint origins and axes of the chains to the ``{side}_{finger}_elastomer`` frames). Positions
are in metres in the hand flange frame (z out of the flange towards the fingers, the palm
facing +x), joint positions in rad in SHARPA_JOINTS order. Where the flange sits on the arm
is the caller's business (see ``world``).

Each elastomer frame has its origin on the distal joint's axis; its -y axis points to the
fingertip. The soft pad the sensor covers is modelled as a sphere of PAD_RADIUS_M centred on
that axis, PAD_RADIUS_M short of the fingertip point.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pinocchio as pin

from devices.gloves import FINGERS
from devices.hands import SHARPA_JOINTS
from retargeting import sharpa_limits

Side = Literal["left", "right"]
Vec3 = tuple[float, float, float]

PALM_FROM_FLANGE_Z_M = 0.0005 + 0.029
"""Flange -> wrist -> palm (``hand_C_MC``) offset along the flange z axis (m)."""

_R = 1.5708
_P = 3.1416
"""pi / 2 and pi (rad) as the official descriptions round them."""

# From the official Sharpa Wave kinematics (wave_01, "with flange" descriptions).
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

TIP_OFFSET_M = {"thumb": 0.027611, **dict.fromkeys(FINGERS[1:], 0.026009)}
"""Distance (m) from the elastomer origin to the fingertip point along the elastomer -y axis."""
PAD_RADIUS_M = 0.009
"""Radius (m) of the sphere standing for a fingertip's soft pad."""
PAD_CENTERS = np.array([(0.0, PAD_RADIUS_M - TIP_OFFSET_M[f], 0.0) for f in FINGERS])
"""(5, 3) pad sphere centres in each finger's elastomer frame (m), FINGERS order."""
PALMAR_AXIS = np.array([0.0, 0.0, -1.0])
"""Unit vector (elastomer frame, both sides) from a pad centre to the palm side: the sensing
face. Flexing a finger moves its pad this way."""


def _placement(xyz: Vec3, rpy: Vec3) -> pin.SE3:
    return pin.SE3(pin.rpy.rpyToMatrix(np.array(rpy)), np.array(xyz))


def build_hand_model(side: Side) -> tuple[pin.Model, tuple[int, ...]]:
    """A Pinocchio model of one hand rooted at its flange, and its five elastomer frame ids.

    The model's configuration is the 22 joints in SHARPA_JOINTS order (rad).
    """
    model = pin.Model()
    model.name = f"{side}_sharpa_wave"
    palm = pin.SE3(np.eye(3), np.array([0.0, 0.0, PALM_FROM_FLANGE_Z_M]))
    frame_ids = []
    for finger in FINGERS:
        *joints, elastomer = _CHAINS[side][finger]
        names = [n for n in SHARPA_JOINTS if n.startswith(f"{finger}_")]
        parent, offset = 0, palm
        for name, (xyz, rpy) in zip(names, joints, strict=True):
            k = sharpa_limits.JOINT_NAMES.index(name)
            parent = model.addJoint(
                parent,
                pin.JointModelRZ(),
                offset * _placement(xyz, rpy),
                f"{side}_{name}",
                sharpa_limits.EFFORT[k : k + 1],
                sharpa_limits.VELOCITY[k : k + 1],
                sharpa_limits.LOWER[k : k + 1],
                sharpa_limits.UPPER[k : k + 1],
            )
            offset = pin.SE3.Identity()
        frame = pin.Frame(
            f"{side}_{finger}_elastomer", parent, _placement(*elastomer), pin.FrameType.OP_FRAME
        )
        frame_ids.append(model.addFrame(frame))
    return model, tuple(frame_ids)


class HandKinematics:
    """Forward kinematics of the five elastomer frames of one hand, in its flange frame.

    Holds its own Pinocchio data: use one instance per thread, or guard calls with a lock.
    """

    def __init__(self, side: Side) -> None:
        if side not in _CHAINS:
            raise ValueError(f"side must be 'left' or 'right', got {side!r}")
        self.side = side
        self.model, self._frame_ids = build_hand_model(side)
        self._data = self.model.createData()

    def fingertip_frames(self, q: np.ndarray) -> np.ndarray:
        """(5, 4, 4) poses of the elastomer frames in the flange frame (m), FINGERS order.

        ``q`` is (22,) joint positions (rad) in SHARPA_JOINTS order.
        """
        q = np.asarray(q, dtype=float)
        if q.shape != (self.model.nq,):
            raise ValueError(f"expected {self.model.nq} joint positions, got shape {q.shape}")
        pin.forwardKinematics(self.model, self._data, q)
        frames = [pin.updateFramePlacement(self.model, self._data, i) for i in self._frame_ids]
        return np.stack([f.homogeneous for f in frames])

    def fingertips(self, q: np.ndarray) -> np.ndarray:
        """(5, 3) positions (m) of the elastomer frame origins in the flange frame."""
        return self.fingertip_frames(q)[:, :3, 3]


def pad_centres(frames: np.ndarray) -> np.ndarray:
    """Centres (..., 5, 3) of the pad spheres given elastomer frames (..., 5, 4, 4), same frame."""
    return np.einsum("...fij,fj->...fi", frames[..., :3, :3], PAD_CENTERS) + frames[..., :3, 3]
