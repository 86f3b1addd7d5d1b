"""Simulated Vega-1 body: kinematic arms behind dexcontrol's command guards, fixed torso and head.

Faults act on the robot as they would on a real link. A stall freezes the measured state the
host sees (its timestamp too, so commands meet dexcontrol's stale-state guard) while the robot
keeps executing the last accepted command. A disconnect also freezes the measured state, and
commands fail with DeviceError; the robot holds its last target (as its heartbeat timeout
would). A NaN burst corrupts the measured state itself, and commands are refused against it.
Random drops lose stream samples only. The E-stop works in every case (the hardwired path).
"""

from __future__ import annotations

import threading
import time

import numpy as np
from pydantic import Field

from devices.body import (
    ARM_JOINTS,
    MAX_STEP_RAD,
    STALE_STATE_S,
    Body,
    body_stream,
)
from devices.device import PeriodicDevice
from devices.errors import CommandRejected, EStopActive, StaleState
from devices.faults import Verdict
from devices.registry import BuildContext
from devices.sim.device_clock import SimDeviceClock
from devices.sim.dynamics import LagFollower
from devices.sim.guards import checked_command, require_connected
from devices.sim.options import SimOptions
from devices.streams import StreamSpec
from retargeting.vega1 import DEFAULT_HEAD, DEFAULT_TORSO, READY_POSE, Vega1Arms

Triple = tuple[float, float, float]


class SimBody(Body, PeriodicDevice):
    """A kinematic Vega-1 emitting ``body`` at ``state_rate_hz``.

    The arms start at READY_POSE and follow the last accepted command with a first-order lag
    (``lag_s``) capped by the URDF velocity limits. Thread-safe: the state thread integrates,
    the control loop commands.
    """

    backend = "sim"

    class Options(SimOptions):
        state_rate_hz: float = Field(200.0, gt=0.0, description="state stream rate (Hz)")
        lag_s: float = Field(0.04, gt=0.0, description="arm response time constant (s)")
        torso: Triple = Field(DEFAULT_TORSO, description="torso joints held (rad)")
        head: Triple = Field(DEFAULT_HEAD, description="head joints held (rad)")

    def __init__(self, name: str, options: Options, context: BuildContext) -> None:
        super().__init__(name, rate_hz=options.state_rate_hz, faults=options.faults)
        self.options = options
        self._limits = Vega1Arms(options.torso, options.head).limits
        self._arms = LagFollower(np.array(READY_POSE), options.lag_s, self._limits.velocity)
        self._target = np.array(READY_POSE)
        self._measured = np.array(READY_POSE)
        self._measured_t_ns = 0
        self._estop = False
        self._lock = threading.Lock()
        self._clock = SimDeviceClock(name, context.scene.seed, time.monotonic_ns())
        self._torso = np.array(options.torso, dtype=np.float32)
        self._head = np.array(options.head, dtype=np.float32)
        self._stream = body_stream(options.state_rate_hz)

    def streams(self) -> tuple[StreamSpec, ...]:
        return (self._stream,)

    def command_arms(self, q: np.ndarray) -> None:
        q = checked_command(q, self._limits.lower, self._limits.upper, ARM_JOINTS)
        require_connected(self)
        now = time.monotonic_ns()
        with self._lock:
            if self._estop:
                raise EStopActive(f"{self.name}: E-stop engaged; command refused")
            age_s = (now - self._measured_t_ns) * 1e-9
            if age_s > STALE_STATE_S:
                raise StaleState(
                    f"{self.name}: measured state is {age_s:.2f} s old (> {STALE_STATE_S} s)"
                )
            if not np.isfinite(self._measured).all():
                raise CommandRejected(f"{self.name}: measured state is not finite")
            step = np.abs(q - self._measured)
            if step.max() > MAX_STEP_RAD:
                worst = int(step.argmax())
                raise CommandRejected(
                    f"{self.name}: {ARM_JOINTS[worst]} would step {step[worst]:.3f} rad from "
                    f"the measured position (max {MAX_STEP_RAD} rad)"
                )
            self._target = q

    def measured_arms(self) -> tuple[np.ndarray, int]:
        with self._lock:
            return self._measured.copy(), self._measured_t_ns

    def activate_estop(self) -> None:
        with self._lock:
            self._estop = True
            self._target = self._arms.position.copy()

    def release_estop(self) -> None:
        with self._lock:
            self._estop = False

    @property
    def estop_active(self) -> bool:
        return self._estop

    def _poll(self, t_ns: int) -> None:
        link = self._faults.window_verdict(self._elapsed_s(t_ns))
        with self._lock:
            self._arms.advance(self._target, t_ns)
            position = self._arms.position.copy()
            velocity = self._arms.velocity.copy()
            command = self._target.copy()
            estop = self._estop
            if link is Verdict.DELIVER:
                self._measured, self._measured_t_ns = position, t_ns
            elif link is Verdict.NAN:
                self._measured, self._measured_t_ns = np.full_like(position, np.nan), t_ns
        data = {
            "arm_position": position.astype(np.float32),
            "arm_velocity": velocity.astype(np.float32),
            "arm_command": command.astype(np.float32),
            "torso_position": self._torso,
            "head_position": self._head,
            "estop": np.array(estop),
        }
        self._emit(self._stream.name, t_ns, data, t_device_ns=self._clock(t_ns))
