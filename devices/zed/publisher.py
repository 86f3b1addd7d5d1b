"""The camera publisher: grabs ZED cameras with pyzed on the robot's Jetson and sends every
frame as JPEG over ZMQ in the wire schema of :mod:`devices.zed.frame_wire`.

    python -m devices.zed.publisher --camera head=stereo --camera left_wrist=mono:SERIAL \\
        --bind tcp://*:5580 --quality 90

Each camera has its own thread: grab (the SDK blocks until the next frame), resize on the
CPU while still BGRA, JPEG-encode straight from BGRA (libjpeg-turbo reads BGRA, so no
colour conversion pass), send. The PUB socket keeps at most SEND_QUEUE messages per
subscriber: a slow station loses frames (seen as gaps in the frame ids) instead of receiving
them late. A camera that fails to open or is lost is retried every ``--retry`` seconds.
"""

from __future__ import annotations

import argparse
import logging
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import simplejpeg

from devices.errors import DeviceError
from devices.hardware import import_sdk
from devices.zed import frame_wire
from devices.zed.grabber import (
    RESOLUTION_SIZES,
    SDK_FIX,
    SDK_MODULE,
    ZedGrabber,
    ZedSourceOptions,
)
from devices.zed.resize import FrameResizer
from devices.zed.zmq_camera import ZMQ_FIX, ZMQ_MODULE
from recorder.jpeg import JPEG_QUALITY, JPEG_SUBSAMPLING

SEND_QUEUE = 2
"""Messages the PUB socket queues per subscriber before dropping new ones."""
DEFAULT_BIND = "tcp://*:5580"

log = logging.getLogger("devices.zed.publisher")


@dataclass(frozen=True)
class CameraSpec:
    """One camera to publish: its name on the wire and which ZED to open."""

    name: str
    source: ZedSourceOptions


def parse_camera(text: str, resolution: str, fps: int) -> CameraSpec:
    """``NAME=stereo``, ``NAME=mono`` or either with ``:SERIAL``, e.g. ``left_wrist=mono:123``."""
    name, sep, model_serial = text.partition("=")
    model, _, serial = model_serial.partition(":")
    if not sep or model not in ("stereo", "mono") or (serial and not serial.isdigit()):
        raise ValueError(f"--camera {text!r}: expected NAME=stereo|mono[:SERIAL]")
    frame_wire.topic(name)
    source = ZedSourceOptions(
        model=model, serial=int(serial) if serial else None, resolution=resolution, fps=fps
    )
    return CameraSpec(name, source)


def encode_bgra(bgra: np.ndarray, quality: int) -> bytes:
    """An HxWx4 uint8 BGRA frame as a JPEG file, with the recorder's chroma subsampling and
    fast DCT."""
    return simplejpeg.encode_jpeg(
        np.ascontiguousarray(bgra),
        quality=quality,
        colorspace="BGRA",
        colorsubsampling=JPEG_SUBSAMPLING,
        fastdct=True,
    )


class Publisher:
    """Publishes ``cameras`` on a PUB socket bound to ``bind``, each at ``width`` x
    ``height`` pixels (resized on the CPU when the video mode differs), JPEG ``quality``."""

    def __init__(
        self,
        cameras: Sequence[CameraSpec],
        bind: str = DEFAULT_BIND,
        width: int = 1280,
        height: int = 720,
        quality: int = JPEG_QUALITY,
        retry_s: float = 2.0,
    ) -> None:
        if len({camera.name for camera in cameras}) != len(cameras):
            raise ValueError("camera names must be unique")
        self.cameras = tuple(cameras)
        self.width, self.height = width, height
        self.quality = quality
        self.retry_s = retry_s
        self._sl = import_sdk(SDK_MODULE, SDK_FIX)
        zmq = import_sdk(ZMQ_MODULE, ZMQ_FIX)
        self._context = zmq.Context()
        self._socket = self._context.socket(zmq.PUB)
        self._socket.setsockopt(zmq.LINGER, 0)
        self._socket.setsockopt(zmq.SNDHWM, SEND_QUEUE)
        try:
            self._socket.bind(bind)
        except zmq.ZMQError as exc:
            self._socket.close(linger=0)
            self._context.term()
            raise DeviceError(
                f"cannot bind {bind} ({exc}); fix: choose a free port, or stop the publisher "
                "already running"
            ) from exc
        self.endpoint: str = self._socket.getsockopt_string(zmq.LAST_ENDPOINT)
        self._send_lock = threading.Lock()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self.sent = {camera.name: 0 for camera in self.cameras}

    def start(self) -> None:
        """Start one grabbing thread per camera."""
        self._stop.clear()
        for camera in self.cameras:
            thread = threading.Thread(
                target=self._run, args=(camera,), name=f"zed-{camera.name}", daemon=True
            )
            thread.start()
            self._threads.append(thread)

    def stop(self) -> None:
        """Stop the threads, close the cameras and the socket."""
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=5.0)
        self._threads.clear()
        self._socket.close(linger=0)
        self._context.term()

    def _run(self, camera: CameraSpec) -> None:
        while not self._stop.is_set():
            grabber = ZedGrabber(self._sl, camera.source)
            try:
                grabber.open()
                log.info(
                    "%s: %s opened, serial %s",
                    camera.name,
                    camera.source.describe(),
                    grabber.serial,
                )
                self._publish(camera.name, grabber)
            except DeviceError as exc:
                log.warning("%s: %s; retrying in %g s", camera.name, exc, self.retry_s)
            finally:
                grabber.close()
            self._stop.wait(self.retry_s)

    def _publish(self, name: str, grabber: ZedGrabber) -> None:
        resizer = FrameResizer(self.width, self.height)
        while not self._stop.is_set():
            frame = grabber.grab()
            if frame is None:
                continue
            jpeg = encode_bgra(resizer(frame.bgra), self.quality)
            message = frame_wire.FrameMessage(
                name,
                frame.frame_id,
                frame.t_device_ns,
                time.time_ns(),
                self.width,
                self.height,
                jpeg,
                corrupted=frame.corrupted,
            )
            with self._send_lock:
                self._socket.send_multipart(frame_wire.encode(message))
            self.sent[name] += 1


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m devices.zed.publisher", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "--camera",
        action="append",
        required=True,
        help="NAME=stereo|mono[:SERIAL], once per camera (NAME as the station's device)",
    )
    parser.add_argument("--bind", default=DEFAULT_BIND, help="ZMQ endpoint to bind")
    parser.add_argument("--resolution", choices=sorted(RESOLUTION_SIZES), default="HD1080")
    parser.add_argument("--fps", type=int, default=30, help="camera frame rate (Hz)")
    parser.add_argument("--width", type=int, default=1280, help="sent image width (pixels)")
    parser.add_argument("--height", type=int, default=720, help="sent image height (pixels)")
    parser.add_argument("--quality", type=int, default=JPEG_QUALITY, help="JPEG quality 1-100")
    parser.add_argument("--retry", type=float, default=2.0, help="reopen wait (s)")
    args = parser.parse_args(argv)
    try:
        cameras = [parse_camera(text, args.resolution, args.fps) for text in args.camera]
    except ValueError as exc:
        parser.error(str(exc))
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    try:
        publisher = Publisher(cameras, args.bind, args.width, args.height, args.quality, args.retry)
    except DeviceError as exc:
        parser.exit(1, f"{exc}\n")
    publisher.start()
    log.info("publishing %s on %s", ", ".join(c.name for c in cameras), publisher.endpoint)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        publisher.stop()


if __name__ == "__main__":
    main()
