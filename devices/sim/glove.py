"""Simulated Manus glove: the scripted operator's finger angles and raw skeleton at 90 Hz."""

from __future__ import annotations

import time

import numpy as np
from pydantic import Field

from devices.device import PeriodicDevice
from devices.gloves import Glove, glove_stream
from devices.registry import BuildContext
from devices.sim.device_clock import SimDeviceClock
from devices.sim.operator import operator_of
from devices.sim.options import SidedOptions
from devices.sim.seeding import seeded_rng
from devices.streams import StreamSpec


class SimGlove(Glove, PeriodicDevice):
    """One simulated glove emitting ``glove_{side}``.

    Each sample is captured up to ``jitter`` periods before its poll deadline (the glove's own
    sampling does not line up with our polling), evaluated from the scripted operator at that
    capture time and stamped by a simulated glove clock (``t_device_ns``).
    """

    backend = "sim"

    class Options(SidedOptions):
        rate_hz: float = Field(90.0, gt=0.0, description="sample rate (Hz)")
        skeleton: bool = Field(True, description="also emit the 25-node raw skeleton")
        jitter: float = Field(
            0.05, ge=0.0, lt=1.0, description="capture-time jitter, fraction of a period"
        )

    def __init__(self, name: str, options: Options, context: BuildContext) -> None:
        super().__init__(name, options.side, rate_hz=options.rate_hz, faults=options.faults)
        self.options = options
        self._operator = operator_of(context)
        self._clock = SimDeviceClock(name, context.scene.seed, time.monotonic_ns())
        self._rng = seeded_rng(context.scene.seed, "jitter", name)
        self._stream = glove_stream(options.side, options.rate_hz, options.skeleton)

    def streams(self) -> tuple[StreamSpec, ...]:
        return (self._stream,)

    def _poll(self, t_ns: int) -> None:
        t_capture = t_ns - int(self._rng.uniform(0.0, self.options.jitter) * 1e9 / self.rate_hz)
        data: dict[str, np.ndarray] = {
            "ergonomics": self._operator.ergonomics(self.side, t_capture)
        }
        if self.options.skeleton:
            position, orientation = self._operator.skeleton(self.side, t_capture)
            data["skeleton_position"] = position
            data["skeleton_orientation"] = orientation
        self._emit(self._stream.name, t_capture, data, t_device_ns=self._clock(t_capture))
