"""The project's Sharpa Wave model against the official kinematics."""

import os
from pathlib import Path

import numpy as np
import pinocchio as pin
import pytest

from retargeting import sharpa_limits
from retargeting.sharpa_wave import (
    FINGERS,
    FRAME_KINDS,
    SHARPA_JOINTS,
    HandKinematics,
    build_hand_model,
)

OFFICIAL_DIR = Path(
    os.environ.get(
        "SHARPA_WAVE_URDF_DIR",
        Path(__file__).resolve().parents[3] / "shared" / "reference" / "sharpa_wave",
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
ELASTOMER_MM = {
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

RANDOM_Q = np.array([
    [0.2003, 0.0977, 0.3735, -0.0904, 0.6194, 1.2052, 0.2829, 0.3095, 0.9115, 0.3461, 0.326,
     1.6054, 0.8879, 1.1392, 0.0106, 1.4414, 0.6261, 0.0887, 0.3105, -0.1911, 0.9177, 0.6017],
    [1.2145, -0.3401, 0.3359, -0.0941, 0.341, 0.8637, -0.0452, 0.5236, 0.2924, 1.352, 0.2077,
     1.0589, 0.4819, 1.478, 0.0443, 0.7553, 1.2573, 0.0836, 1.0402, -0.13, 0.4565, 0.9786],
    [0.3028, -0.0048, 0.59, -0.2172, 1.2762, 0.7828, 0.0848, 0.6495, 0.5867, 0.6891, -0.021,
     1.1792, 0.8059, 0.552, -0.3478, 1.3858, 0.7252, 0.0855, 0.6981, -0.2839, 1.579, 1.382],
])  # fmt: skip
"""Three uniformly random configurations inside the limits (rad, SHARPA_JOINTS order)."""
RANDOM_MM = {
    ("left", "fingertip"): [
        [[49.313, -74.729, 155.574], [90.215, -6.317, 123.115], [52.479, -1.937, 134.83],
         [59.255, 10.71, 89.434], [70.848, 12.961, 163.9]],
        [[116.21, -38.096, 119.229], [93.487, -34.462, 158.792], [71.98, 3.034, 89.64],
         [64.182, 12.904, 82.933], [89.725, 14.3, 121.733]],
        [[58.62, -54.481, 134.507], [88.582, -23.471, 151.593], [71.713, -11.02, 132.214],
         [66.289, -3.135, 126.02], [43.548, 22.412, 108.708]],
    ],
    ("left", "DP"): [
        [[37.299, -82.423, 131.934], [73.486, -8.805, 142.875], [44.368, 4.703, 158.634],
         [60.946, 10.841, 115.388], [45.835, 15.44, 170.588]],
        [[99.889, -43.488, 97.621], [67.645, -33.656, 161.631], [65.592, 2.873, 114.852],
         [73.066, 13.397, 107.373], [73.769, 16.095, 142.194]],
        [[50.972, -79.132, 124.699], [65.163, -24.195, 162.885], [59.993, -11.24, 155.432],
         [53.891, -7.694, 148.425], [55.1, 14.228, 130.527]],
    ],
    ("right", "fingertip"): [
        [[49.314, 74.729, 155.574], [90.214, 6.317, 123.116], [52.479, 1.936, 134.83],
         [59.255, -10.71, 89.434], [70.847, -12.961, 163.901]],
        [[116.211, 38.096, 119.229], [93.486, 34.461, 158.792], [71.98, -3.035, 89.64],
         [64.182, -12.905, 82.933], [89.725, -14.299, 121.733]],
        [[58.621, 54.481, 134.506], [88.582, 23.471, 151.593], [71.713, 11.019, 132.214],
         [66.289, 3.134, 126.02], [43.548, -22.411, 108.709]],
    ],
    ("right", "DP"): [
        [[37.299, 82.423, 131.934], [73.486, 8.805, 142.875], [44.368, -4.703, 158.634],
         [60.946, -10.842, 115.388], [45.835, -15.44, 170.588]],
        [[99.89, 43.488, 97.621], [67.645, 33.656, 161.631], [65.592, -2.874, 114.852],
         [73.066, -13.397, 107.373], [73.769, -16.094, 142.194]],
        [[50.972, 79.132, 124.698], [65.163, 24.194, 162.885], [59.993, 11.239, 155.432],
         [53.891, 7.694, 148.425], [55.1, -14.228, 130.527]],
    ],
}  # fmt: skip
"""Frame origins (mm, flange frame, FINGERS order) at RANDOM_Q, computed with the official
URDFs."""


@pytest.mark.parametrize(("side", "config"), sorted(ELASTOMER_MM))
def test_elastomer_frames_match_reference_values(side, config):
    frames = HandKinematics(side).frames(CONFIGS[config], "elastomer")
    assert frames.shape == (len(FINGERS), 4, 4)
    np.testing.assert_allclose(frames[:, :3, 3] * 1e3, ELASTOMER_MM[side, config], atol=0.01)


@pytest.mark.parametrize(("side", "kind"), sorted(RANDOM_MM))
def test_frames_match_reference_values_at_random_configurations(side, kind):
    kinematics = HandKinematics(side)
    for q, expected in zip(RANDOM_Q, RANDOM_MM[side, kind], strict=True):
        np.testing.assert_allclose(kinematics.frames(q, kind)[:, :3, 3] * 1e3, expected, atol=0.1)


@pytest.mark.parametrize("side", ["left", "right"])
def test_matches_official_urdf_over_random_configurations(side):
    urdf = OFFICIAL_DIR / f"{side}_sharpa_wave_with_flange.urdf"
    if not urdf.is_file():
        pytest.skip(f"official description not found at {urdf}")
    official = pin.buildModelFromUrdf(str(urdf))
    data = official.createData()
    index = [official.joints[official.getJointId(f"{side}_{j}")].idx_q for j in SHARPA_JOINTS]
    kinematics = HandKinematics(side)
    rng = np.random.default_rng(7)
    for _ in range(50):
        q = rng.uniform(sharpa_limits.LOWER, sharpa_limits.UPPER)
        q_official = np.zeros(official.nq)
        q_official[index] = q
        pin.framesForwardKinematics(official, data, q_official)
        for kind in FRAME_KINDS:
            frames = [official.getFrameId(f"{side}_{finger}_{kind}") for finger in FINGERS]
            expected = np.stack([data.oMf[f].homogeneous for f in frames])
            ours = kinematics.frames(q, kind)
            np.testing.assert_allclose(ours[:, :3, 3], expected[:, :3, 3], atol=1e-4)
            np.testing.assert_allclose(ours[:, :3, :3], expected[:, :3, :3], atol=1e-4)


@pytest.mark.parametrize("side", ["left", "right"])
def test_model_has_sdk_joint_order_limits_and_official_frame_names(side):
    hand = build_hand_model(side)
    assert list(hand.model.names)[1:] == [f"{side}_{joint}" for joint in SHARPA_JOINTS]
    np.testing.assert_array_equal(hand.model.lowerPositionLimit, sharpa_limits.LOWER)
    np.testing.assert_array_equal(hand.model.upperPositionLimit, sharpa_limits.UPPER)
    for kind in FRAME_KINDS:
        names = [hand.model.frames[i].name for i in hand.frame_ids[kind]]
        assert names == [f"{side}_{finger}_{kind}" for finger in FINGERS]
    assert hand.model.existFrame(f"{side}_hand_C_MC")


def test_left_is_the_mirror_of_right():
    q = RANDOM_Q[1]
    mirror = np.diag([1.0, -1.0, 1.0])
    for kind in FRAME_KINDS:
        left = HandKinematics("left").frames(q, kind)[:, :3, 3]
        right = HandKinematics("right").frames(q, kind)[:, :3, 3]
        np.testing.assert_allclose(left, right @ mirror, atol=1e-5)


def test_rejects_a_wrong_number_of_joints_or_side():
    with pytest.raises(ValueError, match="22"):
        HandKinematics("left").fingertips(np.zeros(20))
    with pytest.raises(ValueError, match="side"):
        HandKinematics("middle")
