import numpy as np
import pytest

from retargeting.collision import CapsuleModel
from retargeting.vega1 import READY_POSE, Vega1Arms
from retargeting.workspace import WorkspaceBox


def test_ready_pose_hands_are_well_inside_the_default_box():
    box = WorkspaceBox()
    _, hand_points = CapsuleModel(Vega1Arms()).evaluate(np.array(READY_POSE))
    assert box.violation(hand_points) == 0.0
    room = np.minimum(hand_points - box.lower, box.upper - hand_points)
    assert room.min() > 0.15


def test_the_default_box_cuts_the_arms_reach_below_the_table_but_not_in_front():
    arms = Vega1Arms()
    model, box = CapsuleModel(arms), WorkspaceBox()
    rng = np.random.default_rng(0)
    points = np.array(
        [model.evaluate(q)[1] for q in rng.uniform(arms.limits.lower, arms.limits.upper, (400, 14))]
    ).reshape(-1, 3)
    assert points[:, 2].min() < box.lower[2] - 0.2
    assert points[:, 0].max() < box.upper[0]


def test_violation_is_the_distance_of_the_furthest_point_outside():
    box = WorkspaceBox((0.0, -1.0, 0.5), (1.0, 1.0, 1.5))
    inside = np.array([[0.5, 0.0, 1.0], [0.0, -1.0, 0.5], [1.0, 1.0, 1.5]])
    assert box.violation(inside) == 0.0
    assert box.violation(np.array([[1.3, 0.0, 1.0]])) == pytest.approx(0.3)
    assert box.violation(np.array([[-0.3, 0.0, 0.1]])) == pytest.approx(0.5)  # a 3-4-5 corner
    both = np.array([[0.5, 0.0, 1.6], [-0.3, 0.0, 0.1], [0.5, 0.0, 1.0]])
    assert box.violation(both) == pytest.approx(0.5)


def test_an_empty_or_malformed_box_is_refused():
    with pytest.raises(ValueError, match="empty"):
        WorkspaceBox((0.0, 0.0, 1.0), (1.0, 1.0, 1.0))
    with pytest.raises(ValueError, match="3-vectors"):
        WorkspaceBox((0.0, 0.0), (1.0, 1.0))
