import numpy as np
import pytest

from retargeting import sharpa_limits
from retargeting.hand_map import (
    NOMINAL_LOWER_DEG,
    NOMINAL_RANGE,
    NOMINAL_UPPER_DEG,
    ErgonomicsRange,
    ergonomics_to_joints,
)


def test_open_hand_maps_to_zero_flexion():
    q = ergonomics_to_joints(np.zeros(20))
    assert q.shape == (22,)
    assert np.all(q >= sharpa_limits.LOWER) and np.all(q <= sharpa_limits.UPPER)


def test_index_flexion_drives_index_joints_in_rad():
    ergo = np.zeros(20)
    ergo[4 + 1] = 45.0  # index MCP stretch
    ergo[4 + 2] = 60.0  # index PIP stretch
    q = ergonomics_to_joints(ergo)
    names = sharpa_limits.JOINT_NAMES
    assert np.isclose(q[names.index("index_MCP_FE")], np.radians(45.0))
    assert np.isclose(q[names.index("index_PIP")], np.radians(60.0))
    assert q[names.index("middle_MCP_FE")] == 0.0


def test_extreme_angles_are_clipped():
    q = ergonomics_to_joints(np.full(20, 500.0))
    np.testing.assert_array_equal(q, np.clip(q, sharpa_limits.LOWER, sharpa_limits.UPPER))
    assert np.isclose(q.max(), sharpa_limits.UPPER.max())


def test_operator_range_is_stretched_onto_the_robot_range():
    lower = NOMINAL_LOWER_DEG.copy()
    upper = NOMINAL_UPPER_DEG.copy()
    upper[4 + 1] = 60.0  # this operator flexes the index MCP to 60 deg at most
    calibrated = ErgonomicsRange(lower, upper)
    ergo = np.zeros(20)
    ergo[4 + 1] = 60.0
    names = sharpa_limits.JOINT_NAMES
    q = ergonomics_to_joints(ergo, calibrated)
    assert np.isclose(q[names.index("index_MCP_FE")], np.radians(NOMINAL_UPPER_DEG[4 + 1]))
    np.testing.assert_allclose(
        ergonomics_to_joints(ergo), ergonomics_to_joints(ergo, NOMINAL_RANGE)
    )


def test_a_range_that_was_not_exercised_is_rejected_by_name():
    upper = NOMINAL_UPPER_DEG.copy()
    upper[8 + 2] = NOMINAL_LOWER_DEG[8 + 2] + 1.0
    with pytest.raises(ValueError, match="middle_pip_stretch"):
        ErgonomicsRange(NOMINAL_LOWER_DEG, upper)
    with pytest.raises(ValueError, match="20 angles"):
        ErgonomicsRange(NOMINAL_LOWER_DEG[:19], NOMINAL_UPPER_DEG[:19])
