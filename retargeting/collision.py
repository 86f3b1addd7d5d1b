"""Capsule self-collision model of the Vega-1 as commanded (m, robot ``base`` frame).

Each arm is a chain of capsules fitted around the URDF collision meshes: ``upper_arm`` (links
l2 + l3, shoulder roll housing to elbow), ``forearm`` (l4 + l5, elbow housing to the wrist
centre), ``wrist`` (l6, wrist centre to the yaw axis), ``flange`` (l7 + l8, yaw housing to the
mounting flange) and ``hand``: the Sharpa Wave palm, a capsule from the hand's mounting flange
along its +z axis. The fingers are deliberately not modelled, so the two hands may come close
enough for a handover; their contacts are the operator's business. The locked torso and head
are fixed capsules: ``chest`` and ``trunk`` (torso_l3), ``thigh`` (torso_l2) and ``head``
(head_l3, the camera head).

Endpoints are fixed points of link frames (values below, m, in each link's own frame), fitted
to the links' collision meshes (``meshes/collision/*.obj`` of ``dexmate-urdf``); each radius
covers every mesh vertex of its links, rounded up to the millimetre, whatever the joints in
between (the roll joints j3 and j5 turn l2 and l5 about the capsule axes). The checked pairs
are every capsule of the left arm against every capsule of the right arm, each arm's forearm,
wrist, flange and hand against every body capsule, and the upper arm against the trunk and the
head (it is mounted on the chest). An arm is not checked against itself.

A pair's clearance is the distance between its capsules' surfaces minus ``margin_m``: negative
means the command is inside the margin, or penetrating.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pinocchio as pin

from retargeting.vega1 import Vega1Arms

PALM_LENGTH_M = 0.13
"""Hand capsule length along the flange +z axis: the palm, fingers excluded."""
PALM_RADIUS_M = 0.045
"""Hand capsule radius, about the palm's half-width (the URDF has no hand to fit it to)."""
DEFAULT_MARGIN_M = 0.02
"""Clearance kept between capsule surfaces on top of the (already covering) radii."""
SIDES = ("L", "R")


class Capsule(NamedTuple):
    """A segment ``p0``-``p1`` fixed in link ``link``'s frame (m), swept by ``radius`` (m)."""

    name: str
    link: str
    p0: tuple[float, float, float]
    p1: tuple[float, float, float]
    radius: float


BODY = (
    Capsule("chest", "torso_l3", (-0.071, -0.071, 0.407), (-0.071, 0.071, 0.407), 0.128),
    Capsule("trunk", "torso_l3", (0.0, 0.0, 0.0), (-0.041, 0.0, 0.161), 0.127),
    Capsule("thigh", "torso_l2", (-0.410, 0.0, 0.100), (0.0, 0.0, 0.0), 0.107),
    Capsule("head", "head_l3", (0.005, -0.033, 0.024), (0.005, 0.033, 0.024), 0.060),
)
"""Fixed capsules of the locked torso and head, in their link frames (m)."""
ARM_PARTS = ("upper_arm", "forearm", "wrist", "flange", "hand")
_ALL_BODY = tuple(c.name for c in BODY)
BODY_PAIRS = {
    "upper_arm": ("trunk", "head"),
    "forearm": _ALL_BODY,
    "wrist": _ALL_BODY,
    "flange": _ALL_BODY,
    "hand": _ALL_BODY,
}
"""Body capsules each arm part is checked against. The upper arm is mounted on the chest."""


