"""What the real Manus glove backends share: options, sample validity, capture times, loss
detection and the doctor's probe.

A backend turns each update of its route (ROS 2 topic, ZMQ bridge) into a
:class:`GloveReading` with the data already in the stream's units and frames; this base
emits it on ``glove_{side}`` exactly as the simulated glove does (ergonomics in deg in
MANUS_ERGONOMICS order, skeleton in the wrist-node frame, m, quaternions w, x, y, z).
"""

from __future__ import annotations

import time
from abc import abstractmethod
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from devices.clock import ClockOffsetEstimator
from devices.errors import DeviceError
from devices.faults import FaultSpec
from devices.gloves import Glove, glove_stream
from devices.hardware import Finding, HardwareDevice, sdk_finding
from devices.registry import BuildContext
from devices.sim.options import Side
from devices.streams import StreamSpec

POLL_S = 0.05
"""Longest wait for one update before checking for stop and loss (s)."""


@dataclass(frozen=True)
class GloveReading:
    """One glove update, whatever its route.

    ``ergonomics`` (20,) float32 deg in MANUS_ERGONOMICS order, NaN where the source sent no
    value. ``skeleton_position`` (25, 3) m and ``skeleton_orientation`` (25, 4) (w, x, y, z)
    in the wrist-node frame, right-handed, or None when the source sent no skeleton.
    ``t_arrival_ns`` is the station's monotonic clock on receipt; ``t_device_ns`` the
    source's publish time (Unix ns) or None; ``sequence`` the source's update counter or None.
    """

    t_arrival_ns: int
    glove_id: int
    ergonomics: np.ndarray
    skeleton_position: np.ndarray | None = None
    skeleton_orientation: np.ndarray | None = None
    t_device_ns: int | None = None
    sequence: int | None = None


class ManusGloveOptions(BaseModel):
    """Options every real Manus glove backend takes."""

    model_config = ConfigDict(extra="forbid")

    side: Side
    skeleton: bool = Field(True, description="also emit the 25-node raw skeleton")
    rate_hz: float = Field(60.0, gt=0.0, description="nominal update rate (Hz)")
    timeout_s: float = Field(
        1.0, gt=0.0, description="no update for this long (s): the glove is lost, reconnect"
    )
    retry_s: float = Field(2.0, gt=0.0, description="wait between connection attempts (s)")
    max_abs_deg: float = Field(
        180.0, gt=0.0, description="an ergonomics angle beyond +-this (deg): invalid sample"
    )
    faults: FaultSpec = Field(default_factory=FaultSpec)


