"""Grabbing frames from one ZED camera with ``pyzed.sl``, shared by the ``zed`` backend and the
Jetson publisher.

A stereo ZED X Mini opens with ``sl.Camera``/``sl.InitParameters`` and gives its left eye; a
mono ZED X One with ``sl.CameraOne``/``sl.InitParametersOne``. ``open()`` and ``grab()`` return
an ``sl.ERROR_CODE`` instead of raising; here a failure becomes a DeviceError naming the fix.
Images are BGRA uint8, row 0 at the top; the image timestamp is the host's Unix time (ns) at
exposure.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from types import ModuleType
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from devices.errors import DeviceError

Model = Literal["stereo", "mono"]
Resolution = Literal["HD1200", "HD1080", "SVGA"]

RESOLUTION_SIZES: dict[str, tuple[int, int]] = {
    "HD1200": (1920, 1200),
    "HD1080": (1920, 1080),
    "SVGA": (960, 600),
}
"""Image size (width, height) in pixels of the ZED X video modes: 15/30/60 fps at HD1200 and
HD1080, up to 120 fps at SVGA."""
SDK_MODULE = "pyzed.sl"
SDK_FIX = (
    "install the ZED SDK (stereolabs.com/developers/release) and its Python API "
    "(python3 /usr/local/zed/get_python_api.py) into this environment; the PyPI package "
    "'pyzed' is unrelated, uninstall it"
)
JETSON_FIX = (
    "ZED X cameras are GMSL2 and open only on an NVIDIA Jetson with a ZED Link card: run "
    "'python -m devices.zed.publisher' on the robot's Jetson and use backend = \"zmq\" here"
)
DIAGNOSTIC_FIX = "run /usr/local/zed/tools/ZED_Diagnostic on the camera's machine"
OPEN_FIXES = {
    "CAMERA_NOT_DETECTED": (
        "check the GMSL2 cable and the serial number (ZED_Explorer --all lists the cameras), "
        "and that no other process holds the camera"
    ),
    "NO_GPU_COMPATIBLE": JETSON_FIX,
    "NO_GPU_DETECTED": JETSON_FIX,
    "DRIVER_FAILURE": "sudo systemctl restart zed_x_daemon.service, then replug or reboot",
    "CANNOT_START_CAMERA_STREAM": "another process holds the camera: stop it",
    "CAMERA_EXCEEDS_BANDWIDTH": "lower the resolution or fps",
}
"""The fix for an ``sl.ERROR_CODE`` name returned by ``open()`` or ``grab()``."""
REBOOT_WAIT_S = 0.05
"""How long a grab waits before reporting a rebooting camera (s), so callers do not spin."""


class ZedSourceOptions(BaseModel):
    """Which ZED camera to open and its video mode."""

    model_config = ConfigDict(extra="forbid")

    model: Model = Field(description="stereo ZED X Mini (left eye) or mono ZED X One")
    serial: int | None = Field(None, ge=0, description="the camera's serial; None: the first")
    resolution: Resolution = "HD1080"
    fps: int = Field(30, gt=0, le=120, description="camera frame rate (Hz)")

    def describe(self) -> str:
        """The camera as people name it, for messages."""
        kind = "ZED X Mini (stereo)" if self.model == "stereo" else "ZED X One (mono)"
        return kind if self.serial is None else f"{kind} serial {self.serial}"


def fix_for(code: object) -> str:
    """The fix for an ``sl.ERROR_CODE``."""
    return OPEN_FIXES.get(getattr(code, "name", ""), DIAGNOSTIC_FIX)


@dataclass(frozen=True)
class GrabbedFrame:
    """One frame: ``bgra`` (H, W, 4) uint8 BGRA, row 0 at top, valid only until the next grab;
    ``frame_id`` counts the camera's frames since open, dropped ones included; ``t_device_ns``
    the exposure time (Unix ns, the camera host's clock); ``corrupted`` when the SDK flagged
    the image (CORRUPTED_FRAME: wrong colours)."""

    bgra: np.ndarray
    frame_id: int
    t_device_ns: int
    corrupted: bool = False


class ZedGrabber:
    """One opened ZED camera. ``sl`` is the imported ``pyzed.sl`` module."""

    def __init__(self, sl: ModuleType, options: ZedSourceOptions) -> None:
        self.sl = sl
        self.options = options
        stereo = options.model == "stereo"
        self._camera = sl.Camera() if stereo else sl.CameraOne()
        self._mat = sl.Mat()
        self._grabs = 0
        self.serial: int | None = None
        self.size = RESOLUTION_SIZES[options.resolution]

    def open(self) -> None:
        """Open the camera in its video mode; DeviceError naming the fix when it fails."""
        sl, options = self.sl, self.options
        init = sl.InitParameters() if options.model == "stereo" else sl.InitParametersOne()
        init.camera_resolution = getattr(sl.RESOLUTION, options.resolution)
        init.camera_fps = options.fps
        if options.serial is not None:
            init.set_from_serial_number(options.serial)
        code = self._camera.open(init)
        if code != sl.ERROR_CODE.SUCCESS:
            raise DeviceError(
                f"cannot open the {options.describe()}: {code.name}; fix: {fix_for(code)}"
            )
        information = self._camera.get_camera_information()
        self.serial = int(information.serial_number)
        resolution = information.camera_configuration.resolution
        self.size = (int(resolution.width), int(resolution.height))
        self._grabs = 0

    def grab(self) -> GrabbedFrame | None:
        """Wait for the next frame (the SDK blocks until it comes). None, after REBOOT_WAIT_S,
        while the camera reboots; DeviceError when it is lost or the image cannot be
        retrieved."""
        sl = self.sl
        code = self._camera.grab()
        if code == sl.ERROR_CODE.CAMERA_REBOOTING:
            time.sleep(REBOOT_WAIT_S)
            return None
        if code not in (sl.ERROR_CODE.SUCCESS, sl.ERROR_CODE.CORRUPTED_FRAME):
            raise DeviceError(
                f"the {self.options.describe()} stopped delivering frames: {code.name}; "
                f"fix: {fix_for(code)}"
            )
        retrieved = self._camera.retrieve_image(self._mat, sl.VIEW.LEFT)
        if retrieved != sl.ERROR_CODE.SUCCESS:
            raise DeviceError(
                f"cannot retrieve the {self.options.describe()}'s image: {retrieved.name}; "
                f"fix: {fix_for(retrieved)}"
            )
        bgra = self._mat.get_data()
        width, height = self.size
        if bgra.shape != (height, width, 4) or bgra.dtype != np.uint8:
            raise DeviceError(
                f"the {self.options.describe()} gave a {bgra.dtype}{bgra.shape} image, expected "
                f"uint8{(height, width, 4)} BGRA; fix: {DIAGNOSTIC_FIX}"
            )
        stamp = self._camera.get_timestamp(sl.TIME_REFERENCE.IMAGE).get_nanoseconds()
        frame_id = self._grabs + self.dropped()
        self._grabs += 1
        return GrabbedFrame(bgra, frame_id, stamp, code == sl.ERROR_CODE.CORRUPTED_FRAME)

    def dropped(self) -> int:
        """Frames the SDK dropped since open (the host did not grab them in time)."""
        return int(self._camera.get_frame_dropped_count())

    def close(self) -> None:
        """Close the camera; safe after a failed open."""
        self._camera.close()


def listed(sl: ModuleType, options: ZedSourceOptions) -> list[int]:
    """Serials of the connected cameras of ``options.model`` that the SDK lists."""
    if options.model == "stereo":
        devices = sl.Camera.get_device_list()
    else:
        devices = sl.CameraOne.get_device_list()
    return [int(device.serial_number) for device in devices]
