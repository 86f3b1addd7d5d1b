import numpy as np
import pytest

from devices.sim.human_hand import POSTURES, skeleton
from retargeting.hand_keypoints import (
    MANUS_SKELETON,
    HandTargets,
    KeypointMapping,
    targets_from_keypoints,
)
from retargeting.hand_retarget import PINCH_THRESHOLD_M, HandRetargeter
from retargeting.sharpa_wave import HandKinematics


def human_targets(posture: str, side: str) -> HandTargets:
    points = skeleton(POSTURES[posture], side)[0]
    return targets_from_keypoints(points, MANUS_SKELETON, side, KeypointMapping())


def settle(retargeter: HandRetargeter, targets: HandTargets, frames: int = 40) -> np.ndarray:
    q = np.zeros(22)
    for _ in range(frames):
        q = retargeter.solve(targets, q)
    return q


@pytest.mark.parametrize("side", ["left", "right"])
def test_reaches_targets_the_hand_can_reach(side):
    retargeter = HandRetargeter(side)
    kinematics = HandKinematics(side)
    rng = np.random.default_rng(3)
    for _ in range(5):
        q_goal = rng.uniform(retargeter.lower, retargeter.upper)
        tips = kinematics.fingertips(q_goal)
        pinch = np.linalg.norm(tips[1:] - tips[0], axis=1) + PINCH_THRESHOLD_M
        q = settle(retargeter, HandTargets(tips, pinch), 60)
        error = np.linalg.norm(retargeter.fingertips(q) - tips, axis=1)
        assert error.max() < 1e-3


@pytest.mark.parametrize("side", ["left", "right"])
def test_a_human_pinch_closes_the_robot_fingertips(side):
    targets = human_targets("pinch", side)
    assert targets.pinch_m[0] < PINCH_THRESHOLD_M
    retargeter = HandRetargeter(side)
    tips = retargeter.fingertips(settle(retargeter, targets, 20))
    assert np.linalg.norm(tips[1] - tips[0]) < 0.005


def test_an_open_hand_keeps_the_fingertips_apart():
    retargeter = HandRetargeter("right")
    targets = human_targets("cup", "right")
    assert targets.pinch_m.min() > PINCH_THRESHOLD_M
    tips = retargeter.fingertips(settle(retargeter, targets))
    gaps = np.linalg.norm(tips[1:] - tips[0], axis=1)
    assert gaps.min() > 0.02
    np.testing.assert_allclose(
        gaps, np.linalg.norm(targets.tips[1:] - targets.tips[0], axis=1), atol=0.01
    )


def test_output_respects_joint_limits_and_moves_smoothly():
    retargeter = HandRetargeter("right")
    q = np.zeros(22)
    for posture in ("open", "power", "pinch", "cup", "relaxed", "open"):
        targets = human_targets(posture, "right")
        for _ in range(5):
            q_next = retargeter.solve(targets, q)
            assert (q_next >= retargeter.lower).all() and (q_next <= retargeter.upper).all()
            assert np.abs(q_next - q).max() <= retargeter.iterations * retargeter.max_step + 1e-12
            q = q_next


def test_small_target_changes_give_small_joint_changes():
    retargeter = HandRetargeter("right")
    targets = human_targets("cup", "right")
    q = settle(retargeter, targets)
    nudged = HandTargets(targets.tips + 0.0005, targets.pinch_m)
    assert np.abs(retargeter.solve(nudged, q) - q).max() < 0.05


def test_left_and_right_solutions_mirror():
    q = {
        side: settle(HandRetargeter(side), human_targets("power", side))
        for side in ("left", "right")
    }
    np.testing.assert_allclose(q["left"], q["right"], atol=1e-3)


def test_non_finite_targets_are_rejected():
    retargeter = HandRetargeter("right")
    targets = human_targets("open", "right")
    bad = HandTargets(np.where(np.eye(5, 3) > 0, np.nan, targets.tips), targets.pinch_m)
    with pytest.raises(ValueError, match="NaN"):
        retargeter.solve(bad, np.zeros(22))
    with pytest.raises(ValueError, match="NaN"):
        retargeter.solve(HandTargets(targets.tips, np.full(4, np.inf)), np.zeros(22))
