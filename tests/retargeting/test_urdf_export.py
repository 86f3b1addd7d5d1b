"""URDF export: parsing the URDF back gives the same kinematics, names and limits."""

import numpy as np
import pinocchio as pin
import pytest

from retargeting.sharpa_wave import build_hand_model
from retargeting.urdf_export import model_to_urdf
from retargeting.vega1 import Vega1Arms


def _se3(xyz, rpy) -> pin.SE3:
    return pin.SE3(pin.rpy.rpyToMatrix(np.array(rpy, dtype=float)), np.array(xyz, dtype=float))


def _tree_model() -> pin.Model:
    """A branching tree built in code: a torso joint, two arms (the left one with a tilted
    axis, the right one with an origin at gimbal lock) added out of depth-first order, BODY
    frames for links, OP frames for tips, a BODY frame off its joint's origin and a
    FIXED_JOINT frame with its link."""
    model = pin.Model()
    model.name = "tree"
    base = model.addFrame(pin.Frame("base", 0, 0, pin.SE3.Identity(), pin.FrameType.BODY))
    mount = _se3((0.0, 0.0, 0.3), (0.0, 0.0, 0.4))
    mount_frame = model.addFrame(pin.Frame("mount", 0, base, mount, pin.FrameType.BODY))

    def joint(parent, kind, placement, name, parent_frame, lower, upper):
        effort, velocity = np.array([7.0]), np.array([2.5])
        limits = np.array([lower]), np.array([upper])
        j = model.addJoint(parent, kind, placement, name, effort, velocity, *limits)
        joint_frame = model.addJointFrame(j, parent_frame)
        link = model.addBodyFrame(f"{name}_link", j, pin.SE3.Identity(), joint_frame)
        return j, link

    torso, torso_link = joint(
        0, pin.JointModelRZ(), mount * _se3((0.01, 0.0, 0.1), (0.0, 0.0, 0.2)), "torso",
        mount_frame, -1.0, 1.0,
    )  # fmt: skip
    left, left_link = joint(
        torso, pin.JointModelRevoluteUnaligned(np.array([0.0, 0.6, 0.8])),
        _se3((0.0, 0.2, 0.4), (0.3, -0.2, 0.1)), "left_shoulder", torso_link, -2.0, 0.5,
    )  # fmt: skip
    right, right_link = joint(
        torso, pin.JointModelRX(), _se3((0.0, -0.2, 0.4), (-0.3, 0.2, 1.0)), "right_shoulder",
        torso_link, -0.5, 2.0,
    )  # fmt: skip
    left_elbow, left_elbow_link = joint(
        left, pin.JointModelRZ(), _se3((0.3, 0.0, 0.0), (0.0, 1.2, 0.0)), "left_elbow",
        left_link, -2.5, 0.0,
    )  # fmt: skip
    right_elbow, right_elbow_link = joint(
        right, pin.JointModelRX(), _se3((0.25, 0.01, 0.0), (0.3, np.pi / 2, -0.2)),  # gimbal lock
        "right_elbow", right_link, 0.0, 2.5,
    )  # fmt: skip
    for name, j, link in (
        ("left_tip", left_elbow, left_elbow_link),
        ("right_tip", right_elbow, right_elbow_link),
    ):
        tip = _se3((0.2, 0.0, 0.03), (0.1, 0.2, 0.3))
        tip_frame = model.addFrame(pin.Frame(name, j, link, tip, pin.FrameType.OP_FRAME))
        pad = tip * _se3((0.0, 0.0, 0.01), (0.0, 0.0, 1.0))
        model.addFrame(pin.Frame(f"{name}_pad", j, tip_frame, pad, pin.FrameType.OP_FRAME))
    camera = _se3((0.05, 0.0, 0.5), (0.0, 0.5, 0.0))
    camera_joint = model.addFrame(
        pin.Frame("camera_mount", torso, torso_link, camera, pin.FrameType.FIXED_JOINT)
    )
    model.addFrame(pin.Frame("camera", torso, camera_joint, camera, pin.FrameType.BODY))
    model.addFrame(
        pin.Frame("torso_plate", torso, torso_link, _se3((0.0, 0.0, 0.1), (0, 0, 0)), pin.BODY)
    )
    return model


def _round_trip(model: pin.Model, name: str = "robot") -> pin.Model:
    return pin.buildModelFromXML(model_to_urdf(model, name))


