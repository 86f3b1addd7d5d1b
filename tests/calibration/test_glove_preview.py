"""The glove wizard's live preview: the robot hand as the calibration captured so far drives
it, the calibration in force until each part is captured."""

import numpy as np
import pytest

from calibration.glove import FRAMES_PER_POSE, GloveCapture
from calibration.glove_preview import GlovePreview
from retargeting.hand_keypoints import MANUS_SKELETON, KeypointMapping
from retargeting.hand_map import NOMINAL_RANGE, ergonomics_to_joints
from tests.calibration.test_glove import OPERATOR_LOWER, OPERATOR_UPPER, frame


def test_before_any_capture_the_calibration_in_force_is_used():
    mapping = KeypointMapping(scale=0.8, offset_z_m=0.03)
    assert GloveCapture("right").provisional(mapping, NOMINAL_RANGE) == (mapping, NOMINAL_RANGE)


def test_each_angle_takes_the_captured_range_once_it_spans_enough():
    capture = GloveCapture("right")
    moved = OPERATOR_LOWER.copy()
    for k in range(FRAMES_PER_POSE):
        moved[0] = OPERATOR_LOWER[0] + (OPERATOR_UPPER[0] - OPERATOR_LOWER[0]) * k / 29
        capture.add("fist", frame(moved))
    _, angle_range = capture.provisional(KeypointMapping(), NOMINAL_RANGE)
    swept = OPERATOR_LOWER[0] + (OPERATOR_UPPER[0] - OPERATOR_LOWER[0]) * np.arange(30) / 29
    assert angle_range.lower_deg[0] == pytest.approx(np.percentile(swept, 2.0), abs=1e-4)
    assert angle_range.upper_deg[0] == pytest.approx(np.percentile(swept, 98.0), abs=1e-4)
    np.testing.assert_array_equal(angle_range.lower_deg[1:], NOMINAL_RANGE.lower_deg[1:])
    np.testing.assert_array_equal(angle_range.upper_deg[1:], NOMINAL_RANGE.upper_deg[1:])


def test_ergonomics_preview_stretches_the_operators_range_as_captured():
    capture = GloveCapture("right")
    preview = GlovePreview(capture, None, KeypointMapping(), NOMINAL_RANGE)
    np.testing.assert_allclose(
        preview.joints(frame(OPERATOR_UPPER)), ergonomics_to_joints(OPERATOR_UPPER)
    )
    for pose, extreme in (("flat", OPERATOR_LOWER), ("fist", OPERATOR_UPPER)):
        for _ in range(FRAMES_PER_POSE):
            capture.add(pose, frame(extreme))
    stretched = ergonomics_to_joints(NOMINAL_RANGE.upper_deg)
    np.testing.assert_allclose(preview.joints(frame(OPERATOR_UPPER)), stretched, atol=1e-6)
    assert preview.joints(frame(OPERATOR_UPPER, valid=False)) is None
    assert preview.joints(frame(np.full(20, np.nan))) is None


def settled(preview, glove):
    """The preview after the warm-started solver has converged on a held pose."""
    for _ in range(30):
        q = preview.joints(glove)
    return q


def test_once_the_flat_pose_is_captured_any_hand_size_drives_the_robot_alike():
    previews = {}
    for scale in (0.75, 1.25):
        capture = GloveCapture("right")
        flat = frame(OPERATOR_LOWER, hand_scale=scale)
        before = settled(
            GlovePreview(capture, MANUS_SKELETON, KeypointMapping(), NOMINAL_RANGE), flat
        )
        for _ in range(FRAMES_PER_POSE):
            capture.add("flat", flat)
        after = settled(
            GlovePreview(capture, MANUS_SKELETON, KeypointMapping(), NOMINAL_RANGE), flat
        )
        previews[scale] = before, after
    (small_before, small_after), (big_before, big_after) = previews[0.75], previews[1.25]
    assert np.abs(small_before - big_before).max() > 0.5
    np.testing.assert_allclose(small_after, big_after, atol=0.02)
