import numpy as np
import pytest

from devices.sim.human_hand import POSTURES, skeleton
from retargeting.safety import Clamp
from retargeting.teleop import OperatorInput, TeleopOptions, TeleopRetargeter
from retargeting.vega1 import READY_POSE, Vega1Arms

DT = 0.005
READY = np.array(READY_POSE)


def operator_input(t_s: float, offset=(0.0, 0.0, 0.0), posture: str = "relaxed", ergonomics=False):
    wrists = Vega1Arms().wrist_poses(READY)
    wrists[:, :3, 3] += offset
    if ergonomics:
        hands = np.stack([POSTURES[posture]] * 2)
    else:
        hands = np.stack([skeleton(POSTURES[posture], side)[0] for side in ("left", "right")])
    return OperatorInput(wrists, (t_s, t_s), hands, (t_s, t_s))


def drive(teleop, seconds, blend_s=0.0, **inputs):
    arm = READY.copy()
    commands = []
    for k in range(int(seconds / DT)):
        t = k * DT
        blend = 1.0 if blend_s == 0 else min(1.0, t / blend_s)
        command = teleop.step(operator_input(t, **inputs), arm, blend)
        arm = command.arm  # the robot follows its commands
        commands.append(command)
    return commands


def engaged(**options) -> TeleopRetargeter:
    teleop = TeleopRetargeter(DT, TeleopOptions(**options))
    teleop.engage(READY, np.zeros((2, 22)))
    return teleop


def test_step_before_engage_is_refused():
    with pytest.raises(RuntimeError, match="engage"):
        TeleopRetargeter(DT).step(operator_input(0.0), READY)


def test_blend_starts_at_the_measured_pose_and_tracks_the_operator():
    teleop = engaged()
    commands = drive(teleop, 2.0, blend_s=1.0, offset=(0.05, 0.0, -0.05), posture="power")
    first = commands[0]
    assert np.abs(first.arm - READY).max() < 0.02
    arms = Vega1Arms()
    reached = arms.wrist_poses(commands[-1].arm)[:, :3, 3]
    np.testing.assert_allclose(reached, commands[-1].wrist_targets[:, :3, 3], atol=2e-3)
    assert commands[-1].hands.shape == (2, 22)
    assert np.abs(commands[-1].hands).max() > 0.3  # the power grasp closed the fingers


def test_every_command_is_within_the_safety_rules():
    teleop = engaged()
    commands = drive(teleop, 1.0, offset=(0.3, 0.0, 0.2), posture="pinch")
    arms = np.array([c.arm for c in commands])
    assert (np.abs(np.diff(arms, axis=0)) <= teleop.arm_filter.joints.velocity * DT + 1e-9).all()
    hands = np.array([c.hands for c in commands])
    assert (hands >= teleop.hand_filter.lower - 1e-12).all()
    assert (hands <= teleop.hand_filter.upper + 1e-12).all()


def test_a_target_behind_the_table_surface_is_stopped_at_the_workspace():
    teleop = engaged()
    commands = drive(teleop, 2.0, offset=(0.0, 0.0, -0.6))
    assert any(c.arm_clamp & Clamp.WORKSPACE for c in commands)
    _, outside = teleop.arm_filter.violations(commands[-1].arm)
    assert outside == 0.0


def test_ergonomics_input_uses_the_joint_map():
    teleop = engaged(hand_input="ergonomics")
    commands = drive(teleop, 0.5, posture="power", ergonomics=True)
    assert np.abs(commands[-1].hands).max() > 0.3


def test_degenerate_keypoints_keep_the_previous_hand_target():
    teleop = engaged()
    good = drive(teleop, 0.3, posture="cup")[-1]
    bad = operator_input(1.0, posture="cup")
    bad = OperatorInput(bad.wrists, bad.wrist_times_s, np.zeros_like(bad.hands), (1.0, 1.0))
    command = teleop.step(bad, good.arm)
    assert command.hand_clamp & Clamp.NONFINITE
    np.testing.assert_allclose(command.hands, good.hands, atol=0.05)


def test_clutch_freezes_the_targets_and_resumes_without_a_jump():
    teleop = engaged(wrist_position_filter=None, wrist_rotation_filter=None)
    before = drive(teleop, 0.2)[-1]
    teleop.press_clutch()
    held = teleop.step(operator_input(0.3, offset=(0.1, 0.1, 0.0)), before.arm)
    np.testing.assert_allclose(held.wrist_targets, before.wrist_targets)
    teleop.release_clutch()
    resumed = teleop.step(operator_input(0.4, offset=(0.1, 0.1, 0.0)), held.arm)
    np.testing.assert_allclose(resumed.wrist_targets, before.wrist_targets, atol=1e-12)


@pytest.mark.parametrize("field", ["wrists", "hands"])
def test_non_finite_input_keeps_the_previous_safe_commands(field):
    teleop = engaged()
    good = drive(teleop, 0.3, posture="cup")[-1]
    bad = operator_input(1.0, posture="cup")
    values = getattr(bad, field).copy()
    values.flat[5] = np.nan if field == "wrists" else np.inf
    bad = OperatorInput(**{**bad.__dict__, field: values})
    command = teleop.step(bad, good.arm)
    assert command.arm_clamp & Clamp.NONFINITE and command.hand_clamp & Clamp.NONFINITE
    np.testing.assert_array_equal(command.arm, good.arm)
    np.testing.assert_array_equal(command.hands, good.hands)


def test_a_glove_frame_seen_again_is_not_retargeted_again(monkeypatch):
    teleop = engaged()
    solved = []
    left = teleop.hand_retargeters[0]
    solve = left.solve
    monkeypatch.setattr(left, "solve", lambda *args: solved.append(1) or solve(*args))
    first = teleop.step(operator_input(0.5, posture="cup"), READY)
    again = teleop.step(operator_input(0.5, posture="power"), first.arm)  # same capture time
    assert len(solved) == 1
    teleop.step(operator_input(0.51, posture="power"), again.arm)
    assert len(solved) == 2
