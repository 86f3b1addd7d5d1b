import math

import numpy as np
import pinocchio as pin
import pytest

from retargeting.one_euro import (
    FINGERTIPS,
    WRIST_POSITION,
    WRIST_ROTATION,
    OneEuroFilter,
    OneEuroParams,
    OneEuroPoseFilter,
    noise_reduction,
    ramp_lag_s,
)

RATE_HZ = 120.0
DT_S = 1.0 / RATE_HZ


def pose(rotation_vector, position) -> np.ndarray:
    out = np.eye(4)
    out[:3, :3] = pin.exp3(np.asarray(rotation_vector, dtype=float))
    out[:3, 3] = position
    return out


def angle(r_a: np.ndarray, r_b: np.ndarray) -> float:
    return float(np.linalg.norm(pin.log3(r_a.T @ r_b)))


def assert_proper_rotation(rotation: np.ndarray) -> None:
    np.testing.assert_allclose(rotation.T @ rotation, np.eye(3), atol=1e-12)
    assert np.linalg.det(rotation) == pytest.approx(1.0, abs=1e-12)


def steady_ramp_lag_s(params: OneEuroParams, speed: float, rate_hz: float) -> float:
    """Closed form: tau = 1 / (2 pi f_c), f_c = min_cutoff + beta |speed| (1 + tau rate)."""

    def excess(tau):
        cutoff = params.min_cutoff_hz + params.beta * abs(speed) * (1.0 + tau * rate_hz)
        return tau - 1.0 / (2.0 * math.pi * cutoff)

    lo, hi = 0.0, 1.0 / (2.0 * math.pi * params.min_cutoff_hz)
    for _ in range(100):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if excess(mid) < 0.0 else (lo, mid)
    return lo


# --- OneEuroFilter -------------------------------------------------------------------------


def test_first_sample_passes_through_and_constant_input_stays():
    f = OneEuroFilter()
    x = np.arange(15.0).reshape(5, 3) * 0.01
    for i in range(100):
        out = f.filter(x, i * DT_S)
        np.testing.assert_array_equal(out, x)


def test_noise_on_a_still_signal_is_reduced():
    rng = np.random.default_rng(3)
    f = OneEuroFilter.from_params(WRIST_POSITION)
    x = 0.3 + rng.normal(0.0, 1e-3, (1200, 3))
    y = np.array([f.filter(xi, i * DT_S) for i, xi in enumerate(x)])
    assert np.std(y[120:]) < 0.3 * np.std(x[120:])
    assert abs(np.mean(y[120:]) - 0.3) < 2e-4
    assert noise_reduction(WRIST_POSITION, 1e-3, RATE_HZ) < 0.3
    assert noise_reduction(FINGERTIPS, 1e-3, 90.0) < 0.35
    # The measurement can report "no reduction": a filter with a very high cutoff.
    assert noise_reduction(OneEuroParams(1000.0, 0.0), 1e-3, RATE_HZ) > 0.95


@pytest.mark.parametrize("noise_std", [0.0, 1e-3])
def test_presets_lag_less_than_5_ms_at_half_a_metre_per_second(noise_std):
    assert 0.0 < ramp_lag_s(WRIST_POSITION, 0.5, RATE_HZ, noise_std) < 0.005
    assert 0.0 < ramp_lag_s(FINGERTIPS, 0.5, 90.0, noise_std) < 0.005
    assert 0.0 < ramp_lag_s(WRIST_ROTATION, 1.0, RATE_HZ, 2 * noise_std) < 0.005


@pytest.mark.parametrize(
    ("params", "speed", "rate_hz", "noise_std", "lag_ms", "ratio"),
    [
        (WRIST_POSITION, 0.5, 120.0, 1e-3, 3.62, 0.24),
        (FINGERTIPS, 0.5, 90.0, 1e-3, 3.85, 0.31),
        (WRIST_ROTATION, 1.0, 120.0, 2e-3, 3.62, 0.24),
    ],
)
def test_documented_preset_figures(params, speed, rate_hz, noise_std, lag_ms, ratio):
    assert ramp_lag_s(params, speed, rate_hz) * 1e3 == pytest.approx(lag_ms, abs=0.005)
    assert noise_reduction(params, noise_std, rate_hz) == pytest.approx(ratio, abs=0.005)


