"""What the VIVE tracker backends share: their options, the stream, how a reading becomes a
sample, and how a missing tracker is reported."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from devices.errors import DeviceError
from devices.faults import FaultSpec
from devices.hardware import Finding, HardwareDevice
from devices.streams import StreamSpec
from devices.trackers import WristTracker, tracker_stream
from devices.vive.readings import TrackerReading

PAIR_FIX = "switch the tracker on and pair it in SteamVR (its LED turns green when tracked)"


class ViveTrackerOptions(BaseModel):
    """Options of every VIVE tracker backend."""

    model_config = ConfigDict(extra="forbid")

    side: Literal["left", "right"]
    serial: str = Field(
        "", description="LHR-... serial; empty: the station profile's tracker role for the side"
    )
    rate_hz: float = Field(120.0, gt=0.0, le=1000.0, description="poll / nominal rate (Hz)")
    retry_s: float = Field(2.0, gt=0.0, description="wait between connection attempts (s)")
    faults: FaultSpec = Field(default_factory=FaultSpec)


def missing_tracker(side: str, serial: str, seen: Mapping[str, str], where: str) -> tuple[str, str]:
    """The reason and the fix when the configured tracker is not among those seen ``where``;
    ``seen`` maps each serial seen to a short state ("connected, battery 80 %")."""
    listing = ", ".join(f"{s} ({state})" for s, state in sorted(seen.items())) or "none"
    if not serial:
        return (
            f"no serial set for the {side} tracker (trackers {where}: {listing})",
            "assign the wrist roles with `dexstation calibrate roles` or set serial in the "
            "device's configuration",
        )
    return (
        f"tracker {serial} not connected (trackers {where}: {listing})",
        f"{PAIR_FIX}, or correct the serial",
    )


def tracker_finding(
    options: ViveTrackerOptions, seen: Mapping[str, str], found: bool, where: str
) -> Finding:
    """The doctor's check that the configured tracker is connected, listing those ``seen``."""
    check = f"{options.side} tracker {options.serial or '(no serial set)'} connected"
    if found:
        return Finding(check, True, f"yes ({seen[options.serial]})")
    detail, fix = missing_tracker(options.side, options.serial, seen, where)
    return Finding(check, False, detail, fix)


class ViveTracker(WristTracker, HardwareDevice):
    """A VIVE tracker behind OpenVR, identified by serial, emitting ``tracker_{side}``:
    T_universe_tracker (m) in OpenVR's standing universe. A reading that is not valid, or whose
    pose is not finite, is emitted with ``valid=False`` and its data as received."""

    def __init__(self, name: str, options: ViveTrackerOptions) -> None:
        super().__init__(
            name, options.side, options.serial, retry_s=options.retry_s, faults=options.faults
        )
        self.options = options
        self._stream = tracker_stream(options.side, options.rate_hz)

    def streams(self) -> tuple[StreamSpec, ...]:
        return (self._stream,)

    def _missing(self, seen: Mapping[str, str], where: str) -> DeviceError:
        detail, fix = missing_tracker(self.side, self.serial, seen, where)
        return DeviceError(f"{detail}; fix: {fix}")

    def _emit_reading(
        self,
        reading: TrackerReading,
        t_capture_ns: int,
        t_device_ns: int | None = None,
        seq: int | None = None,
    ) -> None:
        data = {
            "pose": reading.pose,
            "tracking_result": np.array(reading.tracking_result, dtype=np.int32),
        }
        self._emit(self._stream.name, t_capture_ns, data, t_device_ns, reading.usable, seq)
