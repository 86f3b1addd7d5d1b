"""Manus glove from a bridge around the Manus C SDK over ZMQ, backend ``zmq``.

The bridge publishes the wire schema of :mod:`devices.manus.glove_wire` (docs/manus_bridge.md)
on a PUB socket; this backend subscribes to its side's topic. Each message carries the
bridge's Unix publish time, mapped onto the station clock by the sliding-minimum offset
estimate, so the bridge may run on another machine with its own clock.
"""

from __future__ import annotations

import time
from typing import Any

from pydantic import Field

from devices.errors import DeviceError
from devices.hardware import import_sdk
from devices.manus import glove_wire
from devices.manus.glove_device import GloveReading, ManusGlove, ManusGloveOptions
from devices.registry import BuildContext

ZMQ_FIX = "pip install 'dexstation[manus]'"
RECEIVE_QUEUE = 100
"""Messages the SUB socket holds before dropping (about 1 s of both gloves)."""


def reading_of(message: glove_wire.GloveMessage, t_arrival_ns: int) -> GloveReading:
    """The glove reading a wire message carries."""
    skeleton = message.skeleton
    return GloveReading(
        t_arrival_ns,
        message.glove_id,
        message.ergonomics,
        None if skeleton is None else skeleton[:, :3],
        None if skeleton is None else skeleton[:, 3:],
        t_device_ns=message.publish_time_ns,
        sequence=message.sequence,
    )


class ZmqGlove(ManusGlove):
    """One glove's messages from a Manus bridge's PUB socket."""

    backend = "zmq"
    SDK_MODULES = (("zmq", ZMQ_FIX),)

    class Options(ManusGloveOptions):
        endpoint: str = Field(
            "tcp://127.0.0.1:5570", min_length=1, description="the bridge's PUB endpoint"
        )

    def __init__(self, name: str, options: Options, context: BuildContext) -> None:
        super().__init__(name, options)
        self.options: ZmqGlove.Options = options
        self._zmq: Any = None
        self._context: Any = None
        self._socket: Any = None
        self._dropped = ""

    def source(self) -> str:
        return self.options.endpoint

    def _silence_fix(self) -> str:
        dropped = f" (its last messages were malformed: {self._dropped})" if self._dropped else ""
        return (
            f"start the Manus bridge publishing on {self.options.endpoint} with the "
            f"{self.side} glove connected{dropped}"
        )

    def _connect(self) -> None:
        zmq = self._zmq = import_sdk("zmq", ZMQ_FIX)
        self._dropped = ""
        self._context = zmq.Context()
        self._socket = self._context.socket(zmq.SUB)
        self._socket.setsockopt(zmq.LINGER, 0)
        self._socket.setsockopt(zmq.RCVHWM, RECEIVE_QUEUE)
        self._socket.setsockopt(zmq.SUBSCRIBE, glove_wire.topic(self.side))
        try:
            self._socket.connect(self.options.endpoint)
        except zmq.ZMQError as exc:
            raise DeviceError(
                f"cannot connect to {self.options.endpoint} ({exc}); fix: set endpoint to the "
                "bridge's address, e.g. tcp://192.168.1.20:5570"
            ) from exc

    def _receive(self, wait_s: float) -> list[GloveReading]:
        zmq = self._zmq
        readings: list[GloveReading] = []
        if not self._socket.poll(round(wait_s * 1000)):
            return readings
        while True:
            try:
                frames = self._socket.recv_multipart(zmq.NOBLOCK)
            except zmq.Again:
                return readings
            t_arrival_ns = time.monotonic_ns()
            try:
                message = glove_wire.decode(frames)
            except glove_wire.WireError as exc:
                self._dropped = str(exc)
                self._message = f"dropping malformed bridge messages: {exc}"
                continue
            readings.append(reading_of(message, t_arrival_ns))

    def _disconnect(self) -> None:
        if self._socket is not None:
            self._socket.close(linger=0)
        if self._context is not None:
            self._context.term()
        self._context = self._socket = None
