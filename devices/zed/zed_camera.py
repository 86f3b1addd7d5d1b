"""ZED camera through ``pyzed.sl`` on the machine it is wired to, backend ``zed``.

A stereo ZED X Mini gives its left eye, a mono ZED X One its only image. Frames are grabbed
at the camera's video mode, converted from BGRA to RGB and resized on the host to the
configured size (nearest neighbour, see :mod:`devices.zed.resize` for the cost). The image
timestamp (Unix ns at exposure, this machine's clock) is ``t_device_ns``; the same instant on
the station clock is ``t_capture_ns``. Frame ids count the camera's frames since open,
including the ones the SDK dropped, so the recorder sees drops as gaps.

ZED X cameras are GMSL2: they open only on an NVIDIA Jetson with a ZED Link card. A desktop
station reads them from the Jetson publisher instead (backend ``zmq``).
"""

from __future__ import annotations

import threading
import time
from typing import Any

from devices.errors import DeviceError
from devices.hardware import Finding, import_sdk, sdk_finding
from devices.registry import BuildContext
from devices.zed.camera_device import RealCamera, RealCameraOptions, unix_to_station_ns
from devices.zed.grabber import (
    DIAGNOSTIC_FIX,
    OPEN_FIXES,
    SDK_FIX,
    SDK_MODULE,
    ZedGrabber,
    ZedSourceOptions,
    listed,
)
from devices.zed.resize import BGRA_TO_RGB, FrameResizer


class ZedCamera(RealCamera):
    """One ZED camera opened with pyzed, emitting ``camera_{name}``."""

    backend = "zed"

    class Options(RealCameraOptions, ZedSourceOptions):
        """The camera (model, serial, video mode, fps) and the emitted image size."""

    def __init__(self, name: str, options: Options, context: BuildContext) -> None:
        super().__init__(name, options, float(options.fps))
        self.options = options
        self._resizer = FrameResizer(options.width, options.height, BGRA_TO_RGB)
        self._grabber: ZedGrabber | None = None
        self.serial: int | None = None

    def info(self) -> dict[str, str]:
        info = {
            **super().info(),
            "model": self.options.model,
            "video_mode": f"{self.options.resolution}@{self.options.fps}",
        }
        if self.serial is not None:
            info["serial"] = str(self.serial)
        return info

    def _connect(self) -> None:
        sl = import_sdk(SDK_MODULE, SDK_FIX)
        self._grabber = ZedGrabber(sl, self.options)
        self._grabber.open()
        self.serial = self._grabber.serial
        self._restart_frame_ids()

    def _stream_until_lost(self) -> None:
        grabber = self._grabber
        assert grabber is not None
        timeout_ns = round(self.options.timeout_s * 1e9)
        last_ns = time.monotonic_ns()
        while not self._stop.is_set():
            frame = grabber.grab()
            if frame is None:
                if time.monotonic_ns() - last_ns > timeout_ns:
                    raise DeviceError(
                        f"the {self.options.describe()} has been rebooting for more than "
                        f"{self.options.timeout_s:g} s; fix: {DIAGNOSTIC_FIX}"
                    )
                continue
            last_ns = time.monotonic_ns()
            self._emit_frame(
                self._resizer(frame.bgra),
                frame.frame_id,
                unix_to_station_ns(frame.t_device_ns),
                frame.t_device_ns,
                valid=not frame.corrupted,
            )

    def _disconnect(self) -> None:
        if self._grabber is not None:
            self._grabber.close()
        self._grabber = None

    @classmethod
    def diagnose(cls, options: Any, timeout_s: float) -> list[Finding]:
        finding = sdk_finding(SDK_MODULE, SDK_FIX)
        if not finding.ok:
            return [finding]
        sl = import_sdk(SDK_MODULE, SDK_FIX)
        return [finding, _listed_finding(sl, options), _frame_finding(sl, options, timeout_s)]


def _listed_finding(sl: Any, options: ZedSourceOptions) -> Finding:
    """Whether the SDK lists the camera."""
    serials = listed(sl, options)
    check = f"{options.describe()} listed by the ZED SDK"
    found = serials if options.serial is None else [s for s in serials if s == options.serial]
    if found:
        return Finding(check, True, f"serial {found[0]}")
    detail = f"listed {options.model} cameras: {', '.join(map(str, serials)) or 'none'}"
    return Finding(check, False, detail, OPEN_FIXES["CAMERA_NOT_DETECTED"])


def _frame_finding(sl: Any, options: ZedSourceOptions, timeout_s: float) -> Finding:
    """Open the camera and grab one frame within ``timeout_s`` (s). The probe runs on its own
    thread so that a hanging SDK call cannot hold the doctor; such a thread closes the camera
    when the call returns."""
    check = f"a frame from the {options.describe()}"
    result: list[Finding] = []

    def probe() -> None:
        grabber = ZedGrabber(sl, options)
        try:
            grabber.open()
            if grabber.grab() is None:
                result.append(Finding(check, False, "the camera is rebooting", DIAGNOSTIC_FIX))
            else:
                width, height = grabber.size
                detail = f"{width}x{height} BGRA from serial {grabber.serial}"
                result.append(Finding(check, True, detail))
        except DeviceError as exc:
            detail, _, fix = str(exc).partition("; fix: ")
            result.append(Finding(check, False, detail, fix))
        finally:
            grabber.close()

    worker = threading.Thread(target=probe, name="zed-doctor", daemon=True)
    worker.start()
    worker.join(timeout_s)
    if result:
        return result[0]
    return Finding(check, False, f"no frame within {timeout_s:g} s", DIAGNOSTIC_FIX)
