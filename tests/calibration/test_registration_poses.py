"""The registration poses are safe to show and varied enough to register from."""

import itertools

import numpy as np
from scipy.spatial.transform import Rotation

from calibration.registration import MIN_MOTION_DEG, register
from calibration.registration_poses import registration_poses
from retargeting.collision import CapsuleModel
from retargeting.vega1 import Vega1Arms
from retargeting.workspace import WorkspaceBox


def test_poses_are_inside_the_limits_clear_and_inside_the_workspace():
    arms = Vega1Arms()
    capsules = CapsuleModel(arms)
    workspace = WorkspaceBox()
    for q in registration_poses():
        assert np.all(q > arms.limits.lower) and np.all(q < arms.limits.upper)
        clearances, hand_points = capsules.evaluate(q)
        assert clearances.min() > 0.02
        assert workspace.violation(hand_points) == 0.0


def test_wrist_rotations_differ_enough_to_register():
    wrists = np.array([Vega1Arms().wrist_poses(q)[0] for q in registration_poses()])
    angles = [
        np.degrees(Rotation.from_matrix(a[:3, :3].T @ b[:3, :3]).magnitude())
        for a, b in itertools.combinations(wrists, 2)
    ]
    assert np.mean(np.array(angles) > MIN_MOTION_DEG) > 0.8
    mount = np.eye(4)
    mount[:3, 3] = (0.0, 0.03, 0.05)
    truth = np.eye(4)
    truth[:3, 3] = (0.2, -0.4, 1.0)
    trackers = np.linalg.inv(truth) @ wrists @ np.linalg.inv(mount)
    fit = register(trackers, wrists)
    np.testing.assert_allclose(fit.robot_from_universe, truth, atol=1e-6)
    np.testing.assert_allclose(fit.tracker_to_wrist, mount, atol=1e-6)
