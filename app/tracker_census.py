"""Which wrist trackers the station can see, configured or not, for assigning the roles.

A first calibration cannot rely on the configured trackers: before the roles are assigned
their serials are unset or wrong, so those devices stream nothing. Each distinct tracker
source of the configuration (a SteamVR runtime, a pose sender's endpoint) is asked for every
tracker it knows (:meth:`devices.trackers.WristTracker.census`), with its battery where the
source reports one; the configured trackers' latest poses fill in for sources that cannot
list trackers (simulated, replayed).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from app.config import StationConfig
from devices.errors import DeviceError
from devices.registry import backend_class
from devices.trackers import TrackerInfo

CENSUS_TIMEOUT_S = 0.5
"""How long each source may take to report (s)."""


@dataclass
class Census:
    """The trackers seen, sorted by serial, and the sources that could not be asked (each
    message names the source and the fix)."""

    trackers: list[TrackerInfo]
    problems: list[str] = field(default_factory=list)

    def poses(self) -> dict[str, np.ndarray]:
        """Serial -> T_universe_tracker (4x4, m) of every tracked tracker."""
        return {t.serial: t.pose for t in self.trackers if t.pose is not None}

    def describe(self) -> str:
        """One line per tracker ("LHR-1A2B3C4D  connected, battery 80 %"), then problems."""
        lines = [f"{t.serial}  {t.state}" for t in self.trackers] or ["no trackers seen"]
        return "\n".join(lines + self.problems)


def take_census(
    config: StationConfig,
    configured_poses: Mapping[str, np.ndarray],
    timeout_s: float = CENSUS_TIMEOUT_S,
) -> Census:
    """Ask every distinct tracker source of ``config``; ``configured_poses`` (serial -> 4x4
    pose, universe, m) are the configured trackers' latest valid poses."""
    sources = {}
    for name, entry in config.devices_of("tracker").items():
        cls = backend_class(entry.family, entry.backend)
        options = cls.Options.model_validate(entry.options)
        sources.setdefault((entry.backend, getattr(options, "endpoint", "")), (name, cls, options))
    found: dict[str, TrackerInfo] = {}
    problems = []
    for name, cls, options in sources.values():
        try:
            for info in cls.census(options, timeout_s):
                found.setdefault(info.serial, info)
        except DeviceError as exc:
            problems.append(f"{name}: {exc}")
    for serial, pose in configured_poses.items():
        found.setdefault(serial, TrackerInfo(serial, None, True, pose))
    return Census(sorted(found.values(), key=lambda info: info.serial), problems)