def arm_capsules(side: str, flange: np.ndarray) -> tuple[Capsule, ...]:
    """The capsules of arm ``side`` ("L" or "R"), ARM_PARTS order, hand on ``flange`` (4x4)."""
    # Both arms are built from the same parts (same meshes, same joint offsets), except the
    # l6 wrist link, which is mirrored.
    y = 1.0 if side == "L" else -1.0
    link = f"{side}_arm_l"
    wrist = ((0.01, -0.015 * y, 0.0), (0.068, -0.033 * y, -0.008))
    palm = pin.SE3(flange)
    palm_end = tuple(palm.act(np.array([0.0, 0.0, PALM_LENGTH_M])))
    return (
        Capsule(f"{side}_upper_arm", f"{link}3", (-0.165, 0, 0), (0.092, 0, 0.047), 0.071),
        Capsule(f"{side}_forearm", f"{link}4", (0, -0.043, 0), (0.252, -0.043, -0.043), 0.066),
        Capsule(f"{side}_wrist", f"{link}6", *wrist, 0.048),
        Capsule(f"{side}_flange", f"{link}7", (0, 0, -0.02), (0.091, 0, -0.036), 0.042),
        Capsule(f"{side}_hand", f"{side}_ee", tuple(palm.translation), palm_end, PALM_RADIUS_M),
    )  # fmt: skip


_TINY = 1e-30
"""Floor of the divisors below: parallel or zero-length segments divide 0 by it, not by 0."""


def segment_distances(a0: np.ndarray, a1: np.ndarray, b0: np.ndarray, b1: np.ndarray) -> np.ndarray:
    """Distances (n,) between segments ``a0``-``a1`` and ``b0``-``b1``, each (n, 3).

    Any segment may have zero length; any pair may be parallel.
    """
    return _distances(np.stack([(a1 - a0).T, (b1 - b0).T, (a0 - b0).T], axis=1))


def _distances(d: np.ndarray) -> np.ndarray:
    """Segment distances (n,) from ``d`` (3, 3, n): coordinates of a1 - a0, b1 - b0, a0 - b0.

    Closest points by clamped line parameters (Ericson, Real-Time Collision Detection 5.1.9),
    then each parameter re-solved given the other, which also covers parallel segments and
    segments of zero length.
    """
    gram = np.einsum("cvp,cwp->vwp", d, d)
    a, e, b, c, f = gram[0, 0], gram[1, 1], gram[0, 1], gram[0, 2], gram[1, 2]
    s = np.minimum(np.maximum((b * f - c * e) / np.maximum(a * e - b * b, _TINY), 0.0), 1.0)
    t = np.minimum(np.maximum((b * s + f) / np.maximum(e, _TINY), 0.0), 1.0)
    s = np.minimum(np.maximum((b * t - c) / np.maximum(a, _TINY), 0.0), 1.0)
    gap = d[:, 2] + d[:, 0] * s - d[:, 1] * t
    return np.sqrt((gap * gap).sum(axis=0))


