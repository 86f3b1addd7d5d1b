"""Simulated Sharpa Wave hand: 22 joints following position commands with lag and speed limits.

Commands outside the joint limits or non-finite are rejected, not clamped: the safety filter
upstream clamps, so an out-of-range command here is a bug to surface. A disconnect refuses
commands (DeviceError) while the hand holds its last target; stalls, drops and NaN bursts
affect the ``hand_{side}`` stream only.
"""

from __future__ import annotations

import threading
import time

import numpy as np
from pydantic import Field

from devices.device import PeriodicDevice
from devices.hands import N_HAND_JOINTS, SHARPA_JOINTS, Hand, hand_stream
from devices.registry import BuildContext
from devices.sim.device_clock import SimDeviceClock
from devices.sim.dynamics import LagFollower
from devices.sim.guards import checked_command, require_connected
from devices.sim.options import SidedOptions
from devices.streams import StreamSpec
from retargeting import sharpa_limits

SATURATION_ERROR_RAD = 0.35
"""Position error (rad) at which a joint's position controller reaches its effort limit: the
reported torque is ``EFFORT * error / SATURATION_ERROR_RAD``, clipped to +-EFFORT (N*m)."""


class SimHand(Hand, PeriodicDevice):
    """One simulated hand emitting ``hand_{side}``; starts open (all joints at 0 rad)."""

    backend = "sim"

    class Options(SidedOptions):
        state_rate_hz: float = Field(100.0, gt=0.0, description="state stream rate (Hz)")
        lag_s: float = Field(0.03, gt=0.0, description="joint response time constant (s)")

    def __init__(self, name: str, options: Options, context: BuildContext) -> None:
        super().__init__(name, options.side, rate_hz=options.state_rate_hz, faults=options.faults)
        self.options = options
        self._target = np.zeros(N_HAND_JOINTS)
        self._joints = LagFollower(self._target, options.lag_s, sharpa_limits.VELOCITY)
        self._lock = threading.Lock()
        self._clock = SimDeviceClock(name, context.scene.seed, time.monotonic_ns())
        self._stream = hand_stream(options.side, options.state_rate_hz)

    def streams(self) -> tuple[StreamSpec, ...]:
        return (self._stream,)

    def command(self, q: np.ndarray) -> None:
        q = checked_command(q, sharpa_limits.LOWER, sharpa_limits.UPPER, SHARPA_JOINTS)
        require_connected(self)
        with self._lock:
            self._target = q

    def _poll(self, t_ns: int) -> None:
        with self._lock:
            self._joints.advance(self._target, t_ns)
            position = self._joints.position.copy()
            velocity = self._joints.velocity.copy()
            command = self._target.copy()
        effort = sharpa_limits.EFFORT
        torque = np.clip(effort * (command - position) / SATURATION_ERROR_RAD, -effort, effort)
        data = {
            "position": position.astype(np.float32),
            "velocity": velocity.astype(np.float32),
            "torque": torque.astype(np.float32),
            "command": command.astype(np.float32),
        }
        self._emit(self._stream.name, t_ns, data, t_device_ns=self._clock(t_ns))
