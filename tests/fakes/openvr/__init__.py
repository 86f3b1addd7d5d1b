"""Fake ``openvr`` (pyopenvr 2.x) for tests: the subset of its API the VIVE backends use.

Names, signatures, ctypes structures and return conventions follow pyopenvr: ``init`` returns
an ``IVRSystem``; boolean C results come back as ints (``openvr_bool`` is ``c_ubyte``) except
``pollNextEvent``, which returns a bool; failures raise subclasses of ``OpenVRError`` from
``openvr.error_code``. The poses the fake serves are float32, as OpenVR's are.

Tests control the simulated SteamVR through :data:`fake_runtime` (not part of pyopenvr): add and
switch off trackers, set their poses, make ``init`` fail, post events, quit SteamVR.
"""

from __future__ import annotations

import threading
from ctypes import Structure, c_float, c_ubyte, c_uint32

import numpy as np

import openvr.error_code
from openvr.error_code import OpenVRError as OpenVRError

__version__ = "2.12.1401"

ENUM_VALUE_TYPE = int
openvr_bool = c_ubyte
ETrackingResult = c_uint32
TrackedDeviceIndex_t = c_uint32

k_unMaxTrackedDeviceCount = 64

TrackingResult_Uninitialized = ENUM_VALUE_TYPE(1)
TrackingResult_Calibrating_InProgress = ENUM_VALUE_TYPE(100)
TrackingResult_Calibrating_OutOfRange = ENUM_VALUE_TYPE(101)
TrackingResult_Running_OK = ENUM_VALUE_TYPE(200)
TrackingResult_Running_OutOfRange = ENUM_VALUE_TYPE(201)
TrackingResult_Fallback_RotationOnly = ENUM_VALUE_TYPE(300)

TrackedDeviceClass_Invalid = ENUM_VALUE_TYPE(0)
TrackedDeviceClass_HMD = ENUM_VALUE_TYPE(1)
TrackedDeviceClass_Controller = ENUM_VALUE_TYPE(2)
TrackedDeviceClass_GenericTracker = ENUM_VALUE_TYPE(3)
TrackedDeviceClass_TrackingReference = ENUM_VALUE_TYPE(4)

TrackingUniverseSeated = ENUM_VALUE_TYPE(0)
TrackingUniverseStanding = ENUM_VALUE_TYPE(1)
TrackingUniverseRawAndUncalibrated = ENUM_VALUE_TYPE(2)

Prop_ModelNumber_String = ENUM_VALUE_TYPE(1001)
Prop_SerialNumber_String = ENUM_VALUE_TYPE(1002)
Prop_DeviceBatteryPercentage_Float = ENUM_VALUE_TYPE(1012)

VREvent_TrackedDeviceActivated = ENUM_VALUE_TYPE(100)
VREvent_TrackedDeviceDeactivated = ENUM_VALUE_TYPE(101)
VREvent_TrackedDeviceUpdated = ENUM_VALUE_TYPE(102)
VREvent_Quit = ENUM_VALUE_TYPE(700)

VRApplication_Other = ENUM_VALUE_TYPE(0)
VRApplication_Scene = ENUM_VALUE_TYPE(1)
VRApplication_Overlay = ENUM_VALUE_TYPE(2)
VRApplication_Background = ENUM_VALUE_TYPE(3)


class HmdMatrix34_t(Structure):
    """3x4 [R|t] row-major, m; right-handed, +y up, -z forward. ``m[i][j]`` indexing."""

    _fields_ = [("m", (c_float * 4) * 3)]

    def __getitem__(self, key):
        return self.m[key]

    def __len__(self):
        return len(self.m)


class HmdVector3_t(Structure):
    _fields_ = [("v", c_float * 3)]

    def __getitem__(self, key):
        return self.v[key]


class TrackedDevicePose_t(Structure):
    """describes a single pose for a tracked object"""

    _fields_ = [
        ("mDeviceToAbsoluteTracking", HmdMatrix34_t),
        ("vVelocity", HmdVector3_t),
        ("vAngularVelocity", HmdVector3_t),
        ("eTrackingResult", ETrackingResult),
        ("bPoseIsValid", openvr_bool),
        ("bDeviceIsConnected", openvr_bool),
    ]


