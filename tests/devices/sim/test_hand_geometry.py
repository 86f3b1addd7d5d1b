"""The fingertip pad model on the Sharpa Wave kinematics."""

import numpy as np
import pytest

from devices.sim.hand_geometry import PAD_CENTERS, PALMAR_AXIS
from retargeting.sharpa_wave import SHARPA_JOINTS, HandKinematics


@pytest.mark.parametrize("side", ["left", "right"])
def test_flexing_the_last_joint_swings_each_pad_palmwards(side):
    kinematics = HandKinematics(side)
    rest = kinematics.frames(np.zeros(len(SHARPA_JOINTS)))
    for i, joint in enumerate(("thumb_IP", "index_DIP", "middle_DIP", "ring_DIP", "pinky_DIP")):
        q = np.zeros(len(SHARPA_JOINTS))
        q[SHARPA_JOINTS.index(joint)] = 0.5
        flexed = kinematics.frames(q)[i]
        moved = flexed[:3, :3] @ PAD_CENTERS[i] + flexed[:3, 3]
        moved -= rest[i, :3, :3] @ PAD_CENTERS[i] + rest[i, :3, 3]
        assert (rest[i, :3, :3] @ PALMAR_AXIS) @ moved > 0.7 * np.linalg.norm(moved) > 0.003


def test_pad_sphere_ends_at_the_fingertip_point():
    kinematics = HandKinematics("right")
    q = np.zeros(len(SHARPA_JOINTS))
    elastomer = kinematics.frames(q, "elastomer")
    centres = np.einsum("fij,fj->fi", elastomer[:, :3, :3], PAD_CENTERS) + elastomer[:, :3, 3]
    gap = np.linalg.norm(kinematics.fingertips(q) - centres, axis=1)
    np.testing.assert_allclose(gap, 0.009, atol=1e-6)