class ManusGlove(Glove, HardwareDevice):
    """A real Manus glove: receives updates from its route and emits ``glove_{side}``.

    A sample is invalid when an ergonomics angle is missing, not finite or beyond
    ``max_abs_deg``, or (with ``skeleton``) when the skeleton is missing or not finite. Its
    capture time is the source's publish time mapped onto the station clock when the source
    stamps updates, else the arrival time minus ``latency_s``.
    """

    SDK_MODULES: ClassVar[tuple[tuple[str, str], ...]] = ()
    """(module, fix) of each SDK module the route needs, checked by the doctor."""

    def __init__(self, name: str, options: ManusGloveOptions, latency_s: float = 0.0) -> None:
        super().__init__(name, options.side, retry_s=options.retry_s, faults=options.faults)
        self.options = options
        self.glove_id: int | None = None
        self._stream = glove_stream(options.side, options.rate_hz, options.skeleton)
        self._latency_ns = round(latency_s * 1e9)
        self._clock = ClockOffsetEstimator()
        self._seq_base: int | None = None

    def streams(self) -> tuple[StreamSpec, ...]:
        return (self._stream,)

    def info(self) -> dict[str, str]:
        info = {**super().info(), "side": self.side, "source": self.source()}
        if self.glove_id is not None:
            info["glove_id"] = str(self.glove_id)
        return info

    @abstractmethod
    def source(self) -> str:
        """Where updates come from (a topic, an endpoint), for status and the doctor."""

    @abstractmethod
    def _receive(self, wait_s: float) -> list[GloveReading]:
        """Wait up to ``wait_s`` (s) for updates and return those received, oldest first.
        Raise DeviceError when the route fails or carries the wrong glove."""

    @abstractmethod
    def _silence_fix(self) -> str:
        """What to check when no update arrives."""

    def _stream_until_lost(self) -> None:
        self._clock = ClockOffsetEstimator()
        self._seq_base = None
        timeout_ns = round(self.options.timeout_s * 1e9)
        last_ns = time.monotonic_ns()
        while not self._stop.is_set():
            readings = self._receive(POLL_S)
            for reading in readings:
                self._emit_reading(reading)
            now_ns = time.monotonic_ns()
            if readings:
                last_ns = now_ns
            elif now_ns - last_ns > timeout_ns:
                raise DeviceError(
                    f"no {self._stream.name} update from {self.source()} for "
                    f"{self.options.timeout_s:g} s; fix: {self._silence_fix()}"
                )

    def _emit_reading(self, reading: GloveReading) -> None:
        self.glove_id = reading.glove_id
        data = {"ergonomics": np.asarray(reading.ergonomics, dtype=np.float32)}
        if self.options.skeleton:
            for key, value in (
                ("skeleton_position", reading.skeleton_position),
                ("skeleton_orientation", reading.skeleton_orientation),
            ):
                data[key] = (
                    self._stream.fields[key].empty()
                    if value is None
                    else np.asarray(value, dtype=np.float32)
                )
        if reading.t_device_ns is None:
            t_capture_ns = reading.t_arrival_ns - self._latency_ns
        else:
            t_capture_ns = self._clock.capture_time(reading.t_device_ns, reading.t_arrival_ns)
        self._emit(
            self._stream.name,
            t_capture_ns,
            data,
            t_device_ns=reading.t_device_ns,
            valid=self._valid(reading),
            seq=self._seq_of(reading.sequence),
        )

    def _valid(self, reading: GloveReading) -> bool:
        angles = np.asarray(reading.ergonomics)
        if not (np.isfinite(angles).all() and (np.abs(angles) <= self.options.max_abs_deg).all()):
            return False
        if not self.options.skeleton:
            return True
        skeleton = (reading.skeleton_position, reading.skeleton_orientation)
        return all(part is not None and np.isfinite(part).all() for part in skeleton)

    def _seq_of(self, sequence: int | None) -> int | None:
        """The sample seq for the source's counter: gaps stay gaps, and a counter that starts
        over (a restarted bridge, a wrap) continues from the last seq instead."""
        if sequence is None:
            return None
        following = self._seq.get(self._stream.name, 0)
        if self._seq_base is None or self._seq_base + sequence < following:
            self._seq_base = following - sequence
        return self._seq_base + sequence

    @classmethod
    def diagnose(cls, options: Any, timeout_s: float) -> list[Finding]:
        findings = [sdk_finding(module, fix) for module, fix in cls.SDK_MODULES]
        if all(finding.ok for finding in findings):
            findings.append(cls("doctor", options, BuildContext())._probe(timeout_s))
        return findings

    def _probe(self, timeout_s: float) -> Finding:
        """Connect, wait up to ``timeout_s`` for one update and say what arrived."""
        check = f"{self._stream.name} updates from {self.source()}"
        deadline = time.monotonic() + timeout_s
        try:
            self._connect()
            while time.monotonic() < deadline:
                for reading in self._receive(min(POLL_S, timeout_s)):
                    if self._valid(reading):
                        return Finding(check, True, f"receiving glove {reading.glove_id}")
                    return Finding(
                        check,
                        False,
                        f"glove {reading.glove_id} sends invalid data (angles missing, NaN or "
                        f"beyond +-{self.options.max_abs_deg:g} deg, or no skeleton)",
                        "recalibrate the glove in Manus Core, or set skeleton = false",
                    )
        except DeviceError as exc:
            detail, _, fix = str(exc).partition("; fix: ")
            return Finding(check, False, detail, fix)
        finally:
            self._disconnect()
        return Finding(check, False, f"nothing within {timeout_s:g} s", self._silence_fix())
