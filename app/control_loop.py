"""One control tick: inputs -> state machine -> retargeting -> safety -> robot commands.

The loop is the single writer of robot commands. It runs in the control process (see
``app.control_process``); this module holds the per-tick logic only, so tests drive it with
explicit times. Wrist targets are L_ee/R_ee poses in the robot base frame (m); joints rad.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping

import numpy as np

from app.config import StationConfig
from app.state_machine import Command, State, StateMachine
from calibration.in_force import CalibrationInForce, calibration_in_force
from devices.body import MAX_STEP_RAD, Body
from devices.errors import DeviceError
from devices.hands import Hand
from devices.sample import Sample
from devices.streams import FieldSpec, StreamSpec
from devices.trackers import TRACKING_RUNNING_OK
from retargeting.teleop import OperatorInput, TeleopOptions, TeleopRetargeter

SIDES = ("left", "right")
STEP_SAFETY_FACTOR = 0.9
"""Commands stay within this fraction of the robot's own step guard."""
POSE_SPEED_RAD_S = 0.5
"""Fastest joint speed (rad/s) on the way to a pose asked by :meth:`ControlLoop.move_to`."""
MAX_TRACKER_JUMP_M = 0.10
"""A tracker moving further than this between two samples is treated as a glitch."""


def control_stream(rate_hz: float) -> StreamSpec:
    """Stream ``control``: one sample per tick. Commands are NaN on ticks that sent none."""
    return StreamSpec(
        "control",
        "control",
        rate_hz,
        {
            "state": FieldSpec((), "int8", "1", "State value (IDLE 0 .. ESTOP 4)"),
            "blend": FieldSpec((), "float32", "1", "ENGAGING blend fraction"),
            "wrist_target": FieldSpec(
                (2, 4, 4), "float32", "m", "L/R wrist targets, base frame", nan_means_absent=True
            ),
            "arm_target": FieldSpec(
                (14,), "float32", "rad", "IK solution, ARM_JOINTS order", nan_means_absent=True
            ),
            "arm_command": FieldSpec(
                (14,), "float32", "rad", "safe arm command sent", nan_means_absent=True
            ),
            "hand_command": FieldSpec(
                (2, 22), "float32", "rad", "safe hand commands, L/R", nan_means_absent=True
            ),
            "arm_clamp": FieldSpec((), "uint8", "1", "retargeting.safety.Clamp flags, arms"),
            "hand_clamp": FieldSpec((), "uint8", "1", "Clamp flags, hands"),
            "rejected": FieldSpec((), "bool", "1", "the robot refused this tick's command"),
            "input_age_ms": FieldSpec((), "float32", "ms", "oldest required input"),
            "lateness_us": FieldSpec((), "float32", "us", "tick start minus its deadline"),
            "compute_us": FieldSpec((), "float32", "us", "time spent in this tick"),
        },
    )


