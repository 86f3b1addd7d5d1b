import numpy as np
import pytest

from devices.sim.dynamics import LagFollower

MS = 1_000_000


def test_first_order_response_without_saturation():
    follower = LagFollower(np.zeros(2), lag_s=0.04, velocity_limit=np.full(2, 100.0))
    target = np.array([0.1, -0.2])
    follower.advance(target, 0)
    assert np.array_equal(follower.position, np.zeros(2))  # the first call only sets the time
    follower.advance(target, 40 * MS)
    assert np.allclose(follower.position, target * (1 - np.exp(-1.0)))
    assert np.allclose(follower.velocity, follower.position / 0.04)


def test_late_ticks_do_not_distort_the_motion():
    target = np.array([0.3])
    fine = LagFollower(np.zeros(1), 0.04, np.array([100.0]))
    coarse = LagFollower(np.zeros(1), 0.04, np.array([100.0]))
    for t_ms in range(0, 31, 5):
        fine.advance(target, t_ms * MS)
    coarse.advance(target, 0)
    coarse.advance(target, 30 * MS)
    assert fine.position == pytest.approx(coarse.position)


def test_velocity_limit_caps_large_steps():
    follower = LagFollower(np.zeros(2), 0.04, velocity_limit=np.array([2.0, 2.0]))
    target = np.array([1.0, 0.01])
    for t_ms in range(0, 101, 5):
        follower.advance(target, t_ms * MS)
        assert (np.abs(follower.velocity) <= 2.0 + 1e-12).all()
    assert follower.position[0] == pytest.approx(0.2)  # 100 ms at the 2 rad/s cap
    assert follower.position[1] == pytest.approx(0.01, abs=1e-3)


def test_rejects_non_positive_lag():
    with pytest.raises(ValueError):
        LagFollower(np.zeros(1), 0.0, np.ones(1))
