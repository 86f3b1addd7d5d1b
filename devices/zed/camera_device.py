"""What the real camera backends share: output size and rate, frame ids as sample seqs (a
gap is a dropped frame), the emitted sample, and Unix-to-station time.

A backend hands :meth:`RealCamera._emit_frame` an HxWx3 uint8 RGB frame (row 0 at top) of
the configured size; it is emitted on ``camera_{name}`` exactly as the simulated camera
emits it: fields ``image`` and ``frame_id`` (the device's frame counter).
"""

from __future__ import annotations

import time

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from devices.cameras import Camera, camera_stream
from devices.faults import FaultSpec
from devices.hardware import HardwareDevice
from devices.streams import StreamSpec


def unix_to_station_ns(t_unix_ns: int) -> int:
    """A Unix time (ns) of this machine on the station's monotonic clock, by the offset
    between the two clocks measured now."""
    return t_unix_ns - (time.time_ns() - time.monotonic_ns())


class RealCameraOptions(BaseModel):
    """Options every real camera backend takes: the size frames are emitted at (pixels), loss
    and retry times (s) and injected faults."""

    model_config = ConfigDict(extra="forbid")

    width: int = Field(1280, gt=0, description="emitted image width (pixels)")
    height: int = Field(720, gt=0, description="emitted image height (pixels)")
    timeout_s: float = Field(
        1.0, gt=0.0, description="no frame for this long (s): the camera is lost, reconnect"
    )
    retry_s: float = Field(2.0, gt=0.0, description="wait between connection attempts (s)")
    faults: FaultSpec = Field(default_factory=FaultSpec)


class RealCamera(Camera, HardwareDevice):
    """A camera behind an SDK or a bridge, emitting ``camera_{name}``.

    Sample seqs follow the device's frame ids, so the recorder counts the frames the camera
    or the network dropped; when the ids start over (a reopened camera, a restarted
    publisher) seqs continue after the last one.
    """

    def __init__(self, name: str, options: RealCameraOptions, fps: float) -> None:
        super().__init__(
            name,
            options.width,
            options.height,
            fps,
            retry_s=options.retry_s,
            faults=options.faults,
        )
        self._stream = camera_stream(name, options.width, options.height, fps)
        self._seq_base: int | None = None
        self._last_frame_id: int | None = None
        self.frames_dropped = 0

    def streams(self) -> tuple[StreamSpec, ...]:
        return (self._stream,)

    def info(self) -> dict[str, str]:
        return {
            **super().info(),
            "resolution": f"{self.width}x{self.height}",
            "frames_dropped": str(self.frames_dropped),
        }

    def _restart_frame_ids(self) -> None:
        """The next frame id may start a new count (call on every connect)."""
        self._last_frame_id = None

    def _emit_frame(
        self,
        image: np.ndarray,
        frame_id: int,
        t_capture_ns: int,
        t_device_ns: int,
        valid: bool = True,
    ) -> None:
        """Emit one RGB frame with the device's ``frame_id`` and times (ns)."""
        last = self._last_frame_id
        if last is not None and frame_id > last:
            self.frames_dropped += frame_id - last - 1
        self._last_frame_id = frame_id
        following = self._seq.get(self._stream.name, 0)
        if self._seq_base is None or self._seq_base + frame_id < following:
            self._seq_base = following - frame_id
        data = {"image": image, "frame_id": np.array(frame_id, dtype=np.int64)}
        self._emit(
            self._stream.name,
            min(t_capture_ns, time.monotonic_ns()),
            data,
            t_device_ns=t_device_ns,
            valid=valid,
            seq=self._seq_base + frame_id,
        )
