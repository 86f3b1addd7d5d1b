import time

import numpy as np
import pytest

from devices.body import MAX_STEP_RAD
from devices.errors import CommandRejected, DeviceError, EStopActive, StaleState
from devices.registry import build_device
from retargeting.vega1 import READY_POSE, Vega1Arms

LAG_S = 0.04
LIMITS = Vega1Arms().limits


def wait_for_state(body, seconds: float = 0.05) -> np.ndarray:
    time.sleep(seconds)
    q, _ = body.measured_arms()
    return q


def progress(samples, joint: int, start: float, goal: float) -> np.ndarray:
    """(t_capture_ns, fraction of the way from start to goal) of each sample."""
    return np.array(
        [
            (s.t_capture_ns, (s.data["arm_position"][joint] - start) / (goal - start))
            for s in samples
        ]
    )


def test_starts_at_ready_and_follows_with_first_order_lag(started):
    body, samples = started("body", lag_s=LAG_S)
    q = wait_for_state(body)
    assert np.allclose(q, READY_POSE)
    target = q.copy()
    target[2] += 0.05  # slow enough to stay below the velocity limit
    t_command = time.monotonic_ns()
    body.command_arms(target)
    time.sleep(6 * LAG_S)
    trace = progress([s for s in samples if s.t_capture_ns > t_command], 2, q[2], target[2])
    elapsed_s = (trace[:, 0] - t_command) * 1e-9
    assert trace[0, 1] < 0.4  # one tick covers a fraction of the way
    assert (np.diff(trace[:, 1]) >= -1e-6).all()
    assert trace[elapsed_s > 4 * LAG_S, 1].min() > 0.95
    assert abs(trace[-1, 1] - 1.0) < 0.01
    assert np.allclose(samples[-1].data["arm_command"], target, atol=1e-6)


def test_speed_is_capped_by_urdf_velocity_limits(started):
    body, samples = started("body", lag_s=LAG_S)
    target = wait_for_state(body)
    target[9] += 0.28  # a first-order start would be 7 rad/s
    body.command_arms(target)
    time.sleep(0.1)
    speed = np.abs([s.data["arm_velocity"][9] for s in samples])
    assert speed.max() <= LIMITS.velocity[9] + 1e-4
    assert speed.max() > 0.9 * LIMITS.velocity[9]


def bad_command(q: np.ndarray, case: str) -> np.ndarray:
    if case == "shape":
        return q[:7]
    joint = {"step": 0, "limits": 3, "non-finite": 5}[case]
    value = {"step": q[0] + MAX_STEP_RAD + 0.01, "limits": LIMITS.upper[3] + 0.01}.get(case, np.nan)
    return np.where(np.arange(14) == joint, value, q)


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("step", "would step"),
        ("limits", "limits"),
        ("non-finite", "non-finite"),
        ("shape", "shape"),
    ],
)
def test_guards_reject_bad_commands(started, case, message):
    body, _ = started("body")
    q = wait_for_state(body)
    with pytest.raises(CommandRejected, match=message) as error:
        body.command_arms(bad_command(q, case))
    assert type(error.value) is CommandRejected
    assert np.allclose(body.measured_arms()[0], q, atol=1e-6)  # nothing moved


def test_step_just_below_the_guard_is_accepted(started):
    body, samples = started("body")
    q = wait_for_state(body)
    target = q + np.eye(14)[0] * (MAX_STEP_RAD - 0.01)
    body.command_arms(target)
    time.sleep(0.02)
    assert np.allclose(samples[-1].data["arm_command"], target, atol=1e-6)


def test_stall_freezes_the_measured_state_and_commands_go_stale(started):
    body, samples = started("body", faults={"stall_s": [(0.1, 5.0)]})
    q = wait_for_state(body, 0.05)
    body.command_arms(q)  # fresh state: accepted
    time.sleep(0.65)
    _, t_measured = body.measured_arms()
    assert (time.monotonic_ns() - t_measured) * 1e-9 > 0.5
    with pytest.raises(StaleState):
        body.command_arms(q)
    assert all(s.t_capture_ns <= t_measured for s in samples)


def test_disconnect_refuses_commands(started):
    body, _ = started("body", faults={"disconnect_s": [(0.0, 5.0)]})
    time.sleep(0.02)
    assert not body.status().connected
    with pytest.raises(DeviceError):
        body.command_arms(np.array(READY_POSE))


def test_nan_state_refuses_commands(started):
    body, _ = started("body", faults={"nan_s": [(0.0, 5.0)]})
    q = wait_for_state(body, 0.03)
    assert np.isnan(q).all()
    with pytest.raises(CommandRejected, match="not finite"):
        body.command_arms(np.array(READY_POSE))


def test_command_before_start_is_refused(context):
    body = build_device("body", "sim", "body", {}, context)
    with pytest.raises(DeviceError):
        body.command_arms(np.array(READY_POSE))


def test_estop_holds_pose_and_refuses_commands_until_released(started):
    body, samples = started("body", lag_s=LAG_S)
    target = wait_for_state(body)
    target[0] += 0.28  # takes over 0.1 s at the velocity limit
    body.command_arms(target)
    time.sleep(0.04)
    body.activate_estop()
    assert body.estop_active
    held, _ = body.measured_arms()
    assert held[0] < target[0] - 0.05  # stopped on the way
    time.sleep(0.05)
    q, _ = body.measured_arms()
    assert np.allclose(q, held, atol=1e-9)
    with pytest.raises(EStopActive):
        body.command_arms(held)
    last = samples[-1].data
    assert last["estop"] and np.allclose(last["arm_command"], held, atol=1e-6)
    body.release_estop()
    assert not body.estop_active
    body.command_arms(target)
    time.sleep(0.25)
    q, _ = body.measured_arms()
    assert np.allclose(q, target, atol=1e-3)
