"""The control tick with the simulated Vega-1 and hands, driven with explicit inputs."""

import dataclasses
import time

import numpy as np
import pytest

from app.config import parse_config
from app.control_loop import POSE_SPEED_RAD_S, ControlLoop
from app.state_machine import Command, State
from devices.body import MAX_STEP_RAD
from devices.registry import BuildContext, build_device
from devices.sample import Sample
from devices.sim.human_hand import skeleton
from retargeting.vega1 import READY_POSE, Vega1Arms

SIDES = ("left", "right")


@pytest.fixture
def rig():
    config = parse_config({}, "test")
    context = BuildContext()
    body = build_device("body", "sim", "body", {}, context)
    hands = {s: build_device("hand", "sim", f"hand_{s}", {"side": s}, context) for s in SIDES}
    emitted = []
    loop = ControlLoop(config, body, hands, emitted.append)
    for device in (body, *hands.values()):
        device.start(loop.on_input)
    time.sleep(0.05)
    yield loop, body, emitted
    for device in (body, *hands.values()):
        device.stop()


def feed(loop, now, wrist_offset=(0.0, 0.0, 0.0), ergonomics=0.0, pose_value=None):
    """Fresh glove and tracker samples at ``now`` that put the wrists near READY_POSE."""
    wrists = Vega1Arms().wrist_poses(np.array(READY_POSE))
    universe_from_robot = np.linalg.inv(loop.calibration.robot_from_universe)
    for i, side in enumerate(SIDES):
        pose = wrists[i].copy()
        pose[:3, 3] += wrist_offset
        pose = universe_from_robot @ pose
        if pose_value is not None:
            pose[:3, 3] = pose_value
        loop.on_input(
            Sample(
                f"tracker_{side}",
                0,
                now,
                now,
                None,
                True,
                {"pose": pose, "tracking_result": np.array(200, np.int32)},
            )
        )
        loop.on_input(
            Sample(
                f"glove_{side}",
                0,
                now,
                now,
                None,
                True,
                {
                    "ergonomics": np.full(20, ergonomics, np.float32),
                    "skeleton_position": skeleton(np.full(20, ergonomics), side)[0],
                },
            )
        )


def run(loop, seconds, **inputs):
    samples = []
    end = time.monotonic_ns() + int(seconds * 1e9)
    while (now := time.monotonic_ns()) < end:
        feed(loop, now, **inputs)
        samples.append(loop.tick(now))
        time.sleep(loop.dt_s)
    return samples


def test_engage_blends_within_the_guard_and_reaches_engaged(rig):
    loop, _, _ = rig
    loop.command(Command.ENGAGE)
    samples = run(loop, 2.6, wrist_offset=(0.1, 0.05, -0.15), ergonomics=40.0)
    states = [State(int(s.data["state"])) for s in samples]
    assert states[0] is State.ENGAGING and states[-1] is State.ENGAGED
    assert not any(bool(s.data["rejected"]) for s in samples)
    commands = np.array([s.data["arm_command"] for s in samples])
    assert np.isfinite(commands).all()
    assert np.abs(np.diff(commands, axis=0)).max() < MAX_STEP_RAD
    hand = np.array([s.data["hand_command"] for s in samples])
    assert hand[-1].max() > 0.5  # fingers closing toward 40 deg of flexion


def test_stale_input_holds_on_the_next_tick(rig):
    loop, _, _ = rig
    loop.command(Command.ENGAGE)
    run(loop, 0.3)
    now = time.monotonic_ns()
    feed(loop, now - int(0.5e9))  # every input half a second old
    held = loop.tick(now)
    assert State(int(held.data["state"])) is State.HOLD
    assert "stale" in loop.machine.reason


def test_nan_tracker_never_reaches_a_command(rig):
    loop, body, _ = rig
    loop.command(Command.ENGAGE)
    good = run(loop, 0.3)
    bad = run(loop, 0.2, pose_value=np.nan)
    for sample in good + bad:
        assert np.isfinite(sample.data["arm_command"]).all()
    assert State(int(bad[0].data["state"])) is State.HOLD
    assert np.isfinite(body.measured_arms()[0]).all()


def test_teleporting_tracker_holds(rig):
    loop, _, _ = rig
    loop.command(Command.ENGAGE)
    run(loop, 0.2)
    now = time.monotonic_ns()
    feed(loop, now, wrist_offset=(0.5, 0.0, 0.0))
    held = loop.tick(now)
    assert State(int(held.data["state"])) is State.HOLD
    assert "jumped" in loop.machine.reason


def test_estop_latches_and_calls_the_robot_estop(rig):
    loop, body, _ = rig
    loop.command(Command.ENGAGE)
    run(loop, 0.2)
    loop.command(Command.ESTOP)
    run(loop, 0.05)
    assert body.estop_active and loop.state is State.ESTOP
    loop.command(Command.ENGAGE)
    after = run(loop, 0.1)
    assert all(State(int(s.data["state"])) is State.ESTOP for s in after)
    assert all(np.isnan(s.data["arm_command"]).all() for s in after)
    loop.command(Command.RESET)
    run(loop, 0.02)
    assert not body.estop_active and loop.state is State.IDLE


def test_clutch_freezes_the_wrist_targets_until_released(rig):
    loop, _, _ = rig
    loop.command(Command.ENGAGE)
    run(loop, 0.3)
    loop.command(Command.CLUTCH_PRESS)
    held = run(loop, 0.2, wrist_offset=(0.0, 0.0, 0.08))
    targets = np.array([s.data["wrist_target"] for s in held])
    np.testing.assert_allclose(targets[-1], targets[0], atol=1e-6)
    loop.command(Command.CLUTCH_RELEASE)
    resumed = run(loop, 0.2, wrist_offset=(0.0, 0.0, 0.08))
    # Re-anchored where the operator now is: no jump, the targets continue from the hold.
    np.testing.assert_allclose(resumed[0].data["wrist_target"], targets[-1], atol=1e-3)


def test_a_new_calibration_waits_until_the_robot_stops_following(rig):
    loop, _, _ = rig
    before = loop.calibration
    moved = np.array(before.robot_from_universe)
    moved[:3, 3] += (0.05, 0.0, 0.0)
    new = dataclasses.replace(before, robot_from_universe=moved, operator="ada")
    loop.command(Command.ENGAGE)
    run(loop, 0.2)
    loop.calibrate(new)
    run(loop, 0.1)
    assert loop.calibration is before
    loop.command(Command.DISENGAGE)
    run(loop, 0.02)
    assert loop.calibration is new


def test_move_to_walks_the_arms_to_a_pose_slowly_and_engaging_ends_it(rig):
    loop, body, _ = rig
    target = np.array(READY_POSE)
    target[5] += 0.3
    with pytest.raises(ValueError, match="outside the arm joint limits"):
        loop.move_to(np.full(14, 10.0))
    loop.move_to(target)
    samples = run(loop, 1.2)
    commands = np.array([s.data["arm_command"] for s in samples])
    assert np.isfinite(commands).all()
    assert np.abs(np.diff(commands, axis=0)).max() <= POSE_SPEED_RAD_S * loop.dt_s + 1e-6
    np.testing.assert_allclose(commands[-1], target, atol=1e-6)
    assert all(State(int(s.data["state"])) is State.IDLE for s in samples)
    assert np.abs(body.measured_arms()[0] - target).max() < 0.05  # the robot followed
    loop.command(Command.ENGAGE)
    run(loop, 0.05)
    loop.command(Command.DISENGAGE)
    after = run(loop, 0.05)
    assert all(np.isnan(s.data["arm_command"]).all() for s in after[1:])
