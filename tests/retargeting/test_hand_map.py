import numpy as np

from retargeting import sharpa_limits
from retargeting.hand_map import ergonomics_to_joints


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
