import numpy as np
import pinocchio as pin
import pytest

from devices.gloves import MANUS_ERGONOMICS
from devices.registry import BuildContext
from devices.sim import human_hand
from devices.sim.operator import (
    CYCLE_S,
    PHASES,
    SIDES,
    ScriptedOperator,
    grasp_centre,
    operator_of,
)
from devices.sim.scene import SceneSpec
from retargeting.vega1 import READY_POSE, Vega1Arms

T0 = 5_000_000_000
SCENE = SceneSpec()


def at(seconds: float) -> int:
    return T0 + int(seconds * 1e9)


@pytest.fixture(scope="module")
def operator() -> ScriptedOperator:
    return ScriptedOperator(SCENE, seed=0, t0_ns=T0)


@pytest.fixture(scope="module")
def times() -> np.ndarray:
    """Two cycles at 50 Hz (s since t0)."""
    return np.arange(0.0, 2 * CYCLE_S, 0.02)


def phase_times(operator: ScriptedOperator, times: np.ndarray, name: str) -> np.ndarray:
    return np.array([t for t in times if operator.phase(at(t)) == name])


def test_same_seed_same_operator_other_seed_differs():
    a, b = (ScriptedOperator(SCENE, seed=7, t0_ns=T0) for _ in range(2))
    c = ScriptedOperator(SCENE, seed=8, t0_ns=T0)
    for t in (0.0, 3.3, 17.9):
        for side in SIDES:
            assert np.array_equal(a.wrist_pose(side, at(t)), b.wrist_pose(side, at(t)))
            assert np.array_equal(a.ergonomics(side, at(t)), b.ergonomics(side, at(t)))
            assert not np.array_equal(a.ergonomics(side, at(t)), c.ergonomics(side, at(t)))


def test_phases_run_in_order_within_a_cycle(operator, times):
    names = [operator.phase(at(t)) for t in times if t < CYCLE_S]
    visited = [n for i, n in enumerate(names) if i == 0 or n != names[i - 1]]
    assert visited == list(PHASES)
    assert 10.0 <= CYCLE_S <= 15.0


def test_ergonomics_in_degrees_within_human_ranges(operator, times):
    angles = np.array([operator.ergonomics(s, at(t)) for t in times for s in SIDES])
    assert angles.shape == (2 * len(times), len(MANUS_ERGONOMICS))
    assert angles.dtype == np.float32
    assert (angles >= human_hand.ERGONOMICS_LOWER_DEG - 1e-4).all()
    assert (angles <= human_hand.ERGONOMICS_UPPER_DEG + 1e-4).all()
    spread = angles[:, 4::4]
    stretch = angles[:, 4:].reshape(len(angles), 4, 4)[:, :, 1:]
    assert np.abs(spread).max() <= 15.0
    assert stretch.max() > 45.0  # a grasp in degrees, not radians


def test_ergonomics_noise_is_small_and_present():
    a, b = ScriptedOperator(SCENE, 1, T0), ScriptedOperator(SCENE, 2, T0)
    difference = np.abs(a.ergonomics("right", T0) - b.ergonomics("right", T0))
    assert 0.0 < difference.max() < 4.0  # at t0 both hold the same relaxed posture


def test_wrists_start_at_the_ready_pose(operator):
    ready = Vega1Arms().wrist_poses(np.array(READY_POSE))
    for i, side in enumerate(SIDES):
        for t_ns in (T0 - 1_000_000_000, T0):
            pose = operator.wrist_pose(side, t_ns)
            assert np.linalg.norm(pose[:3, 3] - ready[i, :3, 3]) < 0.01
            angle = np.linalg.norm(pin.log3(ready[i, :3, :3].T @ pose[:3, :3]))
            assert angle < np.deg2rad(2.0)


def test_right_palm_reaches_the_object_during_grasp(operator, times):
    center = np.array([*SCENE.object_xy_m, SCENE.table_height_m + SCENE.object_radius_m])
    for cycle in range(2):
        grasp = phase_times(operator, times, "grasp")
        grasp = grasp[(grasp >= cycle * CYCLE_S) & (grasp < (cycle + 1) * CYCLE_S)]
        palms = [operator.wrist_pose("right", at(t)) @ [*grasp_centre("right"), 1] for t in grasp]
        distance = np.linalg.norm(np.array(palms)[:, :3] - center, axis=1)
        assert distance[0] > 0.08  # approaching from above
        assert distance.min() < 0.06


def test_wrists_move_smoothly_and_stay_rigid(operator, times):
    poses = np.array([[operator.wrist_pose(s, at(t)) for s in SIDES] for t in times])
    speed = np.linalg.norm(np.diff(poses[:, :, :3, 3], axis=0), axis=2) / 0.02
    assert speed.max() < 0.6  # m/s, across phase and cycle boundaries
    rotations = poses[:, :, :3, :3]
    assert np.allclose(rotations @ rotations.transpose(0, 1, 3, 2), np.eye(3), atol=1e-9)


def test_pour_rolls_the_right_wrist(operator, times):
    pour = phase_times(operator, times, "pour")
    lift = phase_times(operator, times, "lift")
    reference = operator.wrist_pose("right", at(lift[-1]))[:3, :3]
    rolls = [
        np.linalg.norm(pin.log3(reference.T @ operator.wrist_pose("right", at(t))[:3, :3]))
        for t in pour
    ]
    assert max(rolls) > np.deg2rad(30.0)


def test_pinch_closes_thumb_on_index(operator, times):
    pinch = phase_times(operator, times, "pinch")[-1]
    reach = phase_times(operator, times, "reach")[-1]
    for side in SIDES:
        closed = operator.ergonomics(side, at(pinch))
        opened = operator.ergonomics(side, at(reach))
        thumb_and_index = [1, 2, 3, 5, 6, 7]
        assert (closed[thumb_and_index] > opened[thumb_and_index] + 5.0).all()
        gap = {}
        for name, t in (("pinch", pinch), ("reach", reach)):
            positions, _ = operator.skeleton(side, at(t))
            thumb = human_hand.fingertip(positions, "thumb")
            gap[name] = np.linalg.norm(thumb - human_hand.fingertip(positions, "index"))
        assert gap["pinch"] < 0.02 < 0.06 < gap["reach"]


def test_skeleton_matches_ergonomics(operator):
    t_ns = at(4.2)
    for side in SIDES:
        positions, quaternions = operator.skeleton(side, t_ns)
        assert positions.shape == (25, 3) and quaternions.shape == (25, 4)
        assert positions.dtype == quaternions.dtype == np.float32
        expected, _ = human_hand.skeleton(operator.ergonomics(side, t_ns), side)
        assert np.allclose(positions, expected, atol=1e-6)
        assert np.allclose(np.linalg.norm(quaternions, axis=1), 1.0, atol=1e-5)


def test_operator_of_is_a_per_context_singleton():
    context = BuildContext()
    first = operator_of(context)
    assert operator_of(context) is first is context.shared["operator"]
    assert operator_of(BuildContext()) is not first
