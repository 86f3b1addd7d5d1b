import numpy as np

from retargeting.safety import Clamp, JointSafetyFilter

LOWER, UPPER, VEL = np.full(3, -1.0), np.full(3, 1.0), np.full(3, 2.0)


def make(max_step=0.27):
    return JointSafetyFilter(LOWER, UPPER, VEL, margin_rad=0.05, max_step_rad=max_step)


def test_nan_never_passes():
    prev = np.array([0.1, 0.2, 0.3])
    q, flags = make().apply(np.array([np.nan, np.inf, 0.3]), prev, prev, 0.005)
    assert np.isfinite(q).all()
    np.testing.assert_allclose(q, prev)
    assert flags & Clamp.NONFINITE


def test_limits_with_margin():
    prev = np.array([0.94, 0.0, 0.0])
    q, flags = make().apply(np.array([5.0, 0.0, 0.0]), prev, prev, 1.0)
    assert q[0] == 0.95 and flags & Clamp.LIMIT


def test_velocity_limit_per_tick():
    prev = np.zeros(3)
    q, flags = make(max_step=None).apply(np.array([0.5, -0.5, 0.001]), prev, prev, 0.005)
    np.testing.assert_allclose(q, [0.01, -0.01, 0.001])
    assert flags == Clamp.VELOCITY


def test_step_from_measured_is_bounded():
    prev = np.array([0.5, 0.0, 0.0])
    measured = np.zeros(3)
    q, flags = make().apply(np.array([0.6, 0.0, 0.0]), prev, measured, 1.0)
    assert abs(q[0] - measured[0]) <= 0.27 + 1e-12
    assert flags & Clamp.STEP


def test_unchanged_command_reports_nothing():
    prev = np.zeros(3)
    q, flags = make().apply(np.array([0.001, 0.0, -0.001]), prev, prev, 0.005)
    np.testing.assert_allclose(q, [0.001, 0.0, -0.001])
    assert flags == Clamp.NONE