def _q_by_name(model: pin.Model, parsed: pin.Model, q: np.ndarray) -> np.ndarray:
    """``q`` of ``model`` rearranged into ``parsed``'s joint order (matched by name)."""
    out = np.zeros(parsed.nq)
    for j in range(1, model.njoints):
        out[parsed.joints[parsed.getJointId(model.names[j])].idx_q] = q[model.joints[j].idx_q]
    return out


def _random_q(model: pin.Model, rng: np.random.Generator) -> np.ndarray:
    lower = np.maximum(model.lowerPositionLimit, -np.pi)
    upper = np.minimum(model.upperPositionLimit, np.pi)
    return rng.uniform(lower, upper)


def _assert_same_kinematics(model: pin.Model, parsed: pin.Model, samples: int = 20) -> None:
    """Every named frame of ``model`` exists in ``parsed`` with the same world pose."""
    assert parsed.nq == model.nq
    assert sorted(parsed.names[1:]) == sorted(model.names[1:])
    data, parsed_data = model.createData(), parsed.createData()
    rng = np.random.default_rng(7)
    ids = [parsed.getFrameId(frame.name) for frame in model.frames]
    missing = [f.name for f, i in zip(model.frames, ids, strict=True) if i >= parsed.nframes]
    assert not missing
    for _ in range(samples):
        q = _random_q(model, rng)
        pin.framesForwardKinematics(model, data, q)
        pin.framesForwardKinematics(parsed, parsed_data, _q_by_name(model, parsed, q))
        for i, k in enumerate(ids):
            np.testing.assert_allclose(
                parsed_data.oMf[k].homogeneous, data.oMf[i].homogeneous, atol=1e-9,
                err_msg=model.frames[i].name,
            )  # fmt: skip
        for j in range(1, model.njoints):
            k = parsed.getJointId(model.names[j])
            np.testing.assert_allclose(
                parsed_data.oMi[k].homogeneous, data.oMi[j].homogeneous, atol=1e-9
            )


def _assert_same_limits(model: pin.Model, parsed: pin.Model) -> None:
    for j in range(1, model.njoints):
        q, v = model.joints[j].idx_q, model.joints[j].idx_v
        k = parsed.joints[parsed.getJointId(model.names[j])]
        for field in ("lowerPositionLimit", "upperPositionLimit"):
            assert getattr(parsed, field)[k.idx_q] == getattr(model, field)[q], field
        for field in ("velocityLimit", "effortLimit"):
            assert getattr(parsed, field)[k.idx_v] == getattr(model, field)[v], field


def test_tree_round_trip():
    model = _tree_model()
    parsed = _round_trip(model, "tree")
    _assert_same_kinematics(model, parsed)
    _assert_same_limits(model, parsed)
    assert parsed.name == "tree"
    axis = parsed.joints[parsed.getJointId("left_shoulder")].extract().axis
    np.testing.assert_allclose(axis, [0.0, 0.6, 0.8], atol=1e-15)


def test_tree_structure():
    urdf = model_to_urdf(_tree_model(), "tree")
    parsed = pin.buildModelFromXML(urdf)
    frame = parsed.frames[parsed.getFrameId("left_tip_pad", pin.BODY)]
    # Tips are links, hanging from their parent frames' links by fixed joints.
    assert parsed.frames[frame.parentFrame].name == "left_tip_pad_joint"
    joint = parsed.frames[frame.parentFrame]
    assert parsed.frames[joint.parentFrame].name == "left_tip"
    assert parsed.frames[parsed.getFrameId("camera_mount")].type == pin.FrameType.FIXED_JOINT
    camera = parsed.frames[parsed.getFrameId("camera")]
    assert camera.type == pin.FrameType.BODY
    assert parsed.frames[camera.parentFrame].name == "camera_mount"
    # The root is "base"; "mount" hangs from it and carries the first joint.
    assert parsed.frames[1].name == "base"
    torso = parsed.frames[parsed.getFrameId("torso", pin.FrameType.JOINT)]
    assert parsed.frames[torso.parentFrame].name == "mount"
    assert urdf.count("<link ") == len({f.name for f in parsed.frames if f.type == pin.BODY})


