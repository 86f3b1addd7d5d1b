"""The scripted human operator of the simulated station: wrists and fingers as functions of time.

One cycle (CYCLE_S seconds) is PHASES in order: the right hand reaches for the scene's object,
closes a power grasp on it, lifts it, pours (a wrist roll there and back), places it back,
releases it, pinches thumb and index above it and retracts; the left hand supports beside the
object (a loose cup hold tilted toward the pour) and mirrors the pinch. Every transition is a
minimum-jerk blend between keyframes; each cycle varies the keyframes and phase durations a
little, and band-limited noise plays the part of tremor and sensor noise. Everything is a
deterministic function of the seed and of the time since ``t0_ns``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import cache

import numpy as np
import pinocchio as pin

from devices.registry import BuildContext
from devices.sim import human_hand
from devices.sim.hand_geometry import pad_centres
from devices.sim.motion import SmoothNoise, bump, min_jerk
from devices.sim.scene import SceneSpec
from devices.sim.seeding import seeded_rng
from devices.sim.shared import shared_instance
from retargeting.hand_keypoints import MANUS_SKELETON, KeypointMapping, targets_from_keypoints
from retargeting.hand_retarget import HandRetargeter
from retargeting.sharpa_wave import SHARPA_JOINTS, HandKinematics
from retargeting.vega1 import READY_POSE, Vega1Arms

SIDES = ("left", "right")
PHASES = ("reach", "grasp", "lift", "pour", "place", "release", "pinch", "retract")
_DURATIONS_S = np.array([2.0, 1.5, 1.5, 2.5, 1.5, 1.0, 2.0, 2.0])
CYCLE_S = float(_DURATIONS_S.sum())
"""Length of one scripted cycle (s); the phases' durations vary per cycle, their sum does not."""


_PLAN = {
    "right": ((0.10, "open"), (0.015, "power"), (0.15, "power"), (0.15, "power"),
              (0.015, "power"), (0.05, "open"), (0.12, "pinch")),
    "left": ((0.0, "open"), (-0.03, "cup"), (0.05, "cup"), (0.05, "cup"),
             (-0.03, "cup"), (0.0, "open"), (0.05, "pinch")),
}  # fmt: skip
"""Per side, the state at the end of every phase but ``retract`` (which ends at the ready
pose): height of the grasp centre above the side's anchor (m) and hand posture."""
_GRASP_POSTURE = {"left": "cup", "right": "power"}
_SETTLE_FRAMES = 60
"""Retargeting frames for the hand to settle on a held posture."""
_PITCH_RAD = {"left": 0.4, "right": 0.35}
"""Downward tilt of the hand (about the base y axis) away from the ready pose, rad."""
_POUR = {"left": (0.3, 0.0), "right": (-0.75, 0.06)}
"""Pour excursion per side: wrist roll about its own z axis (rad) and shift along base y (m)."""
_LEFT_ANCHOR_M = np.array([0.0, 0.28, 0.10])
"""The left hand's anchor relative to the top centre of the object (m, base frame)."""

_POS, _YPR, _FINGERS = slice(0, 3), slice(3, 6), slice(6, 26)
_STATE_SIZE = 26
"""A hand's state vector: wrist position (m, base frame); yaw and pitch about the base z and
y axes and roll about the wrist's z axis, relative to the ready pose (rad); 20 ergonomics
angles (deg, MANUS_ERGONOMICS order)."""

_VARIATION = np.array([0.01, 0.01, 0.005, 0.03, 0.03, 0.03, *[2.0] * 20])
"""Per-cycle standard deviation of the keyframes, in state-vector units."""
_NOISE_SIGMA = np.array([1.5e-3] * 3 + [np.deg2rad(0.4)] * 3 + [0.4] * 20)
"""Standard deviation of the continuous noise, in state-vector units."""
_NOISE_BAND_HZ = (0.1, 15.0)
_TIMING_SPREAD = 0.08
"""Per-cycle relative spread of the phase durations."""
_POUR_SPREAD = 0.1
"""Per-cycle relative spread of the pour excursion."""

