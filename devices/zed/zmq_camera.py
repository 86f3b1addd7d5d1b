"""Camera frames from a camera bridge (the Jetson publisher) over ZMQ, backend ``zmq``.

The publisher sends every frame in the wire schema of :mod:`devices.zed.frame_wire`
(docs/camera_bridge.md). This backend subscribes to its camera's topic and keeps only the
newest frame: frames that queued up while the station was busy are skipped, and the gaps
they leave in the frame ids are counted as drops (ZMQ_CONFLATE cannot do this: it does not
work with multipart messages and would hide the drops). The JPEG is decoded to RGB (in the
DCT domain at the smallest 1/8 scale not below the configured size) and resized to it.

Times: ``t_device_ns`` is the exposure on the publisher's Unix clock. With ``clock_offset_s``
unset, the offset between that clock and the station's is estimated from the publish times
(the smallest publish-to-arrival difference over 10 s, see :mod:`devices.clock`), so the
network's least latency is attributed to the clocks; set ``clock_offset_s`` (publisher Unix
clock minus station Unix clock, s; 0 when both follow the same NTP/PTP server) to use a
known offset instead.
"""

from __future__ import annotations

import time
from typing import Any

from pydantic import Field

from devices.clock import ClockOffsetEstimator
from devices.errors import DeviceError
from devices.hardware import Finding, import_sdk, sdk_finding
from devices.registry import BuildContext
from devices.zed import frame_wire
from devices.zed.camera_device import RealCamera, RealCameraOptions, unix_to_station_ns
from devices.zed.resize import FrameResizer
from recorder.jpeg import decode_jpeg

ZMQ_MODULE = "zmq"
ZMQ_FIX = "pip install 'dexstation[zed]'"
RECEIVE_QUEUE = 2
"""Messages the SUB socket holds before the newest ones are dropped."""
POLL_S = 0.05
"""Longest wait for one message before checking for stop and loss (s)."""
PUBLISHER_COMMAND = (
    "python -m devices.zed.publisher --camera {camera}=stereo|mono[:SERIAL] --bind tcp://*:5580"
)


