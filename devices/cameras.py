"""Cameras: RGB frames with frame ids and device timestamps."""

from __future__ import annotations

from devices.device import Device
from devices.streams import FieldSpec, StreamSpec


def camera_stream(name: str, width: int, height: int, fps: float) -> StreamSpec:
    """Stream ``camera_{name}``: HxWx3 uint8 RGB image (stored as JPEG) and its frame id."""
    return StreamSpec(
        f"camera_{name}",
        "camera",
        fps,
        {
            "image": FieldSpec((height, width, 3), "uint8", "u8", "RGB, row 0 at top", "jpeg"),
            "frame_id": FieldSpec((), "int64", "1", "device frame counter"),
        },
    )


class Camera(Device):
    """One camera (head stereo left eye or a wrist camera)."""

    family = "camera"

    def __init__(self, name: str, width: int, height: int, fps: float, **kwargs) -> None:
        super().__init__(name, **kwargs)
        self.width, self.height, self.fps = width, height, fps
