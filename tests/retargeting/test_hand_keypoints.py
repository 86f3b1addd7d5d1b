import numpy as np
import pinocchio as pin
import pytest

from devices.sim.human_hand import POSTURES, skeleton
from retargeting.hand_keypoints import (
    MANUS_SKELETON,
    OPENXR,
    KeypointMapping,
    targets_from_keypoints,
    wrist_frame,
)


def manus_points(posture: str, side: str) -> np.ndarray:
    return skeleton(POSTURES[posture], side)[0]


def as_openxr(manus: np.ndarray) -> np.ndarray:
    """The same hand in the OpenXR layout: a palm joint first, then the Manus nodes' order."""
    palm = 0.5 * (manus[0] + manus[MANUS_SKELETON.middle_knuckle])
    return np.vstack([palm, manus])


def test_wrist_frame_of_the_skeleton_is_its_own_frame():
    frame = wrist_frame(manus_points("open", "right"), MANUS_SKELETON, "right")
    np.testing.assert_allclose(frame[:3, 3], 0.0, atol=1e-12)
    # x toward the middle knuckle, z out of the back of the hand (+z in the skeleton frame).
    assert frame[:3, 2] @ [0.0, 0.0, 1.0] > 0.99
    np.testing.assert_allclose(frame[:3, :3].T @ frame[:3, :3], np.eye(3), atol=1e-12)


@pytest.mark.parametrize("side", ["left", "right"])
def test_targets_ignore_where_the_keypoints_are_expressed(side):
    points = manus_points("cup", side)
    moved = pin.SE3(pin.rpy.rpyToMatrix(0.3, -1.2, 2.0), np.array([0.4, -0.2, 1.1]))
    points_moved = points @ moved.rotation.T + moved.translation
    a = targets_from_keypoints(points, MANUS_SKELETON, side, KeypointMapping())
    b = targets_from_keypoints(points_moved, MANUS_SKELETON, side, KeypointMapping())
    np.testing.assert_allclose(a.tips, b.tips, atol=1e-12)
    np.testing.assert_allclose(a.pinch_m, b.pinch_m, atol=1e-12)


def test_openxr_and_manus_layouts_agree():
    manus = manus_points("pinch", "right")
    a = targets_from_keypoints(manus, MANUS_SKELETON, "right", KeypointMapping())
    b = targets_from_keypoints(as_openxr(manus), OPENXR, "right", KeypointMapping())
    np.testing.assert_allclose(a.tips, b.tips)


def test_open_hand_lands_on_the_robot_fingers():
    targets = targets_from_keypoints(
        manus_points("open", "right"), MANUS_SKELETON, "right", KeypointMapping()
    )
    # Fingers point along the flange z axis, thumb on +y for a right hand, tips 0.17-0.23 m out.
    assert (targets.tips[1:, 2] > 0.17).all() and (targets.tips[1:, 2] < 0.24).all()
    assert targets.tips[0, 1] > 0.05
    assert targets.pinch_m[0] > 0.05


def test_left_targets_mirror_right_ones():
    right = targets_from_keypoints(
        manus_points("power", "right"), MANUS_SKELETON, "right", KeypointMapping()
    )
    left = targets_from_keypoints(
        manus_points("power", "left"), MANUS_SKELETON, "left", KeypointMapping()
    )
    np.testing.assert_allclose(left.tips, right.tips * [1.0, -1.0, 1.0], atol=1e-12)


def test_fit_recovers_scale_and_offset():
    human = manus_points("open", "right")[list(MANUS_SKELETON.tips)]
    robot = KeypointMapping(scale=1.15, offset_z_m=0.03).apply(human)
    fitted = KeypointMapping.fit(human, robot)
    assert fitted.scale == pytest.approx(1.15)
    assert fitted.offset_z_m == pytest.approx(0.03)


def test_bad_keypoints_are_rejected():
    points = manus_points("open", "right")
    with pytest.raises(ValueError, match=r"\(25, 3\)"):
        targets_from_keypoints(points[:20], MANUS_SKELETON, "right", KeypointMapping())
    points[3, 1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        targets_from_keypoints(points, MANUS_SKELETON, "right", KeypointMapping())
    with pytest.raises(ValueError, match="degenerate"):
        targets_from_keypoints(np.zeros((25, 3)), MANUS_SKELETON, "right", KeypointMapping())
