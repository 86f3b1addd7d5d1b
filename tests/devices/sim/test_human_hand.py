import numpy as np
import pinocchio as pin
import pytest

from devices.gloves import FINGERS
from devices.sim import human_hand


@pytest.mark.parametrize("posture", sorted(human_hand.POSTURES))
def test_postures_within_human_ranges(posture):
    angles = human_hand.POSTURES[posture]
    assert (angles >= human_hand.ERGONOMICS_LOWER_DEG).all()
    assert (angles <= human_hand.ERGONOMICS_UPPER_DEG).all()


def bone_lengths(positions: np.ndarray) -> np.ndarray:
    chains = [positions[1:5], *(positions[5 + 5 * i : 10 + 5 * i] for i in range(4))]
    return np.concatenate([np.linalg.norm(np.diff(c, axis=0), axis=1) for c in chains])


def test_flexion_bends_fingers_toward_the_palm_keeping_bone_lengths():
    flat, _ = human_hand.skeleton(np.zeros(20), "right")
    fist, _ = human_hand.skeleton(human_hand.POSTURES["power"], "right")
    assert np.allclose(bone_lengths(flat), bone_lengths(fist))
    for finger in FINGERS[1:]:
        assert human_hand.fingertip(flat, finger)[2] == pytest.approx(0.0)
        assert human_hand.fingertip(fist, finger)[2] < -0.03  # palm side is -z


def test_left_hand_mirrors_the_right():
    angles = human_hand.POSTURES["pinch"]
    right, q_right = human_hand.skeleton(angles, "right")
    left, q_left = human_hand.skeleton(angles, "left")
    assert np.allclose(left, right * [1, -1, 1])
    assert human_hand.fingertip(right, "thumb")[1] > 0 > human_hand.fingertip(left, "thumb")[1]
    mirror = np.diag([1.0, -1.0, 1.0])
    for qr, ql in zip(q_right, q_left, strict=True):
        r = pin.Quaternion(qr[0], *qr[1:]).toRotationMatrix()
        l_ = pin.Quaternion(ql[0], *ql[1:]).toRotationMatrix()
        assert np.allclose(l_, mirror @ r @ mirror)


def test_orientations_point_along_their_bones():
    positions, quaternions = human_hand.skeleton(human_hand.POSTURES["cup"], "right")
    for node in (2, 3, 6, 7, 8):  # thumb proximal/distal, index proximal..distal
        w, x, y, z = quaternions[node]
        axis = pin.Quaternion(w, x, y, z).toRotationMatrix()[:, 0]
        bone = positions[node + 1] - positions[node]
        assert np.allclose(axis, bone / np.linalg.norm(bone))
