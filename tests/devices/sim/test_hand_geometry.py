"""The Sharpa Wave fingertip model against the official kinematics."""

import os
from pathlib import Path

import numpy as np
import pinocchio as pin
import pytest

from devices.gloves import FINGERS
from devices.hands import SHARPA_JOINTS
from devices.sim.hand_geometry import PAD_CENTERS, PALMAR_AXIS, HandKinematics
from retargeting import sharpa_limits

OFFICIAL_DIR = Path(
    os.environ.get(
        "SHARPA_WAVE_URDF_DIR",
        Path(__file__).resolve().parents[4] / "shared" / "reference" / "sharpa_wave",
    )
)
"""The official descriptions, when present beside the checkout (never shipped or loaded by
the project itself)."""

CURL = np.array([
    1.082, 0.07, 0.628, 0.07, 1.047,
    0.873, 0.07, 1.047, 0.838,
    0.873, 0.07, 1.047, 0.838,
    0.873, 0.07, 1.047, 0.838,
    0.157, 0.873, 0.07, 1.047, 0.838,
])  # fmt: skip
"""Every joint 60 % of the way from its lower to its upper limit (rad)."""
REFERENCE_MM = {
    ("left", "open"): [
        [15.39, -103.78, 120.2], [1.0, -30.3, 203.9], [0.0, -10.0, 206.9],
        [1.5, 10.3, 200.9], [3.0, 31.1, 194.9],
    ],
    ("left", "curl"): [
        [62.56, -37.58, 133.67], [66.5, -25.91, 144.72], [65.5, -5.61, 147.72],
        [67.0, 14.69, 141.72], [69.23, 26.44, 135.72],
    ],
    ("right", "open"): [
        [15.39, 103.78, 120.2], [1.0, 30.3, 203.9], [0.0, 10.0, 206.9],
        [1.5, -10.3, 200.9], [3.0, -31.1, 194.9],
    ],
    ("right", "curl"): [
        [62.56, 37.58, 133.67], [66.5, 25.91, 144.72], [65.5, 5.61, 147.72],
        [67.0, -14.69, 141.72], [69.23, -26.44, 135.72],
    ],
}  # fmt: skip
"""Elastomer frame origins (mm, flange frame, FINGERS order) computed with the official
URDFs."""
CONFIGS = {"open": np.zeros(len(SHARPA_JOINTS)), "curl": CURL}


@pytest.mark.parametrize(("side", "config"), sorted(REFERENCE_MM))
def test_fingertips_match_reference_values(side, config):
    tips = HandKinematics(side).fingertips(CONFIGS[config])
    assert tips.shape == (len(FINGERS), 3)
    np.testing.assert_allclose(tips * 1e3, REFERENCE_MM[side, config], atol=0.01)


@pytest.mark.parametrize("side", ["left", "right"])
def test_matches_official_urdf_over_random_configurations(side):
    urdf = OFFICIAL_DIR / f"{side}_sharpa_wave_with_flange.urdf"
    if not urdf.is_file():
        pytest.skip(f"official description not found at {urdf}")
    official = pin.buildModelFromUrdf(str(urdf))
    data = official.createData()
    index = [official.joints[official.getJointId(f"{side}_{j}")].idx_q for j in SHARPA_JOINTS]
    frames = [official.getFrameId(f"{side}_{finger}_elastomer") for finger in FINGERS]
    kinematics = HandKinematics(side)
    rng = np.random.default_rng(7)
    for _ in range(50):
        q = rng.uniform(sharpa_limits.LOWER, sharpa_limits.UPPER)
        q_official = np.zeros(official.nq)
        q_official[index] = q
        pin.framesForwardKinematics(official, data, q_official)
        expected = np.stack([data.oMf[f].homogeneous for f in frames])
        ours = kinematics.fingertip_frames(q)
        np.testing.assert_allclose(ours[:, :3, 3], expected[:, :3, 3], atol=1e-4)
        np.testing.assert_allclose(ours[:, :3, :3], expected[:, :3, :3], atol=1e-4)


@pytest.mark.parametrize("side", ["left", "right"])
def test_model_has_sdk_joint_order_and_limits(side):
    model = HandKinematics(side).model
    assert list(model.names)[1:] == [f"{side}_{joint}" for joint in SHARPA_JOINTS]
    np.testing.assert_array_equal(model.lowerPositionLimit, sharpa_limits.LOWER)
    np.testing.assert_array_equal(model.upperPositionLimit, sharpa_limits.UPPER)


@pytest.mark.parametrize("side", ["left", "right"])
def test_flexing_the_last_joint_swings_each_pad_palmwards(side):
    kinematics = HandKinematics(side)
    rest = kinematics.fingertip_frames(np.zeros(len(SHARPA_JOINTS)))
    for i, joint in enumerate(("thumb_IP", "index_DIP", "middle_DIP", "ring_DIP", "pinky_DIP")):
        q = np.zeros(len(SHARPA_JOINTS))
        q[SHARPA_JOINTS.index(joint)] = 0.5
        flexed = kinematics.fingertip_frames(q)[i]
        moved = flexed[:3, :3] @ PAD_CENTERS[i] + flexed[:3, 3]
        moved -= rest[i, :3, :3] @ PAD_CENTERS[i] + rest[i, :3, 3]
        assert (rest[i, :3, :3] @ PALMAR_AXIS) @ moved > 0.7 * np.linalg.norm(moved) > 0.003


def test_rejects_a_wrong_number_of_joints():
    with pytest.raises(ValueError, match="22"):
        HandKinematics("left").fingertips(np.zeros(20))
    with pytest.raises(ValueError, match="side"):
        HandKinematics("middle")
