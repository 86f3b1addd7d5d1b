"""Glove calibration: guided poses in, a range and a keypoint mapping out, and back."""

import numpy as np
import pytest

from calibration.glove import (
    FRAMES_PER_POSE,
    POSES,
    GloveCalibrationError,
    GloveCapture,
    ergonomics_range,
    keypoint_mapping,
)
from calibration.profiles import GloveCalibration
from devices.sample import Sample
from devices.sim.human_hand import POSTURES, skeleton
from retargeting.hand_map import NOMINAL_LOWER_DEG, NOMINAL_UPPER_DEG

SPAN = NOMINAL_UPPER_DEG - NOMINAL_LOWER_DEG
OPERATOR_LOWER = NOMINAL_LOWER_DEG + 0.10 * SPAN
OPERATOR_UPPER = NOMINAL_UPPER_DEG - 0.15 * SPAN
"""A stiff operator: reaches neither end of the nominal range."""


def frame(angles, hand_scale=1.0, valid=True) -> Sample:
    position, orientation = skeleton(POSTURES["open"], "right")
    data = {
        "ergonomics": np.asarray(angles, np.float32),
        "skeleton_position": (position * hand_scale).astype(np.float32),
        "skeleton_orientation": orientation.astype(np.float32),
    }
    return Sample("glove_right", 0, 0, 0, None, valid, data)


def captured(hand_scale=1.0, skip=()) -> GloveCapture:
    rng = np.random.default_rng(0)
    capture = GloveCapture("right")
    for k, pose in enumerate(POSES):
        if pose in skip:
            continue
        extreme = OPERATOR_LOWER if k % 2 == 0 else OPERATOR_UPPER
        for _ in range(FRAMES_PER_POSE):
            assert capture.add(pose, frame(extreme + rng.normal(0, 0.2, 20), hand_scale))
    return capture


def test_round_trip_maps_the_operators_range_onto_the_robots():
    calibration = captured().result()
    saved = GloveCalibration.model_validate_json(calibration.model_dump_json())
    mapped = ergonomics_range(saved)
    np.testing.assert_allclose(
        mapped.to_nominal(OPERATOR_LOWER), NOMINAL_LOWER_DEG, atol=0.01 * SPAN.max()
    )
    np.testing.assert_allclose(
        mapped.to_nominal(OPERATOR_UPPER), NOMINAL_UPPER_DEG, atol=0.01 * SPAN.max()
    )


def test_a_bigger_hand_gets_a_smaller_keypoint_scale():
    usual = keypoint_mapping(captured(1.0).result())
    bigger = keypoint_mapping(captured(1.1).result())
    assert bigger.scale == pytest.approx(usual.scale / 1.1, rel=1e-3)


def test_bad_frames_are_ignored_and_short_captures_name_the_poses():
    capture = captured(skip=("fist", "pinch_ring"))
    assert not capture.add("flat", frame(np.full(20, np.nan)))
    assert not capture.add("flat", frame(OPERATOR_LOWER, valid=False))
    assert capture.missing() == ["fist", "pinch_ring"]
    with pytest.raises(
        GloveCalibrationError, match=r"hold these poses longer: \['fist', 'pinch_ring'\]"
    ):
        capture.result()
    with pytest.raises(ValueError, match="unknown pose"):
        capture.add("wave", frame(OPERATOR_LOWER))


def test_a_joint_that_never_moved_is_named():
    capture = GloveCapture("right")
    for pose in POSES:
        for _ in range(FRAMES_PER_POSE):
            capture.add(pose, frame(OPERATOR_LOWER))
    with pytest.raises(GloveCalibrationError, match="narrower than"):
        capture.result()