_X, _Y, _Z = np.eye(3)


@dataclass(frozen=True, slots=True)
class _Cycle:
    index: int
    ends_s: np.ndarray
    """Cumulative end time of each phase within the cycle (s)."""
    keys: np.ndarray
    """(sides, phases + 1, state) keyframes: the start state, then each phase's end state."""
    excursions: np.ndarray
    """(sides, phases, state) there-and-back offsets peaking mid-phase."""


def _object_centre(scene: SceneSpec) -> np.ndarray:
    """Centre of the scene's object resting on the table (m, base frame)."""
    sphere = scene.object_shape == "sphere"
    half_height = scene.object_radius_m if sphere else scene.object_half_extents_m[2]
    return np.array([*scene.object_xy_m, scene.table_height_m + half_height])


def grasp_hand(side: str) -> np.ndarray:
    """The robot hand joints (22,) rad that the station's default hand retargeting
    (fingertips from the glove skeleton) settles on for the operator's grasp posture."""
    points = human_hand.skeleton(human_hand.POSTURES[_GRASP_POSTURE[side]], side)[0]
    targets = targets_from_keypoints(points, MANUS_SKELETON, side, KeypointMapping())
    retargeter = HandRetargeter(side)
    q = np.zeros(len(SHARPA_JOINTS))
    for _ in range(_SETTLE_FRAMES):
        q = retargeter.solve(targets, q)
    return q


@cache
def grasp_centre(side: str) -> np.ndarray:
    """Centroid (3,) of the robot's five fingertip pads in its grasp posture, in the wrist
    (flange) frame (m): the point the operator brings to the object's centre to grasp it."""
    return pad_centres(HandKinematics(side).frames(grasp_hand(side))).mean(axis=0)


def _rotation(ready: np.ndarray, ypr: np.ndarray) -> np.ndarray:
    yaw, pitch, roll = ypr
    return pin.exp3(_Z * yaw) @ pin.exp3(_Y * pitch) @ ready @ pin.exp3(_Z * roll)


