import numpy as np
import pinocchio as pin
import pytest

from retargeting.arm_ik import ArmIK, BimanualIK
from retargeting.vega1 import READY_POSE, Vega1Arms

READY = {"left": np.array(READY_POSE[:7]), "right": np.array(READY_POSE[7:])}
MIRROR = np.diag([1.0, -1.0, 1.0, 1.0])


def track(ik: ArmIK, target: np.ndarray, q: np.ndarray, ticks: int) -> list[np.ndarray]:
    path = [q]
    for _ in range(ticks):
        path.append(ik.step(target, path[-1]))
    return path


def assert_safe_path(ik: ArmIK, path: list[np.ndarray]) -> None:
    qs = np.array(path)
    assert np.isfinite(qs).all()
    assert (qs >= ik.lower).all() and (qs <= ik.upper).all()
    assert (np.abs(np.diff(qs, axis=0)) <= ik.max_step + 1e-12).all()


@pytest.mark.parametrize("side", ["left", "right"])
def test_converges_to_reachable_targets_from_a_warm_start(side):
    ik = ArmIK(side)
    rng = np.random.default_rng(1)
    for _ in range(10):
        q_goal = np.clip(READY[side] + rng.uniform(-0.4, 0.4, 7), ik.lower, ik.upper)
        target = ik.pose(q_goal).copy()
        path = track(ik, target, READY[side], 400)
        assert_safe_path(ik, path)
        reached = ik.pose(path[-1])
        assert np.linalg.norm(reached[:3, 3] - target[:3, 3]) < 1e-3
        assert np.linalg.norm(pin.log3(reached[:3, :3].T @ target[:3, :3])) < 1e-2


@pytest.mark.parametrize(
    "offset", [(3.0, 0.0, 0.0), (0.0, 0.0, 2.0), (-1.0, 0.0, -1.5)], ids=["far", "up", "behind"]
)
def test_unreachable_targets_degrade_smoothly(offset):
    ik = ArmIK("left")
    target = ik.pose(READY["left"]).copy()
    target[:3, 3] += offset
    path = track(ik, target, READY["left"], 600)
    assert_safe_path(ik, path)
    distances = [np.linalg.norm(ik.pose(q)[:3, 3] - target[:3, 3]) for q in path]
    assert distances[-1] < distances[0] - 0.1
    assert np.diff(distances).max() < 1e-3
    # Settled: the arm stops at the closest pose it can reach, it does not oscillate.
    assert np.abs(path[-1] - path[-2]).max() < 1e-3


def test_stretched_singular_arm_takes_bounded_steps():
    ik = ArmIK("right")
    q = np.zeros(7)  # arm straight down: shoulder, elbow and wrist aligned
    target = ik.pose(q).copy()
    target[:3, 3] += (0.0, 0.0, -0.3)  # further along the singular direction
    path = track(ik, target, q, 200)
    assert_safe_path(ik, path)


def test_joints_outside_their_limits_are_brought_back():
    ik = ArmIK("left")
    q = READY["left"].copy()
    q[3] = ik.upper[3] + 0.5
    q_next = ik.step(ik.pose(READY["left"]), q)
    assert (q_next >= ik.lower).all() and (q_next <= ik.upper).all()


def test_left_and_right_are_mirror_images():
    left, right = ArmIK("left"), ArmIK("right")
    target = left.pose(READY["left"]).copy()
    target[:3, 3] += (0.08, -0.05, -0.12)
    q_left = track(left, target, READY["left"], 300)[-1]
    q_right = track(right, MIRROR @ target @ MIRROR, READY["right"], 300)[-1]
    np.testing.assert_allclose(MIRROR @ left.pose(q_left) @ MIRROR, right.pose(q_right), atol=1e-3)


def test_bimanual_matches_both_arms_model():
    ik = BimanualIK()
    arms = Vega1Arms()
    q = np.array(READY_POSE)
    targets = arms.wrist_poses(q)
    targets[:, :3, 3] += (0.05, 0.0, -0.1)
    for _ in range(300):
        q = ik.solve(targets, q)
    np.testing.assert_allclose(arms.wrist_poses(q)[:, :3, 3], targets[:, :3, 3], atol=1e-3)