def test_ramp_lag_matches_the_closed_form():
    # beta = 0: a plain first-order low-pass lags a ramp by exactly 1 / (2 pi f_c).
    plain = OneEuroParams(5.0, 0.0)
    assert ramp_lag_s(plain, 0.5, RATE_HZ) == pytest.approx(1.0 / (10.0 * math.pi), rel=1e-6)
    for params, speed, rate_hz in [(WRIST_POSITION, 0.5, 120.0), (FINGERTIPS, 0.2, 90.0)]:
        expected = steady_ramp_lag_s(params, speed, rate_hz)
        assert ramp_lag_s(params, speed, rate_hz, seconds=4.0) == pytest.approx(expected, rel=1e-4)
        assert ramp_lag_s(params, -speed, rate_hz, seconds=4.0) == pytest.approx(expected, rel=1e-4)


def test_measurements_are_deterministic():
    assert ramp_lag_s(WRIST_POSITION, 0.5, RATE_HZ, 1e-3, seed=4) == ramp_lag_s(
        WRIST_POSITION, 0.5, RATE_HZ, 1e-3, seed=4
    )
    assert noise_reduction(FINGERTIPS, 1e-3, 90.0, seed=2) == noise_reduction(
        FINGERTIPS, 1e-3, 90.0, seed=2
    )


def test_higher_beta_gives_lower_lag_and_less_noise_reduction():
    betas = [0.0, 10.0, 30.0, 60.0, 120.0]
    lags = [ramp_lag_s(OneEuroParams(1.0, b), 0.5, RATE_HZ, 1e-3) for b in betas]
    ratios = [noise_reduction(OneEuroParams(1.0, b), 1e-3, RATE_HZ) for b in betas]
    assert (np.diff(lags) < 0.0).all()
    assert (np.diff(ratios) > 0.0).all()
    assert lags[0] > 5 * lags[-1]


@pytest.mark.parametrize("shape", [(), (3,), (5, 3), (2, 5, 3)])
def test_shapes_are_preserved(shape):
    rng = np.random.default_rng(0)
    f = OneEuroFilter()
    for i in range(5):
        x = rng.normal(size=shape)
        out = f.filter(x, i * DT_S)
        assert out.shape == shape
        assert out.dtype == np.float64
    np.testing.assert_array_equal(OneEuroFilter().filter([[1, 2, 3]] * 5, 0.0), [[1, 2, 3]] * 5)


def test_elements_are_filtered_independently():
    # One element moving fast must not open the other's cutoff.
    rng = np.random.default_rng(1)
    both, alone = OneEuroFilter(), OneEuroFilter()
    for i in range(240):
        still = 1e-3 * rng.normal()
        out = both.filter(np.array([0.5 * i * DT_S, still]), i * DT_S)
        assert out[1] == alone.filter(still, i * DT_S)


def test_shape_change_is_rejected():
    f = OneEuroFilter()
    f.filter(np.zeros(3), 0.0)
    with pytest.raises(ValueError):
        f.filter(np.zeros(4), DT_S)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_input_is_rejected_without_state_change(bad):
    rng = np.random.default_rng(2)
    samples = 0.1 * np.arange(30)[:, None] * DT_S + rng.normal(0.0, 1e-3, (30, 3))
    f, twin = OneEuroFilter(), OneEuroFilter()
    for i, x in enumerate(samples[:10]):
        f.filter(x, i * DT_S)
        twin.filter(x, i * DT_S)
    x_bad = samples[10].copy()
    x_bad[1] = bad
    with pytest.raises(ValueError):
        f.filter(x_bad, 10 * DT_S)
    with pytest.raises(ValueError):
        f.filter(samples[10], bad)
    for i, x in enumerate(samples[10:], start=10):
        np.testing.assert_array_equal(f.filter(x, i * DT_S), twin.filter(x, i * DT_S))


def test_non_finite_first_sample_is_rejected():
    f = OneEuroFilter()
    with pytest.raises(ValueError):
        f.filter(np.array([0.0, np.nan]), 0.0)
    np.testing.assert_array_equal(f.filter(np.array([1.0, 2.0]), 0.0), [1.0, 2.0])


def test_non_increasing_time_stamps_return_the_previous_output():
    rng = np.random.default_rng(3)
    samples = 0.5 * np.arange(20)[:, None] * DT_S + rng.normal(0.0, 1e-3, (20, 3))
    f, twin = OneEuroFilter(), OneEuroFilter()
    for i, x in enumerate(samples[:10]):
        previous = f.filter(x, i * DT_S)
        twin.filter(x, i * DT_S)
    for t_s in (9 * DT_S, 5 * DT_S):
        out = f.filter(samples[10] + 1.0, t_s)
        np.testing.assert_array_equal(out, previous)
        out += 1.0  # the caller owns the returned array
    for i, x in enumerate(samples[10:], start=10):
        np.testing.assert_array_equal(f.filter(x, i * DT_S), twin.filter(x, i * DT_S))