class VREvent_t(Structure):
    """An event posted by the server to all running applications (without the data union)."""

    _fields_ = [
        ("eventType", c_uint32),
        ("trackedDeviceIndex", TrackedDeviceIndex_t),
        ("eventAgeSeconds", c_float),
    ]


class _FakeDevice:
    def __init__(self, device_class: int, serial: str, battery: float | None, model: str):
        self.device_class = device_class
        self.serial = serial
        self.battery = battery
        self.model = model
        self.connected = True
        self.pose = np.hstack([np.eye(3), np.zeros((3, 1))])
        self.valid = True
        self.tracking_result = TrackingResult_Running_OK


class FakeRuntime:
    """The simulated SteamVR behind the fake module. Thread-safe; :meth:`reset` between tests."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        """Installed and running, no devices, no events, not initialised."""
        with self._lock:
            self.installed = True
            self.init_error: type[openvr.error_code.InitError] | None = None
            self.devices: dict[int, _FakeDevice] = {}
            self.events: list[tuple[int, int]] = []
            self.initialized = False
            self.init_calls = 0
            self.shutdown_calls = 0
            self.origins: set[int] = set()
            self.application_types: list[int] = []

    def add_device(
        self,
        serial: str,
        device_class: int = TrackedDeviceClass_GenericTracker,
        battery: float | None = 0.8,
        model: str = "VIVE Tracker Pro MV",
        index: int | None = None,
    ) -> int:
        """Switch a device on at ``index`` (default: the first free slot) and post
        ``VREvent_TrackedDeviceActivated``. Returns the index."""
        with self._lock:
            if index is None:
                index = next(i for i in range(k_unMaxTrackedDeviceCount) if i not in self.devices)
            self.devices[index] = _FakeDevice(device_class, serial, battery, model)
            self.events.append((VREvent_TrackedDeviceActivated, index))
            return index

    def switch_off(self, serial: str) -> None:
        """The device disconnects; its slot keeps its class and serial, as OpenVR's does."""
        with self._lock:
            index = self._index(serial)
            self.devices[index].connected = False
            self.events.append((VREvent_TrackedDeviceDeactivated, index))

    def switch_on(self, serial: str) -> None:
        with self._lock:
            index = self._index(serial)
            self.devices[index].connected = True
            self.events.append((VREvent_TrackedDeviceActivated, index))

    def move(self, serial: str, index: int) -> None:
        """The device comes back at another ``index``, as after a re-pairing: the old slot keeps
        its class and serial, disconnected, as OpenVR's does."""
        with self._lock:
            old = self._index(serial)
            device = self.devices[old]
            stale = _FakeDevice(device.device_class, serial, device.battery, device.model)
            stale.connected = False
            self.devices[old] = stale
            self.devices[index] = device
            self.events += [(VREvent_TrackedDeviceDeactivated, old)]
            self.events += [(VREvent_TrackedDeviceActivated, index)]

    def set_pose(
        self,
        serial: str,
        pose: np.ndarray,
        valid: bool = True,
        tracking_result: int = TrackingResult_Running_OK,
    ) -> None:
        """The device's pose: a 3x4 or 4x4 T_universe_device (m) in the standing universe."""
        with self._lock:
            device = self.devices[self._index(serial)]
            device.pose = np.asarray(pose, dtype=np.float64)[:3, :4].copy()
            device.valid = valid
            device.tracking_result = tracking_result

    def post_event(self, event_type: int, index: int = 0) -> None:
        with self._lock:
            self.events.append((event_type, index))

    def _index(self, serial: str) -> int:
        """The slot of the connected device with ``serial`` (else its last slot)."""
        slots = [i for i, d in sorted(self.devices.items()) if d.serial == serial]
        return next((i for i in slots if self.devices[i].connected), slots[-1])


fake_runtime = FakeRuntime()
"""The simulated SteamVR the fake module talks to."""