class ZmqCamera(RealCamera):
    """One camera's frames from a camera bridge's PUB socket."""

    backend = "zmq"

    class Options(RealCameraOptions):
        """Where the publisher is, which of its cameras, the nominal rate and the clocks."""

        endpoint: str = Field(
            "tcp://127.0.0.1:5580", min_length=1, description="the publisher's PUB endpoint"
        )
        camera: str | None = Field(
            None, description="the camera's name on the wire; None: this device's name"
        )
        fps: float = Field(30.0, gt=0.0, description="the publisher's frame rate (Hz)")
        clock_offset_s: float | None = Field(
            None,
            description="publisher Unix clock minus station Unix clock (s); None: estimate",
        )

    def __init__(self, name: str, options: Options, context: BuildContext) -> None:
        super().__init__(name, options, options.fps)
        self.options = options
        self.camera = options.camera or name
        self._topic = frame_wire.topic(self.camera)
        self._resizer = FrameResizer(options.width, options.height)
        self._clock = ClockOffsetEstimator()
        self._zmq: Any = None
        self._context: Any = None
        self._socket: Any = None
        self._dropped = ""

    def info(self) -> dict[str, str]:
        return {**super().info(), "endpoint": self.options.endpoint, "camera": self.camera}

    def _silence_fix(self) -> str:
        dropped = f" (its last messages were malformed: {self._dropped})" if self._dropped else ""
        return (
            f"start the camera publisher on the camera's machine with camera {self.camera!r} "
            f"({PUBLISHER_COMMAND.format(camera=self.camera)}) and check that "
            f"{self.options.endpoint} reaches it{dropped}"
        )

    def _connect(self) -> None:
        zmq = self._zmq = import_sdk(ZMQ_MODULE, ZMQ_FIX)
        self._dropped = ""
        self._clock = ClockOffsetEstimator()
        self._restart_frame_ids()
        self._context = zmq.Context()
        self._socket = self._context.socket(zmq.SUB)
        self._socket.setsockopt(zmq.LINGER, 0)
        self._socket.setsockopt(zmq.RCVHWM, RECEIVE_QUEUE)
        self._socket.setsockopt(zmq.SUBSCRIBE, self._topic)
        try:
            self._socket.connect(self.options.endpoint)
        except zmq.ZMQError as exc:
            raise DeviceError(
                f"cannot connect to {self.options.endpoint} ({exc}); fix: set endpoint to the "
                "publisher's address, e.g. tcp://192.168.1.30:5580"
            ) from exc

    def _stream_until_lost(self) -> None:
        timeout_ns = round(self.options.timeout_s * 1e9)
        last_ns = time.monotonic_ns()
        while not self._stop.is_set():
            newest = self._receive_newest(POLL_S)
            now_ns = time.monotonic_ns()
            if newest is not None and self._emit_message(*newest):
                last_ns = now_ns
            elif now_ns - last_ns > timeout_ns:
                raise DeviceError(
                    f"no {self._stream.name} frame from {self.options.endpoint} for "
                    f"{self.options.timeout_s:g} s; fix: {self._silence_fix()}"
                )

    def _receive_newest(self, wait_s: float) -> tuple[frame_wire.FrameMessage, int] | None:
        """Wait up to ``wait_s`` (s), take every queued message and return the newest
        well-formed one with its arrival time (station ns), or None."""
        messages = self._receive_all(wait_s)
        return messages[-1] if messages else None

    def _receive_all(self, wait_s: float) -> list[tuple[frame_wire.FrameMessage, int]]:
        """Wait up to ``wait_s`` (s), then take every queued message; the well-formed ones
        with their arrival times (station ns), oldest first. Feeds the clock offset estimate
        with their publish times."""
        zmq = self._zmq
        messages: list[tuple[frame_wire.FrameMessage, int]] = []
        if not self._socket.poll(round(wait_s * 1000)):
            return messages
        while True:
            try:
                frames = self._socket.recv_multipart(zmq.NOBLOCK)
            except zmq.Again:
                return messages
            t_arrival_ns = time.monotonic_ns()
            try:
                message = frame_wire.decode(frames)
            except frame_wire.WireError as exc:
                self._reject(str(exc))
                continue
            self._clock.capture_time(message.publish_time_ns, t_arrival_ns)
            messages.append((message, t_arrival_ns))

    def _reject(self, reason: str) -> None:
        self._dropped = reason
        self._message = f"dropping malformed camera messages: {reason}"

    def _emit_message(self, message: frame_wire.FrameMessage, t_arrival_ns: int) -> bool:
        """Decode and emit one frame; False when its JPEG data is broken."""
        try:
            image = decode_jpeg(message.jpeg, at_least=(self.width, self.height))
        except ValueError as exc:
            self._reject(f"frame {message.frame_id}: broken JPEG data ({exc})")
            return False
        self._emit_frame(
            self._resizer(image),
            message.frame_id,
            self._capture_time(message.device_time_ns, t_arrival_ns),
            message.device_time_ns,
            valid=not message.corrupted,
        )
        return True

    def _capture_time(self, device_time_ns: int, t_arrival_ns: int) -> int:
        """The exposure on the station clock (ns), never after arrival."""
        if self.options.clock_offset_s is None:
            offset_ns = self._clock.offset_ns
            assert offset_ns is not None
            return min(device_time_ns + offset_ns, t_arrival_ns)
        offset_ns = round(self.options.clock_offset_s * 1e9)
        return min(unix_to_station_ns(device_time_ns - offset_ns), t_arrival_ns)

    def _disconnect(self) -> None:
        if self._socket is not None:
            self._socket.close(linger=0)
        if self._context is not None:
            self._context.term()
        self._context = self._socket = None

    @classmethod
    def diagnose(cls, options: Any, timeout_s: float) -> list[Finding]:
        """The doctor has no device name: with ``camera`` unset, any camera the publisher
        sends passes, and the finding lists their names."""
        finding = sdk_finding(ZMQ_MODULE, ZMQ_FIX)
        if not finding.ok:
            return [finding]
        return [finding, cls(options.camera or "any", options, BuildContext())._probe(timeout_s)]

    def _probe(self, timeout_s: float) -> Finding:
        """Connect, listen up to ``timeout_s`` (s) to every camera of the publisher and say
        whether this one (or, unnamed, any) sends frames."""
        wanted = self.options.camera
        check = f"camera {wanted or '(any)'} frames from {self.options.endpoint}"
        seen: dict[str, frame_wire.FrameMessage] = {}
        deadline = time.monotonic() + timeout_s
        try:
            self._connect()
            self._socket.setsockopt(self._zmq.SUBSCRIBE, frame_wire.CAMERA_PREFIX)
            while time.monotonic() < deadline and (wanted or "") not in seen:
                for message, _ in self._receive_all(min(POLL_S, timeout_s)):
                    seen[message.camera] = message
        except DeviceError as exc:
            detail, _, fix = str(exc).partition("; fix: ")
            return Finding(check, False, detail, fix)
        finally:
            self._disconnect()
        names = ", ".join(sorted(seen)) or "none"
        message = seen.get(wanted) if wanted else next(iter(seen.values()), None)
        if message is not None:
            detail = f"{message.width}x{message.height} JPEG frames; cameras sent: {names}"
            return Finding(check, True, detail)
        malformed = f"; malformed messages: {self._dropped}" if self._dropped else ""
        detail = f"within {timeout_s:g} s, cameras sent: {names}{malformed}"
        return Finding(check, False, detail, self._silence_fix())