def test_reset_passes_the_next_sample_through():
    f = OneEuroFilter()
    f.filter(np.zeros(3), 0.0)
    f.filter(np.ones(3), DT_S)
    f.reset()
    np.testing.assert_array_equal(f.filter(np.full(3, 2.0), 0.0), np.full(3, 2.0))
    f.reset()
    np.testing.assert_array_equal(f.filter(np.ones(4), 0.0), np.ones(4))  # new shape is fine


@pytest.mark.parametrize(
    "args", [(0.0, 1.0, 1.0), (1.0, -1.0, 1.0), (1.0, 1.0, 0.0), (np.nan, 1.0, 1.0)]
)
def test_invalid_parameters_are_rejected(args):
    with pytest.raises(ValueError):
        OneEuroFilter(*args)
    with pytest.raises(ValueError):
        OneEuroPoseFilter(WRIST_POSITION, OneEuroParams(*args))


# --- OneEuroPoseFilter ---------------------------------------------------------------------


def test_pose_first_sample_passes_through_and_constant_pose_stays():
    f = OneEuroPoseFilter()
    target = pose([0.3, -1.2, 2.0], [0.4, -0.2, 1.1])
    for i in range(50):
        out = f.filter(target, i * DT_S)
        np.testing.assert_allclose(out, target, atol=1e-12)
    np.testing.assert_array_equal(OneEuroPoseFilter().filter(target, 0.0), target)


def test_pose_output_is_a_proper_rotation():
    rng = np.random.default_rng(4)
    f = OneEuroPoseFilter()
    rotation_vector, position = np.zeros(3), np.zeros(3)
    for i in range(2000):
        rotation_vector += rng.normal(0.0, 0.05, 3)
        position += rng.normal(0.0, 0.005, 3)
        out = f.filter(pose(rotation_vector + rng.normal(0.0, 0.01, 3), position), i * DT_S)
        assert_proper_rotation(out[:3, :3])
        np.testing.assert_array_equal(out[3], [0.0, 0.0, 0.0, 1.0])


def test_pose_converges_to_a_constant_pose():
    f = OneEuroPoseFilter()
    start = pose([0.1, 0.2, 0.3], [0.0, 0.0, 0.0])
    f.filter(start, 0.0)
    target = pose([2.0, -1.0, 0.5], [0.3, -0.1, 0.2])
    errors = []
    for i in range(1, 481):
        out = f.filter(target, i * DT_S)
        errors.append(angle(out[:3, :3], target[:3, :3]))
    assert 0.0 < errors[0] < angle(start[:3, :3], target[:3, :3])
    assert (np.diff(errors) <= 1e-12).all()
    assert errors[-1] < 1e-6
    np.testing.assert_allclose(out[:3, 3], target[:3, 3], atol=1e-6)


def test_pose_position_is_the_array_filter():
    rng = np.random.default_rng(5)
    f = OneEuroPoseFilter(FINGERTIPS, WRIST_ROTATION)
    position = OneEuroFilter.from_params(FINGERTIPS)
    for i in range(200):
        p = 0.5 * i * DT_S + rng.normal(0.0, 1e-3, 3)
        out = f.filter(pose(rng.normal(0.0, 0.1, 3), p), i * DT_S)
        np.testing.assert_array_equal(out[:3, 3], position.filter(p, i * DT_S))