class CapsuleModel:
    """Clearances (m) between the capsules of the arms, hands and body for arm joints ``q``.

    ``flange`` is the 4x4 pose (m) of each hand's mounting flange in its ``L_ee`` / ``R_ee``
    frame (default identity: the hand sits on the arm's flange). The torso and head stay
    where ``arms`` locked them.
    """

    def __init__(
        self,
        arms: Vega1Arms,
        flange: np.ndarray | None = None,
        margin_m: float = DEFAULT_MARGIN_M,
    ) -> None:
        flange = np.eye(4) if flange is None else np.asarray(flange, dtype=float)
        if flange.shape != (4, 4):
            raise ValueError(f"flange must be a 4x4 transform, got shape {flange.shape}")
        self.model = arms.model
        self.data = arms.model.createData()
        self.margin_m = margin_m
        self.capsules = (*(c for side in SIDES for c in arm_capsules(side, flange)), *BODY)
        index = {c.name: i for i, c in enumerate(self.capsules)}

        points = [(c.link, p) for c in self.capsules for p in (c.p0, c.p1)]
        points += [(f"{side}_ee", (0.0, 0.0, 0.0)) for side in SIDES]
        columns = self._lay_out(points)
        ends = columns[: 2 * len(self.capsules)].reshape(-1, 2)
        wrists = columns[2 * len(self.capsules) :]

        pairs = [(f"L_{a}", f"R_{b}") for a in ARM_PARTS for b in ARM_PARTS]
        pairs += [
            (f"{side}_{part}", body)
            for side in SIDES
            for part, bodies in BODY_PAIRS.items()
            for body in bodies
        ]
        self.pair_names = tuple(f"{a}/{b}" for a, b in pairs)
        first = np.array([index[a] for a, _ in pairs])
        second = np.array([index[b] for _, b in pairs])
        a, b = ends[first], ends[second]
        # Per pair, the columns whose differences are a1 - a0, b1 - b0 and a0 - b0.
        self._plus = np.stack([a[:, 1], b[:, 1], a[:, 0]])
        self._minus = np.stack([a[:, 0], b[:, 0], b[:, 0]])
        radii = np.array([c.radius for c in self.capsules])
        self._offset = radii[first] + radii[second] + margin_m
        palm_ends = [ends[index[f"{side}_hand"], 1] for side in SIDES]
        self._hand_columns = np.array([wrists[0], palm_ends[0], wrists[1], palm_ends[1]])

    def _lay_out(self, points: list[tuple[str, tuple[float, float, float]]]) -> np.ndarray:
        """Give each point (link, position in the link's frame) a column of ``self._points``.

        ``self._points`` (3, n) holds the moving points first, grouped by the joint they ride
        on, as ``H[:3] @ (p, 1)`` for the joint's placement H; then the fixed ones (links of
        the locked torso and head), placed once here.
        """
        data = self.model.createData()
        pin.framesForwardKinematics(self.model, data, pin.neutral(self.model))
        moving: dict[int, list[np.ndarray]] = {}
        fixed: list[np.ndarray] = []
        slots: list[tuple[int | None, int]] = []
        for link, p in points:
            frame_id = self.model.getFrameId(link)
            frame = self.model.frames[frame_id]
            if frame.parentJoint == 0:
                slots.append((None, len(fixed)))
                fixed.append(data.oMf[frame_id].act(np.asarray(p, dtype=float)))
            else:
                group = moving.setdefault(frame.parentJoint, [])
                slots.append((frame.parentJoint, len(group)))
                group.append(np.append(frame.placement.act(np.asarray(p, dtype=float)), 1.0))
        self._joint_ids = tuple(moving)
        width = max(len(group) for group in moving.values())
        self._local = np.zeros((len(moving), 4, width))
        for i, group in enumerate(moving.values()):
            self._local[i, :, : len(group)] = np.transpose(group)
        n_moving = len(moving) * width
        self._points = np.zeros((3, n_moving + len(fixed)))
        self._points[:, n_moving:] = np.transpose(fixed)
        self._placed = self._points[:, :n_moving].reshape(3, len(moving), width)
        return np.array(
            [
                n_moving + i if joint is None else self._joint_ids.index(joint) * width + i
                for joint, i in slots
            ]
        )

    def evaluate(self, q: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Clearances (n_pairs,) m for arm joints ``q`` (14,) rad, and the hand points (4, 3) m.

        The hand points are, in order: L wrist (``L_ee`` origin), L palm end, R wrist, R palm
        end.
        """
        pin.forwardKinematics(self.model, self.data, np.asarray(q, dtype=float))
        placements = np.array([self.data.oMi[j].homogeneous for j in self._joint_ids])
        np.matmul(placements[:, :3], self._local, out=self._placed.transpose(1, 0, 2))
        points = self._points
        d = points.take(self._plus, axis=1) - points.take(self._minus, axis=1)
        return _distances(d) - self._offset, points[:, self._hand_columns].T

    def clearances(self, q: np.ndarray) -> np.ndarray:
        """Signed clearance (n_pairs,) m of each pair in ``pair_names`` for arm joints ``q``."""
        return self.evaluate(q)[0]

    def min_clearance(self, q: np.ndarray) -> tuple[float, str]:
        """The smallest clearance (m) for arm joints ``q`` and the name of its pair."""
        clearances = self.clearances(q)
        i = int(np.argmin(clearances))
        return float(clearances[i]), self.pair_names[i]