def test_model_without_frames():
    """Joints only (no BODY frames): a base_link root and a {joint}_link per joint."""
    model = pin.Model()
    a = model.addJoint(0, pin.JointModelRY(), _se3((0.1, 0.0, 0.2), (0.1, 0.0, 0.0)), "a")
    model.addJoint(a, pin.JointModelRZ(), _se3((0.0, 0.3, 0.0), (0.0, 0.0, 0.5)), "b")
    model.addJoint(0, pin.JointModelRX(), _se3((0.0, 0.0, -0.2), (0.0, 0.3, 0.0)), "c")
    urdf = model_to_urdf(model, "bare")
    for name in ("base_link", "a_link", "b_link", "c_link"):
        assert f'<link name="{name}">' in urdf
    parsed = pin.buildModelFromXML(urdf)
    _assert_same_kinematics(model, parsed)
    # Unbounded joints are written with the largest finite limits.
    _assert_same_limits(model, parsed)


def test_unusable_parent_frames():
    """Frames whose parent frame is on another joint or closes a cycle hang from their joint's
    link, with the same kinematics."""
    model = pin.Model()
    a = model.addJoint(0, pin.JointModelRZ(), _se3((0.0, 0.0, 0.1), (0.2, 0.0, 0.0)), "a")
    b = model.addJoint(a, pin.JointModelRY(), _se3((0.3, 0.0, 0.0), (0.0, 0.0, 0.3)), "b")
    first = model.addFrame(pin.Frame("first", b, 0, _se3((0.1, 0, 0), (0, 0, 0.5)), pin.OP_FRAME))
    second = model.addFrame(
        pin.Frame("second", b, first, _se3((0.2, 0, 0), (0.5, 0, 0)), pin.OP_FRAME)
    )
    frame = model.frames[first]
    frame.parentFrame = second  # first <-> second: a cycle
    model.frames[first] = frame
    model.addFrame(pin.Frame("elsewhere", a, second, _se3((0, 0.1, 0), (0, 0, 0)), pin.OP_FRAME))
    parsed = _round_trip(model)
    _assert_same_kinematics(model, parsed)
    parents = {
        f.name: parsed.frames[parsed.frames[f.parentFrame].parentFrame].name
        for f in parsed.frames
        if f.type == pin.FrameType.BODY and f.name in ("first", "second", "elsewhere")
    }
    assert parents == {"first": "second", "second": "b_link", "elsewhere": "a_link"}


def test_vega1_arms_round_trip():
    model = Vega1Arms().model
    types = {frame.type for frame in model.frames}
    assert pin.FrameType.FIXED_JOINT in types
    # Locked joints leave FIXED_JOINT frames that are their own parent frame.
    assert any(
        f.type == pin.FrameType.FIXED_JOINT and f.parentFrame == i
        for i, f in enumerate(model.frames)
        if i > 0
    )
    parsed = _round_trip(model, "vega_1_arms")
    _assert_same_kinematics(model, parsed)
    _assert_same_limits(model, parsed)
    assert list(parsed.names) == list(model.names)
    for name in ("L_ee", "R_ee", "base", "torso_l3"):
        assert parsed.frames[parsed.getFrameId(name)].type == pin.FrameType.BODY
    for name in ("torso_j1", "L_ee_j0"):
        assert parsed.frames[parsed.getFrameId(name)].type == pin.FrameType.FIXED_JOINT


@pytest.mark.parametrize("side", ["left", "right"])
def test_sharpa_wave_round_trip(side):
    model = build_hand_model(side).model
    parsed = _round_trip(model, f"{side}_sharpa_wave")
    _assert_same_kinematics(model, parsed, samples=10)
    _assert_same_limits(model, parsed)
    assert parsed.frames[1].name == f"{side}_hand_flange"
    tip = parsed.getFrameId(f"{side}_index_fingertip", pin.BODY)
    assert tip < parsed.nframes


def test_unsupported_joint_type():
    model = pin.Model()
    model.addJoint(0, pin.JointModelRZ(), pin.SE3.Identity(), "fine")
    model.addJoint(1, pin.JointModelPX(), pin.SE3.Identity(), "slider")
    with pytest.raises(ValueError, match=r"slider.*JointModelPX"):
        model_to_urdf(model, "bad")


def test_nan_limit():
    model = pin.Model()
    model.addJoint(0, pin.JointModelRZ(), pin.SE3.Identity(), "loose")
    model.lowerPositionLimit[0] = np.nan
    with pytest.raises(ValueError, match="loose"):
        model_to_urdf(model, "bad")