def test_pose_rotation_lag_about_a_fixed_axis_is_the_scalar_lag():
    speed = 1.0  # rad/s
    axis = np.array([1.0, 2.0, -2.0]) / 3.0
    start = pose([0.4, 0.1, -0.3], [0.0, 0.0, 0.0])
    f = OneEuroPoseFilter()
    n = 241
    lags = []
    for i in range(n):
        truth = pin.exp3(speed * i * DT_S * axis) @ start[:3, :3]
        sample = np.eye(4)
        sample[:3, :3] = truth
        out = f.filter(sample, i * DT_S)
        behind = pin.log3(truth @ out[:3, :3].T)
        np.testing.assert_allclose(np.cross(behind, axis), 0.0, atol=1e-12)
        lags.append(behind @ axis / speed)
    lag = np.mean(lags[n // 2 :])
    assert lag == pytest.approx(ramp_lag_s(WRIST_ROTATION, speed, RATE_HZ), rel=1e-9)


def test_pose_rotation_noise_is_reduced():
    rng = np.random.default_rng(0)
    f = OneEuroPoseFilter()
    centre = pin.exp3(np.array([0.3, -0.2, 1.0]))
    noise_in, noise_out = [], []
    for i in range(2401):
        w = rng.normal(0.0, 2e-3, 3)
        sample = np.eye(4)
        sample[:3, :3] = centre @ pin.exp3(w)
        out = f.filter(sample, i * DT_S)
        if i >= RATE_HZ:
            noise_in.append(w)
            noise_out.append(pin.log3(centre.T @ out[:3, :3]))
    # The documented figure for noise about all three axes.
    assert np.std(noise_out) / np.std(noise_in) == pytest.approx(0.26, abs=0.01)


def test_pose_holds_still_near_180_degrees():
    # Samples jitter across the 180-degree rotation about z (their rotation vectors flip
    # between ~+pi z and ~-pi z); the output must stay next to them, not swing through 0.
    rng = np.random.default_rng(6)
    truth = pin.exp3(np.array([0.0, 0.0, math.pi]))
    f = OneEuroPoseFilter()
    for i in range(600):
        jitter = np.array([0.0, 0.0, 0.02]) * rng.choice([-1.0, 1.0]) + rng.normal(0, 1e-3, 3)
        out = f.filter(pose(np.array([0.0, 0.0, math.pi]) + jitter, [0.0, 0.0, 0.0]), i * DT_S)
        assert_proper_rotation(out[:3, :3])
        assert angle(out[:3, :3], truth) < 0.025


@pytest.mark.parametrize("offset", [0.0, 1e-9, 1e-4])
def test_pose_step_of_180_degrees_converges(offset):
    axis = np.array([2.0, -1.0, 2.0]) / 3.0
    start = pose([0.2, 0.4, -0.1], [0.0, 0.0, 0.0])
    target = pose([0.0, 0.0, 0.0], [0.0, 0.0, 0.0])
    target[:3, :3] = pin.exp3((math.pi - offset) * axis) @ start[:3, :3]
    f = OneEuroPoseFilter()
    f.filter(start, 0.0)
    errors = []
    for i in range(1, 481):
        out = f.filter(target, i * DT_S)
        assert np.isfinite(out).all()
        assert_proper_rotation(out[:3, :3])
        errors.append(angle(out[:3, :3], target[:3, :3]))
    assert errors[0] < math.pi - 0.1  # it moved toward the target at once
    assert (np.diff(errors) <= 1e-12).all()
    assert errors[-1] < 1e-6


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_pose_non_finite_input_is_rejected_without_state_change(bad):
    rng = np.random.default_rng(7)
    samples = [pose(rng.normal(0.0, 0.3, 3), rng.normal(0.0, 0.1, 3)) for _ in range(20)]
    f, twin = OneEuroPoseFilter(), OneEuroPoseFilter()
    for i, sample in enumerate(samples[:10]):
        f.filter(sample, i * DT_S)
        twin.filter(sample, i * DT_S)
    for row, col in [(0, 3), (1, 2)]:
        bad_pose = samples[10].copy()
        bad_pose[row, col] = bad
        with pytest.raises(ValueError):
            f.filter(bad_pose, 10 * DT_S)
    with pytest.raises(ValueError):
        f.filter(samples[10], bad)
    with pytest.raises(ValueError):
        f.filter(np.eye(3), 10 * DT_S)
    for i, sample in enumerate(samples[10:], start=10):
        np.testing.assert_array_equal(f.filter(sample, i * DT_S), twin.filter(sample, i * DT_S))


def test_pose_non_increasing_time_stamps_return_the_previous_output():
    rng = np.random.default_rng(8)
    samples = [pose(rng.normal(0.0, 0.3, 3), rng.normal(0.0, 0.1, 3)) for _ in range(20)]
    f, twin = OneEuroPoseFilter(), OneEuroPoseFilter()
    for i, sample in enumerate(samples[:10]):
        previous = f.filter(sample, i * DT_S)
        twin.filter(sample, i * DT_S)
    for t_s in (9 * DT_S, 2 * DT_S):
        out = f.filter(samples[15], t_s)
        np.testing.assert_array_equal(out, previous)
        out[:3, 3] += 1.0  # the caller owns the returned array
    for i, sample in enumerate(samples[10:], start=10):
        np.testing.assert_array_equal(f.filter(sample, i * DT_S), twin.filter(sample, i * DT_S))


def test_pose_reset_passes_the_next_pose_through():
    f = OneEuroPoseFilter()
    f.filter(pose([0.0, 0.0, 0.0], [0.0, 0.0, 0.0]), 0.0)
    f.filter(pose([0.5, 0.0, 0.0], [0.1, 0.0, 0.0]), DT_S)
    f.reset()
    target = pose([0.0, 1.0, 0.0], [0.0, 0.2, 0.0])
    np.testing.assert_array_equal(f.filter(target, 0.0), target)
