"""Tracker-to-robot registration: a known transform back from noisy pairs with outliers."""

import numpy as np
import pytest
from scipy.spatial.transform import Rotation

from calibration.registration import RegistrationError, register, residuals


def pose(rotation: Rotation, translation) -> np.ndarray:
    out = np.eye(4)
    out[:3, :3], out[:3, 3] = rotation.as_matrix(), translation
    return out


def pairs(rng, n=60, outlier_fraction=0.2, noise_mm=1.0, noise_deg=0.3):
    """Truth X, Y and n pose pairs W = X U Y with noise; a fraction replaced by junk."""
    x = pose(Rotation.from_euler("xyz", [90, 0, -90], degrees=True), [0.3, -0.1, 1.2])
    y = pose(Rotation.from_euler("xyz", [5, -10, 20], degrees=True), [0.01, 0.02, -0.03])
    trackers = np.stack(
        [pose(Rotation.random(random_state=rng), rng.uniform(-0.5, 0.5, 3)) for _ in range(n)]
    )
    wrists = x @ trackers @ y
    for w in wrists:
        w[:3, 3] += rng.normal(0, noise_mm / 1e3 / np.sqrt(3), 3)
        w[:3, :3] = (
            Rotation.from_rotvec(rng.normal(0, np.radians(noise_deg) / np.sqrt(3), 3)).as_matrix()
            @ w[:3, :3]
        )
    bad = rng.choice(n, int(n * outlier_fraction), replace=False)
    for i in bad:
        wrists[i] = pose(Rotation.random(random_state=rng), rng.uniform(-1, 1, 3))
    return x, y, trackers, wrists, bad


def errors(estimate: np.ndarray, truth: np.ndarray) -> tuple[float, float]:
    mm = np.linalg.norm(estimate[:3, 3] - truth[:3, 3]) * 1e3
    deg = np.degrees(Rotation.from_matrix(estimate[:3, :3].T @ truth[:3, :3]).magnitude())
    return mm, deg


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_known_transform_within_2_mm_and_1_deg_with_20_percent_outliers(seed):
    rng = np.random.default_rng(seed)
    x, y, trackers, wrists, bad = pairs(rng)
    result = register(trackers, wrists)
    mm, deg = errors(result.robot_from_universe, x)
    assert mm < 2.0 and deg < 1.0
    mm, deg = errors(result.tracker_to_wrist, y)
    assert mm < 2.0 and deg < 1.0
    assert set(np.flatnonzero(~result.inliers)) == set(bad)
    assert 0.5 < result.residual_mm < 2.5 and 0.1 < result.residual_deg < 1.0


def test_known_mount_registers_the_universe_alone():
    rng = np.random.default_rng(5)
    x, y, trackers, wrists, _ = pairs(rng, n=20)
    result = register(trackers, wrists, tracker_to_wrist=y)
    assert errors(result.robot_from_universe, x)[0] < 2.0
    np.testing.assert_array_equal(result.tracker_to_wrist, y)
    position, angle = residuals(
        result.robot_from_universe, y, trackers[result.inliers], wrists[result.inliers]
    )
    assert position.max() < 8.0 and angle.max() < 3.0


def test_bad_captures_say_what_to_do():
    rng = np.random.default_rng(3)
    _, _, trackers, wrists, _ = pairs(rng, n=10, outlier_fraction=0.0)
    with pytest.raises(RegistrationError, match="at least 6"):
        register(trackers[:4], wrists[:4])
    broken = trackers.copy()
    broken[2, 0, 3] = np.nan
    with pytest.raises(RegistrationError, match="NaN"):
        register(broken, wrists)
    still = np.repeat(trackers[:1], 10, axis=0)  # the wrist never turned
    with pytest.raises(RegistrationError, match="do not rotate enough"):
        register(still, wrists[:1].repeat(10, axis=0))
