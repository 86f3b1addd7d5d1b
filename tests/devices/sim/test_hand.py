import time

import numpy as np
import pytest

from devices.errors import CommandRejected, DeviceError
from devices.hands import N_HAND_JOINTS, SHARPA_JOINTS
from retargeting import sharpa_limits

LAG_S = 0.03
THUMB_IP = SHARPA_JOINTS.index("thumb_IP")
INDEX_PIP = SHARPA_JOINTS.index("index_PIP")


def test_follows_commands_with_lag_speed_limits_and_torque(started):
    hand, samples = started("hand", side="left", lag_s=LAG_S)
    time.sleep(0.03)
    assert np.allclose(samples[-1].data["position"], 0.0)
    target = np.zeros(N_HAND_JOINTS)
    target[THUMB_IP] = 0.1  # 3.3 rad/s at first: below the limit
    target[INDEX_PIP] = 1.5  # 50 rad/s at first: capped
    t_command = time.monotonic_ns()
    hand.command(target)
    time.sleep(0.35)  # ~0.13 s at the speed limit, then the lag
    after = [s.data for s in samples if s.t_capture_ns > t_command]
    assert after[0]["position"][THUMB_IP] < 0.05  # lagging
    assert np.allclose(after[-1]["position"], target, atol=2e-3)
    assert np.allclose(after[-1]["command"], target)
    speed = np.abs([d["velocity"][INDEX_PIP] for d in after])
    assert 0.9 * sharpa_limits.VELOCITY[INDEX_PIP] < speed.max()
    assert speed.max() <= sharpa_limits.VELOCITY[INDEX_PIP] + 1e-4
    torque = np.array([d["torque"][INDEX_PIP] for d in after])
    assert torque[0] == pytest.approx(sharpa_limits.EFFORT[INDEX_PIP])  # saturated, closing
    assert abs(torque[-1]) < 0.01 * sharpa_limits.EFFORT[INDEX_PIP]


@pytest.mark.parametrize(
    ("joint", "value", "message"),
    [(INDEX_PIP, np.nan, "non-finite"), (INDEX_PIP, -0.01, "limits"), (THUMB_IP, 1.8, "limits")],
)
def test_rejects_invalid_commands(started, joint, value, message):
    hand, samples = started("hand", side="right")
    q = np.zeros(N_HAND_JOINTS)
    q[joint] = value
    with pytest.raises(CommandRejected, match=message):
        hand.command(q)
    with pytest.raises(CommandRejected, match="shape"):
        hand.command(np.zeros(N_HAND_JOINTS + 1))
    time.sleep(0.02)
    assert np.array_equal(samples[-1].data["command"], np.zeros(N_HAND_JOINTS))


def test_disconnected_hand_refuses_commands(started):
    hand, _ = started("hand", side="right", faults={"disconnect_s": [(0.0, 5.0)]})
    with pytest.raises(DeviceError, match="not connected"):
        hand.command(np.zeros(N_HAND_JOINTS))


def test_command_buffer_is_copied(started):
    hand, samples = started("hand", side="right")
    q = np.zeros(N_HAND_JOINTS)
    q[INDEX_PIP] = 0.5
    hand.command(q)
    q[INDEX_PIP] = 1.0  # the caller reuses its buffer
    time.sleep(0.03)
    assert samples[-1].data["command"][INDEX_PIP] == pytest.approx(0.5)