class ControlLoop:
    """State, targets and safe commands, one :meth:`tick` at a time."""

    def __init__(
        self,
        config: StationConfig,
        body: Body,
        hands: Mapping[str, Hand],
        emit: Callable[[Sample], None],
    ) -> None:
        c = config.control
        self.rate_hz = c.rate_hz
        self.dt_s = 1.0 / c.rate_hz
        self.stale_ns = int(c.stale_after_ms * 1e6)
        self.body, self.hands, self._emit = body, dict(hands), emit
        actuator_streams = [s.name for d in (body, *hands.values()) for s in d.streams()]
        self.required = (*c.required_inputs, *actuator_streams)
        self.machine = StateMachine(c.engage_s, c.resume_after_ms * 1e-3)
        self.calibration = calibration_in_force(config, None, None)
        """The calibration in force; :meth:`calibrate` replaces it."""
        self._pending_calibration: CalibrationInForce | None = None
        self._pose_target: np.ndarray | None = None
        self._pose_command: np.ndarray | None = None
        self.teleop = TeleopRetargeter(self.dt_s, teleop_options(config, self.calibration))
        self._glove_field = (
            "skeleton_position" if config.retargeting.hand_input == "keypoints" else "ergonomics"
        )
        self.spec = control_stream(c.rate_hz)
        self._latest: dict[str, Sample] = {}
        self._previous: dict[str, Sample] = {}
        self._commands: list[Command] = []
        self._seq = 0
        self._arm_cmd: np.ndarray | None = None
        self._hand_cmd = np.zeros((2, 22))

    @property
    def state(self) -> State:
        return self.machine.state

    def on_input(self, sample: Sample) -> None:
        """Take a sample of any stream (gloves, trackers, body, hands); keeps the latest."""
        previous = self._latest.get(sample.stream)
        if previous is not None:
            self._previous[sample.stream] = previous
        self._latest[sample.stream] = sample

    def command(self, command: Command) -> None:
        """Queue an operator command for the next tick."""
        self._commands.append(command)

    def move_to(self, q: np.ndarray | None) -> None:
        """Move the arms slowly (POSE_SPEED_RAD_S) to ``q`` (14,) rad, ARM_JOINTS order, and
        hold there, while IDLE: the robot shows the operator a pose to mirror (tracker
        registration). None, engaging, disengaging or an E-stop ends it. ValueError for a
        target outside the joint limits, ignored outside IDLE."""
        if q is not None:
            q = np.asarray(q, dtype=float)
            limits = self.teleop.arm_filter.joints
            if q.shape != (14,) or not np.all((q >= limits.lower) & (q <= limits.upper)):
                raise ValueError("pose outside the arm joint limits (14 joints, rad)")
        self._pose_target = q if self.state is State.IDLE else None
        self._pose_command = None

    def calibrate(self, calibration: CalibrationInForce) -> None:
        """Use ``calibration`` from the next tick that is not ENGAGING or ENGAGED (a change
        while the robot follows would move it)."""
        self._pending_calibration = calibration

    def tick(self, now_ns: int, lateness_ns: int = 0) -> Sample:
        """Run one tick at ``now_ns`` (monotonic); sends commands and returns the control sample."""
        ok, reason, age_ns = self._inputs_ok(now_ns)
        commands, self._commands = self._commands, []
        following = self.state in (State.ENGAGING, State.ENGAGED)
        if self._pending_calibration is not None and not following:
            self.calibration, self._pending_calibration = self._pending_calibration, None
            self.teleop.set_operator_mapping(
                self.calibration.keypoint_mapping, self.calibration.ergonomics_range
            )
        if Command.CLUTCH_PRESS in commands:
            self.teleop.press_clutch()
        if Command.CLUTCH_RELEASE in commands:
            self.teleop.release_clutch()
        estop_pressed = Command.ESTOP in commands
        if estop_pressed:
            self.body.activate_estop()
        if Command.RESET in commands and self.state is State.ESTOP and self.body.estop_active:
            self.body.release_estop()
        step = self.machine.step(now_ns, commands, ok, reason, self.body.estop_active)
        if step.state is not State.IDLE or Command.DISENGAGE in commands:
            self._pose_target = None
        q_measured, hands_measured = self._measured()
        if step.blend_started:
            self.teleop.engage(q_measured, hands_measured)
            self._arm_cmd = q_measured.copy()
            self._hand_cmd = hands_measured.copy()
        out = {k: f.empty() for k, f in self.spec.fields.items()}
        out["state"][...] = int(step.state)
        out["blend"][...] = self.machine.blend(now_ns)
        out["input_age_ms"][...] = age_ns * 1e-6
        out["arm_clamp"][...] = 0
        out["hand_clamp"][...] = 0
        out["rejected"][...] = False
        if step.state in (State.ENGAGING, State.ENGAGED):
            self._track(now_ns, q_measured, out)
        if step.state in (State.ENGAGING, State.ENGAGED, State.HOLD) and self._arm_cmd is not None:
            self._send(out)
        elif self._pose_target is not None:
            self._pose(q_measured, out)
        out["lateness_us"][...] = lateness_ns * 1e-3
        self._seq += 1
        sample = Sample("control", self._seq - 1, now_ns, now_ns, None, True, out)
        sample.data["compute_us"][...] = (time.monotonic_ns() - now_ns) * 1e-3
        self._emit(sample)
        return sample

    def _track(self, now_ns: int, q_measured: np.ndarray, out: dict[str, np.ndarray]) -> None:
        trackers = [self._latest[f"tracker_{side}"] for side in SIDES]
        gloves = [self._latest[f"glove_{side}"] for side in SIDES]
        inputs = OperatorInput(
            wrists=self.calibration.wrists_in_base(np.stack([t.data["pose"] for t in trackers])),
            wrist_times_s=tuple(t.t_capture_ns * 1e-9 for t in trackers),
            hands=np.stack([g.data[self._glove_field] for g in gloves]).astype(float),
            hand_times_s=tuple(g.t_capture_ns * 1e-9 for g in gloves),
        )
        blend = _smoothstep(self.machine.blend(now_ns))
        command = self.teleop.step(inputs, q_measured, blend)
        self._arm_cmd = command.arm
        self._hand_cmd = command.hands
        out["wrist_target"][...] = command.wrist_targets
        out["arm_target"][...] = command.arm_target
        out["hand_command"][...] = command.hands
        out["arm_clamp"][...] = int(command.arm_clamp)
        out["hand_clamp"][...] = int(command.hand_clamp)

    def _pose(self, q_measured: np.ndarray, out: dict[str, np.ndarray]) -> None:
        """One step towards the pose target, never further than the step guard from the
        measured joints (the arms only; the hands keep their last command)."""
        previous = q_measured if self._pose_command is None else self._pose_command
        reach = POSE_SPEED_RAD_S * self.dt_s
        command = previous + np.clip(self._pose_target - previous, -reach, reach)
        guard = STEP_SAFETY_FACTOR * MAX_STEP_RAD
        command = np.clip(command, q_measured - guard, q_measured + guard)
        self._pose_command = command
        out["arm_command"][...] = command
        try:
            self.body.command_arms(command)
        except DeviceError:
            out["rejected"][...] = True

    def _send(self, out: dict[str, np.ndarray]) -> None:
        out["arm_command"][...] = self._arm_cmd
        rejected = False
        try:
            self.body.command_arms(self._arm_cmd)
        except DeviceError:  # refused (guards, E-stop, stale state) or disconnected
            rejected = True
        out["hand_command"][...] = self._hand_cmd
        for i, side in enumerate(SIDES):
            try:
                self.hands[side].command(self._hand_cmd[i])
            except DeviceError:
                rejected = True
        out["rejected"][...] = rejected

    def _measured(self) -> tuple[np.ndarray, np.ndarray]:
        """Measured arm joints (14,) and hand joints (2, 22), rad."""
        q_arm, _ = self.body.measured_arms()
        hands = np.zeros((2, 22))
        for i, side in enumerate(SIDES):
            sample = self._latest.get(f"hand_{side}")
            if sample is not None:
                hands[i] = sample.data["position"]
        return np.asarray(q_arm, dtype=float), hands

    def _inputs_ok(self, now_ns: int) -> tuple[bool, str, int]:
        """Whether every required input is fresh, valid, finite and plausible."""
        oldest = 0
        problems = []
        for stream in self.required:
            sample = self._latest.get(stream)
            if sample is None:
                problems.append(f"{stream} missing")
                continue
            age = now_ns - sample.t_capture_ns
            oldest = max(oldest, age)
            if age > self.stale_ns:
                problems.append(f"{stream} stale {age * 1e-6:.0f} ms")
            elif not sample.valid or not sample.is_finite():
                problems.append(f"{stream} invalid")
            elif stream.startswith("tracker_"):
                problems.extend(self._tracker_problems(stream, sample))
        return not problems, "; ".join(problems), oldest

    def _tracker_problems(self, stream: str, sample: Sample) -> list[str]:
        if int(sample.data["tracking_result"]) != TRACKING_RUNNING_OK:
            return [f"{stream} not tracking"]
        previous = self._previous.get(stream)
        if previous is not None and previous.is_finite():
            jump = np.linalg.norm(sample.data["pose"][:3, 3] - previous.data["pose"][:3, 3])
            if jump > MAX_TRACKER_JUMP_M:
                return [f"{stream} jumped {jump:.2f} m"]
        return []


FILTER_OPTIONS = ("wrist_position_filter", "wrist_rotation_filter", "fingertip_filter")


def teleop_options(config: StationConfig, calibration: CalibrationInForce) -> TeleopOptions:
    """The retargeting chain's options from the station configuration and the gloves'
    calibration."""
    r = config.retargeting
    return TeleopOptions(
        position_scale=r.position_scale,
        hand_input=r.hand_input,
        keypoint_layout=r.keypoint_layout,
        keypoint_mapping=calibration.keypoint_mapping,
        ergonomics_range=calibration.ergonomics_range,
        flange=np.asarray(r.flange, dtype=float),
        joint_margin_rad=config.control.joint_margin_rad,
        arm_max_step_rad=STEP_SAFETY_FACTOR * MAX_STEP_RAD,
        collision_margin_m=r.collision_margin_m,
        workspace_lower=r.workspace_lower_m,
        workspace_upper=r.workspace_upper_m,
        **({} if r.filter else dict.fromkeys(FILTER_OPTIONS)),
    )


def _smoothstep(x: float) -> float:
    return x * x * (3.0 - 2.0 * x)