def _device(index: int) -> _FakeDevice | None:
    return fake_runtime.devices.get(int(index))


def _check_initialized() -> None:
    if not fake_runtime.initialized:
        raise RuntimeError("fake openvr: IVRSystem used without init() (or after shutdown())")


def _property_error(code: int) -> None:
    openvr.error_code.TrackedPropertyError.check_error_value(code)


class IVRSystem:
    """The subset of pyopenvr's IVRSystem that tracker applications use."""

    def getTrackedDeviceClass(self, deviceIndex):
        _check_initialized()
        device = _device(deviceIndex)
        return TrackedDeviceClass_Invalid if device is None else device.device_class

    def isTrackedDeviceConnected(self, deviceIndex):
        _check_initialized()
        device = _device(deviceIndex)
        return int(device is not None and device.connected)

    def getStringTrackedDeviceProperty(self, deviceIndex, prop):
        _check_initialized()
        device = _device(deviceIndex)
        if device is None:
            _property_error(5)
        if prop == Prop_SerialNumber_String:
            return device.serial
        if prop == Prop_ModelNumber_String:
            return device.model
        _property_error(4)

    def getFloatTrackedDeviceProperty(self, deviceIndex, prop):
        _check_initialized()
        device = _device(deviceIndex)
        if device is None:
            _property_error(5)
        if prop != Prop_DeviceBatteryPercentage_Float:
            _property_error(4)
        if device.battery is None:
            _property_error(7)
        return float(c_float(device.battery).value)

    def getDeviceToAbsoluteTrackingPose(
        self, origin, predictedSecondsToPhotonsFromNow: float, trackedDevicePoseArray
    ):
        _check_initialized()
        with fake_runtime._lock:
            fake_runtime.origins.add(int(origin))
            if trackedDevicePoseArray is None:
                return None
            for index in range(len(trackedDevicePoseArray)):
                _fill(trackedDevicePoseArray[index], fake_runtime.devices.get(index))
        return trackedDevicePoseArray

    def pollNextEvent(self, event):
        _check_initialized()
        with fake_runtime._lock:
            if not fake_runtime.events:
                return False
            event.eventType, event.trackedDeviceIndex = fake_runtime.events.pop(0)
            event.eventAgeSeconds = 0.0
            return True

    def acknowledgeQuit_Exiting(self) -> None:
        _check_initialized()


def _fill(pose: TrackedDevicePose_t, device: _FakeDevice | None) -> None:
    if device is None or not device.connected:
        pose.bPoseIsValid = 0
        pose.bDeviceIsConnected = 0
        pose.eTrackingResult = TrackingResult_Uninitialized
        return
    for i in range(3):
        for j in range(4):
            pose.mDeviceToAbsoluteTracking.m[i][j] = device.pose[i, j]
    pose.bPoseIsValid = int(device.valid)
    pose.bDeviceIsConnected = 1
    pose.eTrackingResult = device.tracking_result


def init(applicationType, pStartupInfo=None):
    """Connect to the (fake) vrserver; raises the InitError set in ``fake_runtime.init_error``,
    or ``InitError_Init_PathRegistryNotFound`` when the runtime is not installed."""
    with fake_runtime._lock:
        if fake_runtime.initialized:
            raise RuntimeError("fake openvr: init() called twice without shutdown()")
        fake_runtime.init_calls += 1
        fake_runtime.application_types.append(int(applicationType))
        error = fake_runtime.init_error
        if not fake_runtime.installed:
            error = openvr.error_code.InitError_Init_PathRegistryNotFound
        if error is not None:
            raise error(
                next(k for k, v in openvr.error_code.InitError.error_index.items() if v is error)
            )
        fake_runtime.initialized = True
    return IVRSystem()


def shutdown():
    with fake_runtime._lock:
        fake_runtime.shutdown_calls += 1
        fake_runtime.initialized = False


def isRuntimeInstalled():
    """Returns true if the OpenVR runtime is installed."""
    return int(fake_runtime.installed)


def isHmdPresent():
    return int(any(d.device_class == TrackedDeviceClass_HMD for d in fake_runtime.devices.values()))
