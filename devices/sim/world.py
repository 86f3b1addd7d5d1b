"""The simulated world: where the robot's hands are and what their fingertips touch.

Sim sensors of one process share one :class:`SimWorld`. It reads the robot's measured state
from the station's latest samples (``body``, ``hand_left``, ``hand_right``), places the hands
on the Vega-1 wrists and checks each fingertip pad (a sphere, see ``hand_geometry``) against
the table top and the scene object. Everything is in the robot base frame (m, m/s).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from devices.hands import N_HAND_JOINTS
from devices.registry import BuildContext
from devices.sample import Sample
from devices.sim.hand_geometry import PAD_RADIUS_M, pad_centres
from devices.sim.scene import SceneSpec
from devices.sim.shapes import Box, Shape, Sphere
from devices.sim.shared import shared_instance
from retargeting.sharpa_wave import HandKinematics
from retargeting.vega1 import READY_POSE, Vega1Arms

SIDES = ("left", "right")
TABLE_THICKNESS_M = 0.04
VELOCITY_STEP_S = 0.01
"""Look-ahead (s) of the finite difference giving pad velocities from measured joint rates."""


@dataclass(frozen=True, slots=True)
class Contact:
    """One fingertip pad against the scene, base frame.

    ``depth_m`` is the penetration (m), 0 when not touching; ``point_base`` is the pad surface
    point deepest in the touched body (m) and ``normal_base`` the body's outward surface normal
    there, i.e. the direction of the force on the finger; when not touching both refer to the
    nearest surface. ``velocity_base`` is the pad's velocity relative to the body (m/s),
    computed while any pad touches something and zero otherwise.
    """

    depth_m: float
    point_base: np.ndarray
    normal_base: np.ndarray
    velocity_base: np.ndarray

    @property
    def touching(self) -> bool:
        """True when the pad penetrates the body."""
        return self.depth_m > 0.0


@dataclass(frozen=True, slots=True)
class _Snapshot:
    t_ns: int
    key: tuple
    wrists: np.ndarray
    hands: np.ndarray
    tips: np.ndarray
    pads: np.ndarray
    object_pose: np.ndarray
    contacts: tuple[tuple[Contact, ...], tuple[Contact, ...]]


def _readonly(arr: np.ndarray) -> np.ndarray:
    arr.setflags(write=False)
    return arr


def _sample_key(sample: Sample | None) -> tuple | None:
    return None if sample is None else (sample.stream, sample.seq, sample.t_capture_ns)


def _usable(sample: Sample | None) -> bool:
    return sample is not None and sample.valid and sample.is_finite()


def _holds(depth: np.ndarray) -> bool:
    """A hand holds the object when the thumb and another finger press into it."""
    return bool(depth[0] > 0.0 and (depth[1:] > 0.0).any())


class SimWorld:
    """Measured robot + table + one object. Thread-safe; results are read-only arrays.

    ``flange`` is the 4x4 pose (m) of each hand's mounting flange in its Vega-1 ``L_ee`` /
    ``R_ee`` frame. A result is reused for ``max_age_s`` and recomputed only when one of the
    input samples changed, so several sensors polling together share one computation.
    """

    def __init__(
        self,
        scene: SceneSpec,
        latest: Callable[[str], Sample | None],
        flange: np.ndarray | None = None,
        max_age_s: float = 0.003,
    ) -> None:
        self.scene = scene
        self.flange = np.eye(4) if flange is None else np.asarray(flange, dtype=float)
        if self.flange.shape != (4, 4):
            raise ValueError(f"flange must be a 4x4 transform, got shape {self.flange.shape}")
        self._latest = latest
        self._max_age_ns = int(max_age_s * 1e9)
        self._arms = Vega1Arms()
        self._hands = tuple(HandKinematics(side) for side in SIDES)
        self.table_shape = Box(
            (
                (scene.table_x_m[1] - scene.table_x_m[0]) / 2,
                (scene.table_y_m[1] - scene.table_y_m[0]) / 2,
                TABLE_THICKNESS_M / 2,
            )
        )
        self.table_pose = np.eye(4)
        self.table_pose[:3, 3] = (
            sum(scene.table_x_m) / 2,
            sum(scene.table_y_m) / 2,
            scene.table_height_m - TABLE_THICKNESS_M / 2,
        )
        self.object_shape: Shape = (
            Sphere(scene.object_radius_m)
            if scene.object_shape == "sphere"
            else Box(scene.object_half_extents_m)
        )
        self._lock = threading.Lock()
        self._q_arm = np.array(READY_POSE, dtype=float)
        self._qd_arm = np.zeros(14)
        self._q_hand = np.zeros((2, N_HAND_JOINTS))
        self._qd_hand = np.zeros((2, N_HAND_JOINTS))
        self._object = self._rest_pose(np.array(scene.object_xy_m))
        self._grasp: tuple[int, np.ndarray] | None = None
        self._snap: _Snapshot | None = None

    def fingertips(self) -> np.ndarray:
        """(2, 5, 3) elastomer frame origins (m), [left, right] x FINGERS."""
        return self._snapshot().tips[:, :, :3, 3]

    def fingertip_frames(self) -> np.ndarray:
        """(2, 5, 4, 4) poses of the elastomer frames (m), [left, right] x FINGERS."""
        return self._snapshot().tips

    def pad_centers(self) -> np.ndarray:
        """(2, 5, 3) centres of the fingertip pad spheres (m), [left, right] x FINGERS."""
        return self._snapshot().pads

    def wrist_poses(self) -> np.ndarray:
        """(2, 4, 4) poses of ``L_ee`` and ``R_ee`` (m)."""
        return self._snapshot().wrists

    def hand_poses(self) -> np.ndarray:
        """(2, 4, 4) poses of the left and right hand flanges (m)."""
        return self._snapshot().hands

    def object_pose(self) -> np.ndarray:
        """(4, 4) pose of the object's centre (m): resting on the table or held by a hand."""
        return self._snapshot().object_pose

    def contacts(self, side: str) -> tuple[Contact, ...]:
        """Five contacts of ``side``'s fingertip pads, FINGERS order (the deeper of table and
        object per pad)."""
        return self._snapshot().contacts[SIDES.index(side)]

    def touch(self, side: str) -> tuple[np.ndarray, tuple[Contact, ...]]:
        """``side``'s elastomer frames (5, 4, 4) and pad contacts, FINGERS order, from one
        consistent state."""
        snap, i = self._snapshot(), SIDES.index(side)
        return snap.tips[i], snap.contacts[i]

    def _snapshot(self) -> _Snapshot:
        now = time.monotonic_ns()
        with self._lock:
            snap = self._snap
            if snap is not None and now - snap.t_ns < self._max_age_ns:
                return snap
            inputs = [self._latest(s) for s in ("body", "hand_left", "hand_right")]
            key = tuple(_sample_key(s) for s in inputs)
            if snap is None or key != snap.key:
                self._absorb(*inputs)
                snap = self._compute(now, key)
            else:
                snap = replace(snap, t_ns=now)
            self._snap = snap
            return snap

    def _absorb(self, body: Sample | None, *hands: Sample | None) -> None:
        """Take positions and rates from usable samples; keep the last ones otherwise."""
        if _usable(body):
            self._q_arm = body.data["arm_position"].astype(float)
            self._qd_arm = body.data.get("arm_velocity", np.zeros(14)).astype(float)
        for i, hand in enumerate(hands):
            if _usable(hand):
                self._q_hand[i] = hand.data["position"]
                self._qd_hand[i] = hand.data.get("velocity", np.zeros(N_HAND_JOINTS))

    def _place(self, q_arm: np.ndarray, q_hand: np.ndarray) -> tuple[np.ndarray, ...]:
        """Wrist poses (2,4,4), flange poses (2,4,4), elastomer frames (2,5,4,4), pads (2,5,3)."""
        wrists = self._arms.wrist_poses(q_arm)
        hands = wrists @ self.flange
        tips = hands[:, None] @ np.stack(
            [kin.frames(q) for kin, q in zip(self._hands, q_hand, strict=True)]
        )
        pads = pad_centres(tips)
        return wrists, hands, tips, pads

    def _compute(self, now: int, key: tuple) -> _Snapshot:
        wrists, hands, tips, pads = self._place(self._q_arm, self._q_hand)
        flat = pads.reshape(10, 3)
        obj_depth, obj_normal = self._update_object(hands, flat)
        table_depth, table_normal = self.table_shape.penetration(
            self.table_pose, flat, PAD_RADIUS_M
        )
        on_object = obj_depth >= table_depth
        depth = np.maximum(np.where(on_object, obj_depth, table_depth), 0.0)
        normal = np.where(on_object[:, None], obj_normal, table_normal)
        velocity = np.zeros((10, 3))
        if (depth > 0.0).any():
            velocity = self._relative_velocities(hands, flat, on_object)
        points = flat - PAD_RADIUS_M * normal
        contacts = [
            Contact(float(d), _readonly(p), _readonly(n), _readonly(v))
            for d, p, n, v in zip(depth, points, normal, velocity, strict=True)
        ]
        return _Snapshot(
            now,
            key,
            _readonly(wrists),
            _readonly(hands),
            _readonly(tips),
            _readonly(pads),
            _readonly(self._object.copy()),
            (tuple(contacts[:5]), tuple(contacts[5:])),
        )

    def _relative_velocities(
        self, hands: np.ndarray, pads: np.ndarray, on_object: np.ndarray
    ) -> np.ndarray:
        """Velocities (10, 3) m/s of the pads relative to what they touch (the table is still;
        a held object moves with its hand), from the measured joint rates."""
        h = VELOCITY_STEP_S
        _, hands_next, _, pads_next = self._place(
            self._q_arm + h * self._qd_arm, self._q_hand + h * self._qd_hand
        )
        velocity = (pads_next.reshape(10, 3) - pads) / h
        if self._grasp is not None:
            motion = hands_next[self._grasp[0]] @ np.linalg.inv(hands[self._grasp[0]])
            carried = (pads @ motion[:3, :3].T + motion[:3, 3] - pads) / h
            velocity -= np.where(on_object[:, None], carried, 0.0)
        return velocity

    def _update_object(self, hands: np.ndarray, pads: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Grasp, carry or drop the object; its pad depths (10,) and normals (10, 3) after."""
        if self._grasp is not None:
            self._object = hands[self._grasp[0]] @ self._grasp[1]
        depth, normal = self.object_shape.penetration(self._object, pads, PAD_RADIUS_M)
        per_side = depth.reshape(2, 5)
        if self._grasp is not None and not _holds(per_side[self._grasp[0]]):
            self._grasp = None
            self._object = self._rest_pose(self._object[:2, 3])
            depth, normal = self.object_shape.penetration(self._object, pads, PAD_RADIUS_M)
        elif self._grasp is None:
            for s in range(2):
                if _holds(per_side[s]):
                    self._grasp = (s, np.linalg.inv(hands[s]) @ self._object)
                    break
        return depth, normal

    def _rest_pose(self, xy: np.ndarray) -> np.ndarray:
        """The object upright on the table at ``xy`` (m), moved inside the table's edges."""
        scene = self.scene
        reach = self.object_shape.bounding_radius
        lo = np.array([scene.table_x_m[0], scene.table_y_m[0]]) + reach
        hi = np.array([scene.table_x_m[1], scene.table_y_m[1]]) - reach
        pose = np.eye(4)
        pose[:2, 3] = np.clip(xy, lo, hi)
        pose[2, 3] = scene.table_height_m + self.object_shape.half_height
        return pose


def world_of(context: BuildContext) -> SimWorld:
    """The process's SimWorld, created on first use from ``context.scene`` and ``.latest``."""
    return shared_instance(context, "world", lambda: SimWorld(context.scene, context.latest))
