"""VIVE tracker through OpenVR on this machine (SteamVR running here), backend ``openvr``.

Uses pyopenvr (``pip install 'dexstation[vive]'``) as a background application: SteamVR must
already be running. Both wrist trackers share the process's OpenVR session
(:mod:`devices.vive.session`); each finds its tracker by serial and polls
``getDeviceToAbsoluteTrackingPose(TrackingUniverseStanding, 0.0, ...)`` at ``rate_hz`` from its
own worker thread.
"""

from __future__ import annotations

import time
from collections.abc import Mapping

from devices.errors import DeviceError
from devices.hardware import Finding, import_sdk, sdk_finding
from devices.registry import BuildContext
from devices.trackers import TrackerInfo, battery_text
from devices.vive.discovery import discover_trackers
from devices.vive.session import (
    INSTALL_FIX,
    VIVE_FIX,
    OpenVRSession,
    SessionError,
    TrackerSlot,
    acquire,
    release,
)
from devices.vive.tracker_device import (
    PAIR_FIX,
    ViveTracker,
    ViveTrackerOptions,
    tracker_finding,
)

DETAILS_REFRESH_S = 30.0
"""How often the battery charge and model shown in :meth:`OpenVRTracker.info` are re-read (s)."""


class OpenVRTracker(ViveTracker):
    """One wrist tracker read from SteamVR on this machine.

    OpenVR poses carry no device timestamp: ``t_capture_ns`` is the station's monotonic time
    just before the pose was read (OpenVR is asked for the pose "now", prediction 0 s) and
    ``t_device_ns`` is None. A tracker that disconnects mid-stream yields one invalid sample
    and then the device reconnects, waiting for the tracker to come back.
    """

    backend = "openvr"
    Options = ViveTrackerOptions

    def __init__(self, name: str, options: ViveTrackerOptions, context: BuildContext) -> None:
        super().__init__(name, options)
        self._session: OpenVRSession | None = None
        self._details: dict[str, str] = {}
        self._details_due_ns = 0

    def info(self) -> dict[str, str]:
        """Serial, and while connected the battery charge and model number."""
        return {**super().info(), **self._details}

    @classmethod
    def census(cls, options: ViveTrackerOptions, timeout_s: float) -> list[TrackerInfo]:
        """Every tracker SteamVR knows of, with battery and pose (:func:`discover_trackers`)."""
        return discover_trackers(timeout_s)

    @classmethod
    def diagnose(cls, options: ViveTrackerOptions, timeout_s: float) -> list[Finding]:
        """openvr importable, the runtime installed, SteamVR running, the tracker connected
        (listing every tracker SteamVR knows with its battery)."""
        findings = [sdk_finding("openvr", VIVE_FIX)]
        if not findings[0].ok:
            return findings
        openvr = import_sdk("openvr", VIVE_FIX)
        installed = bool(openvr.isRuntimeInstalled())
        findings.append(
            Finding(
                "OpenVR runtime installed", installed, "yes" if installed else "no", INSTALL_FIX
            )
        )
        if not installed:
            return findings
        try:
            trackers = discover_trackers(timeout_s, openvr)
        except SessionError as exc:
            return [*findings, Finding("SteamVR running", False, exc.detail, exc.fix)]
        seen = {t.serial: t.state for t in trackers}
        found = any(t.serial == options.serial and t.connected for t in trackers)
        return [
            *findings,
            Finding("SteamVR running", True, "yes"),
            tracker_finding(options, seen, found, "in SteamVR"),
        ]

    def _connect(self) -> None:
        openvr = import_sdk("openvr", VIVE_FIX)
        self._session = acquire(openvr)
        self._read_details(self._slot(self._session.trackers()))

    def _stream_until_lost(self) -> None:
        session = self._session
        assert session is not None
        period_ns = int(1e9 / self.options.rate_hz)
        deadline = time.monotonic_ns()
        while not self._stop.is_set():
            poll = session.poll()
            slot = self._slot(poll.trackers)
            self._emit_reading(poll.reading(slot), poll.t_monotonic_ns)
            if not poll.connected(slot):
                raise DeviceError(
                    f"tracker {self.serial} disconnected (switched off, battery empty or out of "
                    f"its dongle's range); fix: {PAIR_FIX}"
                )
            if poll.t_monotonic_ns >= self._details_due_ns:
                self._read_details(slot)
            deadline = max(deadline + period_ns, time.monotonic_ns())
            self._stop.wait((deadline - time.monotonic_ns()) * 1e-9)

    def _disconnect(self) -> None:
        self._details = {}
        if self._session is not None:
            release(self._session)
            self._session = None

    def _slot(self, trackers: Mapping[str, TrackerSlot]) -> TrackerSlot:
        slot = trackers.get(self.serial)
        if slot is None or not slot.connected:
            states = {s: "connected" if t.connected else "off" for s, t in trackers.items()}
            raise self._missing(states, "in SteamVR")
        return slot

    def _read_details(self, slot: TrackerSlot) -> None:
        session = self._session
        assert session is not None
        model = session.model(slot.index)
        self._details = {
            "battery": battery_text(session.battery(slot.index)),
            **({"model": model} if model else {}),
        }
        self._details_due_ns = time.monotonic_ns() + int(DETAILS_REFRESH_S * 1e9)
