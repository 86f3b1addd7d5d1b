"""Quick re-alignment: a turned and shifted operator is brought back onto the robot's reset
pose with the up axis kept; a pose not held is refused."""

import numpy as np
import pytest
from scipy.spatial.transform import Rotation

from calibration.quick_align import MIN_FRAMES, RealignError, realign
from retargeting.vega1 import READY_POSE, Vega1Arms


def pose(rotation: Rotation, translation) -> np.ndarray:
    out = np.eye(4)
    out[:3, :3], out[:3, 3] = rotation.as_matrix(), translation
    return out


RNG = np.random.default_rng(7)
WRISTS = Vega1Arms().wrist_poses(np.array(READY_POSE))
REGISTRATION = pose(Rotation.from_euler("xz", [90, 180], degrees=True), [0.3, -0.1, 0.9])
MOUNTS = [
    pose(Rotation.from_euler("y", 30, degrees=True), [0.0, 0.03, 0.05]),
    pose(Rotation.from_euler("y", -25, degrees=True), [0.01, 0.03, 0.04]),
]


def held_frames(true_registration: np.ndarray, n: int = 40, jitter_m: float = 0.001):
    """Tracker poses (universe) of an operator holding the robot's wrists, with jitter."""
    frames = []
    for wrist, mount in zip(WRISTS, MOUNTS, strict=True):
        tracker = np.linalg.inv(true_registration) @ wrist @ np.linalg.inv(mount)
        side = np.repeat(tracker[None], n, axis=0)
        side[:, :3, 3] += RNG.normal(0.0, jitter_m, (n, 3))
        frames.append(side)
    return frames


def test_recovers_a_turn_and_a_step_and_keeps_up():
    drift = pose(Rotation.from_euler("z", 20, degrees=True), [0.15, -0.08, 0.02])
    truth = drift @ REGISTRATION
    fit = realign(REGISTRATION, held_frames(truth), MOUNTS, WRISTS)
    np.testing.assert_allclose(fit.robot_from_universe[:3, 3], truth[:3, 3], atol=2e-3)
    angle = Rotation.from_matrix(fit.robot_from_universe[:3, :3].T @ truth[:3, :3]).magnitude()
    assert np.degrees(angle) < 0.5
    np.testing.assert_allclose(fit.robot_from_universe[2, :3], REGISTRATION[2, :3], atol=1e-9)
    assert fit.turned_deg == pytest.approx(20.0, abs=0.5)
    assert fit.residual_mm < 3.0
    assert fit.moved_mm > 100.0


def test_refuses_wrists_not_where_the_robots_are():
    frames = held_frames(REGISTRATION)
    frames[1][:, :3, 3] += [0.0, 0.2, 0.0]  # right hand 20 cm off in the universe
    with pytest.raises(RealignError, match="do not match the robot's reset pose"):
        realign(REGISTRATION, frames, MOUNTS, WRISTS)


def test_refuses_too_few_finite_frames():
    frames = held_frames(REGISTRATION, n=MIN_FRAMES)
    frames[0][0, 0, 3] = np.nan
    with pytest.raises(RealignError, match=f"{MIN_FRAMES - 1} valid tracker frame"):
        realign(REGISTRATION, frames, MOUNTS, WRISTS)
