"""The station's safety state machine, advanced once per control tick.

IDLE -> ENGAGING (blend from measured to target) -> ENGAGED; HOLD keeps the last safe command
while a required input is stale and resumes through ENGAGING once inputs have been fresh for
``resume_after_s``; ESTOP latches from any state until an explicit reset, which returns to
IDLE. Pure logic: times are passed in (monotonic ns), nothing is commanded here.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum


class State(IntEnum):
    """Station states; the integer values are recorded in the ``control`` stream."""

    IDLE = 0
    ENGAGING = 1
    ENGAGED = 2
    HOLD = 3
    ESTOP = 4


class Command(IntEnum):
    """Operator commands, queued by UI/CLI and applied at the next tick."""

    ENGAGE = 1
    DISENGAGE = 2
    ESTOP = 3
    RESET = 4
    CLUTCH_PRESS = 5
    """Freeze the wrist targets so the operator can re-centre (retargeting only)."""
    CLUTCH_RELEASE = 6
    """Resume from the frozen targets, re-anchored at the operator's wrists."""


@dataclass
class Transition:
    """What a tick decided: the new state and whether a new blend starts now."""

    state: State
    blend_started: bool = False
    reason: str = ""


class StateMachine:
    """Decides the state from commands, input freshness and the robot's own E-stop."""

    def __init__(self, engage_s: float, resume_after_s: float) -> None:
        self.engage_ns = int(engage_s * 1e9)
        self.resume_after_ns = int(resume_after_s * 1e9)
        self.state = State.IDLE
        self.reason = "idle"
        self._blend_start_ns = 0
        self._fresh_since_ns: int | None = None

    def blend(self, now_ns: int) -> float:
        """Blend fraction 0..1 of the current ENGAGING phase (1 outside ENGAGING)."""
        if self.state is not State.ENGAGING:
            return 1.0
        return min(1.0, max(0.0, (now_ns - self._blend_start_ns) / self.engage_ns))

    def step(
        self,
        now_ns: int,
        commands: list[Command],
        inputs_ok: bool,
        stale_reason: str = "",
        robot_estop: bool = False,
    ) -> Transition:
        """Advance one tick. ``inputs_ok`` is False when a required input is stale/invalid."""
        self._fresh_since_ns = (self._fresh_since_ns or now_ns) if inputs_ok else None
        started = False
        for command in commands:
            if command is Command.ESTOP:
                self._set(State.ESTOP, "E-stop pressed")
            elif command is Command.RESET and self.state is State.ESTOP:
                self._set(State.IDLE, "E-stop reset")
            elif command is Command.DISENGAGE and self.state is not State.ESTOP:
                self._set(State.IDLE, "disengaged")
            elif command is Command.ENGAGE and self.state is State.IDLE:
                if inputs_ok and not robot_estop:
                    started = self._start_blend(now_ns, "engaging")
                else:
                    self.reason = f"cannot engage: {stale_reason or 'robot E-stop active'}"
        if robot_estop and self.state is not State.ESTOP:
            self._set(State.ESTOP, "robot E-stop engaged")
        if self.state in (State.ENGAGING, State.ENGAGED) and not inputs_ok:
            self._set(State.HOLD, f"hold: {stale_reason}")
        elif self.state is State.HOLD and inputs_ok:
            if now_ns - self._fresh_since_ns >= self.resume_after_ns:
                started = self._start_blend(now_ns, "resuming")
        elif self.state is State.ENGAGING and self.blend(now_ns) >= 1.0:
            self._set(State.ENGAGED, "engaged")
        return Transition(self.state, started, self.reason)

    def _start_blend(self, now_ns: int, reason: str) -> bool:
        self._set(State.ENGAGING, reason)
        self._blend_start_ns = now_ns
        return True

    def _set(self, state: State, reason: str) -> None:
        self.state = state
        self.reason = reason