def _script(scene: SceneSpec, side: str, ready: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Keyframes (phases + 1, state) and pour excursions (phases, state) of hand ``side``."""
    rest = np.concatenate([ready[:3, 3], np.zeros(3), human_hand.POSTURES["relaxed"]])
    anchor = _object_centre(scene) + (_LEFT_ANCHOR_M if side == "left" else 0.0)
    ypr = np.array([0.0, _PITCH_RAD[side], 0.0])
    palm = _rotation(ready[:3, :3], ypr) @ grasp_centre(side)
    keys = [rest]
    for height, posture in _PLAN[side]:
        wrist = anchor + _Z * height - palm
        keys.append(np.concatenate([wrist, ypr, human_hand.POSTURES[posture]]))
    keys.append(rest)
    excursions = np.zeros((len(PHASES), _STATE_SIZE))
    roll, shift = _POUR[side]
    pour = excursions[PHASES.index("pour")]
    pour[_POS.start + 1] = shift
    pour[_YPR.start + 2] = roll
    return np.array(keys), excursions


class ScriptedOperator:
    """A deterministic operator whose wrists (robot base frame) and fingers follow the script.

    ``t_ns`` arguments are station monotonic times (ns); the script starts at ``t0_ns`` and
    holds its start (the ready pose) before that.
    """

    def __init__(self, scene: SceneSpec, seed: int, t0_ns: int) -> None:
        self.seed = seed
        self.t0_ns = t0_ns
        ready = Vega1Arms().wrist_poses(np.array(READY_POSE))
        self._ready_rotation = ready[:, :3, :3]
        scripts = [_script(scene, side, ready[i]) for i, side in enumerate(SIDES)]
        self._keys = np.array([keys for keys, _ in scripts])
        self._excursions = np.array([excursions for _, excursions in scripts])
        self._noise = [
            SmoothNoise(seeded_rng(seed, "noise", side), _NOISE_SIGMA, _STATE_SIZE, _NOISE_BAND_HZ)
            for side in SIDES
        ]
        self._cycle = self._make_cycle(0)

    def _make_cycle(self, index: int) -> _Cycle:
        rng = seeded_rng(self.seed, "cycle", index)
        durations = _DURATIONS_S * np.exp(rng.normal(0.0, _TIMING_SPREAD, len(PHASES)))
        durations *= CYCLE_S / durations.sum()
        keys = self._keys.copy()
        keys[:, 1:-1] += rng.normal(0.0, _VARIATION, (len(SIDES), 1, _STATE_SIZE))
        scale = 1.0 + rng.normal(0.0, _POUR_SPREAD, (len(SIDES), 1, 1))
        return _Cycle(index, np.cumsum(durations), keys, self._excursions * scale)

    def _elapsed_s(self, t_ns: int) -> float:
        return max(t_ns - self.t0_ns, 0) * 1e-9

    def _locate(self, t_ns: int) -> tuple[_Cycle, int, float]:
        """The cycle, phase index and progress in [0, 1) within the phase at ``t_ns``."""
        index, t_s = divmod(self._elapsed_s(t_ns), CYCLE_S)
        cycle = self._cycle
        if cycle.index != int(index):
            cycle = self._make_cycle(int(index))
            self._cycle = cycle
        phase = min(int(np.searchsorted(cycle.ends_s, t_s, side="right")), len(PHASES) - 1)
        start = cycle.ends_s[phase - 1] if phase else 0.0
        return cycle, phase, (t_s - start) / (cycle.ends_s[phase] - start)

    def _state(self, side: str, t_ns: int) -> np.ndarray:
        cycle, phase, progress = self._locate(t_ns)
        s = SIDES.index(side)
        a, b = cycle.keys[s, phase], cycle.keys[s, phase + 1]
        state = a + (b - a) * min_jerk(progress) + cycle.excursions[s, phase] * bump(progress)
        return state + self._noise[s](self._elapsed_s(t_ns))

    def phase(self, t_ns: int) -> str:
        """Name of the phase in progress at ``t_ns`` (one of PHASES)."""
        return PHASES[self._locate(t_ns)[1]]

    def wrist_pose(self, side: str, t_ns: int) -> np.ndarray:
        """Desired wrist pose (4, 4) of hand ``side`` in the robot base frame (m), expressed as
        the robot's ``{L,R}_ee`` flange frame."""
        state = self._state(side, t_ns)
        pose = np.eye(4)
        pose[:3, :3] = _rotation(self._ready_rotation[SIDES.index(side)], state[_YPR])
        pose[:3, 3] = state[_POS]
        return pose

    def ergonomics(self, side: str, t_ns: int) -> np.ndarray:
        """Manus ergonomics angles (20,) float32 in deg, MANUS_ERGONOMICS order."""
        angles = self._state(side, t_ns)[_FINGERS]
        lower, upper = human_hand.ERGONOMICS_LOWER_DEG, human_hand.ERGONOMICS_UPPER_DEG
        return np.clip(angles, lower, upper).astype(np.float32)

    def skeleton(self, side: str, t_ns: int) -> tuple[np.ndarray, np.ndarray]:
        """Raw skeleton consistent with :meth:`ergonomics`: node positions (25, 3) m and
        quaternions (25, 4) (w, x, y, z), float32, in the wrist-node frame (see human_hand)."""
        positions, quaternions = human_hand.skeleton(self.ergonomics(side, t_ns), side)
        return positions.astype(np.float32), quaternions.astype(np.float32)


def operator_of(context: BuildContext) -> ScriptedOperator:
    """The process's scripted operator, kept in ``context.shared["operator"]``; the first call
    creates it, seeded by the scene and starting ``operator_delay_s`` from now."""
    scene = context.scene
    start_ns = time.monotonic_ns() + int(scene.operator_delay_s * 1e9)
    return shared_instance(
        context, "operator", lambda: ScriptedOperator(scene, scene.seed, start_ns)
    )
