import numpy as np
import pinocchio as pin
import pytest

from retargeting.wrist_mapping import WristMapping


def pose(xyz, rpy=(0.0, 0.0, 0.0)) -> np.ndarray:
    return pin.SE3(pin.rpy.rpyToMatrix(np.array(rpy)), np.array(xyz, dtype=float)).homogeneous


def test_unit_scale_follows_the_operator():
    mapping = WristMapping()
    for p in (pose((0.5, 0.2, 1.0)), pose((0.6, 0.1, 0.9), (0.1, 0.2, 0.3))):
        np.testing.assert_allclose(mapping.target(p), p, atol=1e-12)


def test_scale_multiplies_displacement_not_rotation():
    mapping = WristMapping(scale=1.5)
    start = pose((0.5, 0.2, 1.0), (0.0, 0.0, 0.5))
    mapping.target(start)
    moved = pose((0.6, 0.2, 0.9), (0.0, 0.3, 0.5))
    target = mapping.target(moved)
    np.testing.assert_allclose(target[:3, 3], [0.65, 0.2, 0.85], atol=1e-12)
    np.testing.assert_allclose(target[:3, :3], moved[:3, :3], atol=1e-12)


def test_clutch_holds_then_resumes_without_a_jump():
    mapping = WristMapping()
    mapping.target(pose((0.5, 0.2, 1.0)))
    held = mapping.target(pose((0.55, 0.2, 1.0)))
    mapping.press_clutch()
    np.testing.assert_allclose(mapping.target(pose((0.3, 0.0, 1.2), (0.5, 0, 0))), held)
    mapping.release_clutch()
    recentred = pose((0.3, 0.0, 1.2), (0.5, 0.0, 0.0))
    np.testing.assert_allclose(mapping.target(recentred), held, atol=1e-12)
    target = mapping.target(pose((0.32, 0.0, 1.2), (0.5, 0.0, 0.0)))
    np.testing.assert_allclose(target[:3, 3], held[:3, 3] + [0.02, 0.0, 0.0], atol=1e-12)


def test_bad_scale_is_rejected():
    for scale in (0.0, -1.0, float("nan")):
        with pytest.raises(ValueError, match="scale"):
            WristMapping(scale)
