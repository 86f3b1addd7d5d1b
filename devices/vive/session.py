"""The process's one OpenVR session, shared by every user of the trackers (both wrist trackers,
discovery, the pose sender) and shut down when the last one releases it.

OpenVR allows one ``openvr.init`` per process. A background application
(``VRApplication_Background``) needs SteamVR already running and never starts it. Tracked
device indices change as devices come and go, so trackers are keyed by serial: the generic
trackers are scanned at init and again whenever OpenVR posts
``VREvent_TrackedDeviceActivated`` or ``VREvent_TrackedDeviceDeactivated``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from devices.errors import DeviceError
from devices.vive.readings import TrackerReading, reading_from_openvr

VIVE_FIX = "pip install 'dexstation[vive]'"
INSTALL_FIX = (
    "install SteamVR (Steam > Library > Tools) and start it once as this user, or run "
    '`python -m devices.vive.pose_sender` on the SteamVR machine and use backend "zmq"'
)
START_FIX = (
    "start SteamVR; without a headset, set in steamvr.vrsettings "
    '"steamvr": {"requireHmd": false, "forcedDriver": "null", '
    '"activateMultipleDrivers": true} and enable the null driver'
)


class SessionError(DeviceError):
    """OpenVR could not be opened or was lost: ``detail`` says why, ``fix`` what to do."""

    def __init__(self, detail: str, fix: str) -> None:
        super().__init__(f"{detail}; fix: {fix}")
        self.detail = detail
        self.fix = fix


@dataclass(frozen=True, slots=True)
class TrackerSlot:
    """A generic tracker OpenVR knows of: its device index now and whether it is connected."""

    serial: str
    index: int
    connected: bool


@dataclass(frozen=True, slots=True)
class PosePoll:
    """Every device's pose at one instant, stamped on the station's monotonic clock and on the
    Unix clock (ns) just before OpenVR was asked; ``trackers`` by serial."""

    t_monotonic_ns: int
    t_unix_ns: int
    trackers: Mapping[str, TrackerSlot]
    poses: Any

    def reading(self, slot: TrackerSlot) -> TrackerReading:
        return reading_from_openvr(slot.serial, self.poses[slot.index])

    def connected(self, slot: TrackerSlot) -> bool:
        """Whether the device was connected at this poll (``bDeviceIsConnected``)."""
        return bool(self.poses[slot.index].bDeviceIsConnected)


def _init_error(openvr: ModuleType, exc: Exception) -> SessionError:
    codes = openvr.error_code
    if isinstance(exc, codes.InitError_Init_PathRegistryNotFound):
        return SessionError(
            "SteamVR is not installed for this user (InitError_Init_PathRegistryNotFound: no "
            "openvrpaths.vrpath)",
            INSTALL_FIX,
        )
    if isinstance(exc, codes.InitError_Init_NoServerForBackgroundApp):
        return SessionError(
            "SteamVR is not running (InitError_Init_NoServerForBackgroundApp)", START_FIX
        )
    return SessionError(
        f"OpenVR init failed ({type(exc).__name__})",
        "restart SteamVR and read the error in its status window",
    )


class OpenVRSession:
    """An initialised OpenVR system. Every call into OpenVR holds the session's lock, so the
    trackers' worker threads may share it. Obtain it with :func:`acquire`."""

    def __init__(self, openvr: ModuleType) -> None:
        if not openvr.isRuntimeInstalled():
            raise SessionError("the OpenVR runtime (SteamVR) is not installed", INSTALL_FIX)
        try:
            self.vr = openvr.init(openvr.VRApplication_Background)
        except openvr.OpenVRError as exc:
            raise _init_error(openvr, exc) from exc
        self.openvr = openvr
        self.users = 0
        self.quit = False
        self._lock = threading.Lock()
        self._event = openvr.VREvent_t()
        self._trackers = self._scan()

    def trackers(self) -> dict[str, TrackerSlot]:
        """The generic trackers by serial, rescanned when OpenVR said one came or went. A
        serial seen in several slots (it came back at another index) maps to its connected
        one."""
        with self._lock:
            self._handle_events()
            return dict(self._trackers)

    def poll(self) -> PosePoll:
        """Handle pending events, then read every device's pose in the standing universe now.

        Raises SessionError once SteamVR has quit.
        """
        openvr = self.openvr
        poses = (openvr.TrackedDevicePose_t * openvr.k_unMaxTrackedDeviceCount)()
        with self._lock:
            self._handle_events()
            t_monotonic_ns, t_unix_ns = time.monotonic_ns(), time.time_ns()
            self.vr.getDeviceToAbsoluteTrackingPose(openvr.TrackingUniverseStanding, 0.0, poses)
            return PosePoll(t_monotonic_ns, t_unix_ns, dict(self._trackers), poses)

    def battery(self, index: int) -> float | None:
        """The device's battery charge (0..1), or None when it reports none."""
        prop = self.openvr.Prop_DeviceBatteryPercentage_Float
        return self._property(self.vr.getFloatTrackedDeviceProperty, index, prop)

    def model(self, index: int) -> str | None:
        """The device's model number (e.g. ``VIVE Tracker Pro MV``), or None."""
        prop = self.openvr.Prop_ModelNumber_String
        return self._property(self.vr.getStringTrackedDeviceProperty, index, prop)

    def _property(self, read: Any, index: int, prop: int) -> Any:
        with self._lock:
            try:
                return read(index, prop)
            except self.openvr.error_code.TrackedPropertyError:
                return None

    def _handle_events(self) -> None:
        openvr, rescan = self.openvr, False
        while self.vr.pollNextEvent(self._event):
            kind = self._event.eventType
            if kind == openvr.VREvent_Quit:
                self.vr.acknowledgeQuit_Exiting()
                self.quit = True
            rescan |= kind in (
                openvr.VREvent_TrackedDeviceActivated,
                openvr.VREvent_TrackedDeviceDeactivated,
            )
        if self.quit:
            raise SessionError("SteamVR quit", START_FIX)
        if rescan:
            self._trackers = self._scan()

    def _scan(self) -> dict[str, TrackerSlot]:
        openvr, vr = self.openvr, self.vr
        found = {}
        for index in range(openvr.k_unMaxTrackedDeviceCount):
            if vr.getTrackedDeviceClass(index) != openvr.TrackedDeviceClass_GenericTracker:
                continue
            try:
                serial = vr.getStringTrackedDeviceProperty(index, openvr.Prop_SerialNumber_String)
            except openvr.error_code.TrackedPropertyError:
                continue
            connected = bool(vr.isTrackedDeviceConnected(index))
            if connected or serial not in found:
                found[serial] = TrackerSlot(serial, index, connected)
        return found


_shared_lock = threading.Lock()
_shared: OpenVRSession | None = None


def acquire(openvr: ModuleType) -> OpenVRSession:
    """The process's OpenVR session, initialised on first use. Pair with :func:`release`.

    Raises SessionError (naming the fix) when OpenVR cannot be initialised, or while a session
    whose SteamVR quit is still held by another user.
    """
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = OpenVRSession(openvr)
        elif _shared.quit:
            raise SessionError("SteamVR quit", START_FIX)
        _shared.users += 1
        return _shared


def release(session: OpenVRSession) -> None:
    """Give the session back; the last user's release shuts OpenVR down."""
    global _shared
    with _shared_lock:
        session.users -= 1
        if session.users == 0:
            session.openvr.shutdown()
            _shared = None
