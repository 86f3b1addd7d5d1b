"""The fake ZED SDK's hardware: which cameras are plugged in and how they behave.

Tests add cameras with :func:`plug`, then change a camera's fields while it streams (unplug
it, make its grabs fail, have it drop frames); :func:`reset` empties the rig.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass, field

import numpy as np

RESOLUTIONS = {
    "HD4K": (3840, 2160),
    "QHDPLUS": (3200, 1800),
    "HD2K": (2208, 1242),
    "HD1080": (1920, 1080),
    "HD1200": (1920, 1200),
    "HD1536": (1920, 1536),
    "HD720": (1280, 720),
    "SVGA": (960, 600),
    "VGA": (672, 376),
}
"""Image size (width, height) of each ``sl.RESOLUTION`` name, as the SDK documents them."""
CAPTURE_LATENCY_NS = 20_000_000
"""How long before ``grab()`` returns the image was exposed (ns), as the image timestamp says."""


@dataclass
class RigCamera:
    """One plugged-in camera. ``stereo`` cameras open with ``sl.Camera``, mono ones with
    ``sl.CameraOne``. ``open_error`` (an ``ERROR_CODE`` name) is what ``open()`` returns;
    ``grab_results`` are ``ERROR_CODE`` names returned by the next grabs, in order, before
    grabs succeed again; ``unplugged`` makes every grab time out with CAMERA_NOT_DETECTED;
    every ``drop_every``-th frame is dropped by the SDK (counted, never returned)."""

    serial: int
    stereo: bool
    open_error: str | None = None
    grab_results: deque[str] = field(default_factory=deque)
    unplugged: bool = False
    drop_every: int = 0
    opened: threading.Event = field(default_factory=threading.Event)

    def image(self, width: int, height: int, frame: int) -> np.ndarray:
        """The BGRA frame the camera sees: blue 10, green 20 + frame mod 200, red 200 + serial
        mod 50, alpha 255, with the top tenth white so that flips show."""
        bgra = np.empty((height, width, 4), dtype=np.uint8)
        bgra[...] = (10, 20 + frame % 200, 200 + self.serial % 50, 255)
        bgra[: max(height // 10, 1)] = 255
        return bgra


@dataclass
class Rig:
    """Every camera on the machine and whether it has a CUDA GPU the SDK accepts."""

    cameras: list[RigCamera] = field(default_factory=list)
    gpu: bool = True


rig = Rig()


def plug(serial: int, stereo: bool, grab_results: tuple[str, ...] = (), **behaviour) -> RigCamera:
    """Plug in a camera and return it, so a test can change its behaviour later."""
    camera = RigCamera(serial, stereo, grab_results=deque(grab_results), **behaviour)
    rig.cameras.append(camera)
    return camera


def reset() -> None:
    """Unplug everything and give the machine its GPU back."""
    rig.cameras.clear()
    rig.gpu = True
