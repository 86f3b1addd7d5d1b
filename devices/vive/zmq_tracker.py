"""VIVE tracker from a pose sender on the SteamVR machine over ZMQ, backend ``zmq``.

The sender (:mod:`devices.vive.pose_sender`) publishes pose wire messages
(:mod:`devices.vive.pose_wire`, docs/tracker_bridge.md) on a PUB socket; this backend
subscribes, keeps its own serial's reading and maps the sender's Unix time onto the station's
monotonic clock. With ``clock = "estimate"`` (default) the offset between the two clocks is the
sliding minimum of arrival minus send time (:class:`devices.clock.ClockOffsetEstimator`), which
needs no clock synchronisation; ``latency_ms``, the smallest one-way network delay, is then
subtracted. With ``clock = "unix"`` the two machines' Unix clocks are trusted to agree up to
``clock_offset_ms`` (sender minus station, e.g. from chrony), and the send time is converted
with the station's Unix-minus-monotonic offset measured at receipt.
"""

from __future__ import annotations

import time
from typing import Any, Literal

from pydantic import Field

from devices.clock import ClockOffsetEstimator
from devices.errors import DeviceError
from devices.hardware import Finding, import_sdk, sdk_finding
from devices.registry import BuildContext
from devices.trackers import TrackerInfo
from devices.vive import pose_wire
from devices.vive.readings import TrackerReading
from devices.vive.session import VIVE_FIX
from devices.vive.tracker_device import ViveTracker, ViveTrackerOptions, tracker_finding

RECEIVE_QUEUE = 1000
"""Messages the SUB socket holds before dropping (about 8 s at 120 Hz)."""
STOP_CHECK_S = 0.05
"""Longest wait for a message before checking for stop (s)."""
SENDER_FIX = (
    "start `python -m devices.vive.pose_sender --bind tcp://*:5560` on the SteamVR machine, "
    "and check the endpoint's host, port and firewall"
)
WIRE_FIX = f"run a pose sender speaking schema version {pose_wire.SCHEMA_VERSION}"


def subscribe(zmq: Any, endpoint: str) -> Any:
    """A SUB socket connected to ``endpoint`` for pose wire messages."""
    socket = zmq.Context.instance().socket(zmq.SUB)
    socket.setsockopt(zmq.LINGER, 0)
    socket.setsockopt(zmq.RCVHWM, RECEIVE_QUEUE)
    socket.setsockopt(zmq.SUBSCRIBE, pose_wire.TOPIC)
    try:
        socket.connect(endpoint)
    except zmq.ZMQError as exc:
        socket.close()
        raise DeviceError(f"bad endpoint {endpoint!r} ({exc}); fix: e.g. tcp://host:5560") from exc
    return socket


def receive(socket: Any, timeout_s: float) -> tuple[pose_wire.PoseMessage, int] | None:
    """The next message and its arrival time (station monotonic ns), or None after
    ``timeout_s``. Raises WireError for a message that does not follow the schema."""
    if not socket.poll(int(timeout_s * 1000)):
        return None
    frames = socket.recv_multipart()
    t_arrival_ns = time.monotonic_ns()
    return pose_wire.decode(frames), t_arrival_ns


def _state(reading: TrackerReading) -> str:
    return "tracked" if reading.usable else "not tracked"


class ZmqTracker(ViveTracker):
    """One wrist tracker from a remote pose sender.

    ``t_device_ns`` is the sender's Unix time (ns) of the poll and the sample's seq the
    sender's poll counter, so polls that did not arrive show as gaps. Nothing for this tracker
    for ``timeout_s`` marks it lost and the device reconnects.
    """

    backend = "zmq"

    class Options(ViveTrackerOptions):
        endpoint: str = Field("tcp://127.0.0.1:5560", min_length=1, description="sender's PUB")
        timeout_s: float = Field(1.0, gt=0.0, description="silence that marks the tracker lost")
        clock: Literal["estimate", "unix"] = "estimate"
        latency_ms: float = Field(0.0, ge=0.0, description='smallest network delay ("estimate")')
        clock_offset_ms: float = Field(0.0, description='sender minus station Unix time ("unix")')

    def __init__(self, name: str, options: Options, context: BuildContext) -> None:
        super().__init__(name, options)
        self.options: ZmqTracker.Options = options
        self._socket: Any = None
        self._estimator = ClockOffsetEstimator()
        self._seen: dict[str, str] | None = None

    def info(self) -> dict[str, str]:
        return {**super().info(), "endpoint": self.options.endpoint}

    @classmethod
    def census(cls, options: Options, timeout_s: float) -> list[TrackerInfo]:
        """Every tracker of the sender's next message (no battery on the wire)."""
        socket = subscribe(import_sdk("zmq", VIVE_FIX), options.endpoint)
        try:
            received = receive(socket, timeout_s)
        except pose_wire.WireError as exc:
            raise DeviceError(f"malformed message: {exc}; fix: {WIRE_FIX}") from exc
        finally:
            socket.close()
        if received is None:
            raise DeviceError(
                f"no tracker poses from {options.endpoint} in {timeout_s:g} s; fix: {SENDER_FIX}"
            )
        return sorted(
            (
                TrackerInfo(r.serial, None, True, r.pose if r.usable else None)
                for r in received[0].readings
            ),
            key=lambda info: info.serial,
        )

    @classmethod
    def diagnose(cls, options: Options, timeout_s: float) -> list[Finding]:
        """zmq importable, messages arriving from the sender, the tracker among them."""
        findings = [sdk_finding("zmq", VIVE_FIX)]
        if not findings[0].ok:
            return findings
        check = f"pose sender at {options.endpoint}"
        try:
            socket = subscribe(import_sdk("zmq", VIVE_FIX), options.endpoint)
        except DeviceError as exc:
            detail, _, fix = str(exc).partition("; fix: ")
            return [*findings, Finding(check, False, detail, fix)]
        try:
            received = receive(socket, timeout_s)
        except pose_wire.WireError as exc:
            return [*findings, Finding(check, False, f"malformed message: {exc}", WIRE_FIX)]
        finally:
            socket.close()
        if received is None:
            return [*findings, Finding(check, False, f"nothing in {timeout_s:g} s", SENDER_FIX)]
        message = received[0]
        seen = {r.serial: _state(r) for r in message.readings}
        return [
            *findings,
            Finding(check, True, f"schema {pose_wire.SCHEMA_VERSION}"),
            tracker_finding(options, seen, options.serial in seen, "sent"),
        ]

    def _connect(self) -> None:
        zmq = import_sdk("zmq", VIVE_FIX)
        self._estimator = ClockOffsetEstimator()
        self._socket = subscribe(zmq, self.options.endpoint)
        if not self._receive_for(self.options.timeout_s):
            raise self._lost()

    def _stream_until_lost(self) -> None:
        while not self._stop.is_set():
            if not self._receive_for(self.options.timeout_s) and not self._stop.is_set():
                raise self._lost()

    def _disconnect(self) -> None:
        if self._socket is not None:
            self._socket.close()
            self._socket = None

    def _receive_for(self, timeout_s: float) -> bool:
        """Receive until a message carries this tracker (emitted; True) or ``timeout_s`` (s)
        passes or the device stops (False)."""
        self._seen = None
        deadline = time.monotonic() + timeout_s
        while not self._stop.is_set():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            try:
                received = receive(self._socket, min(remaining, STOP_CHECK_S))
            except pose_wire.WireError as exc:
                raise DeviceError(
                    f"malformed message from {self.options.endpoint}: {exc}; fix: {WIRE_FIX}"
                ) from exc
            if received is None:
                continue
            message, t_arrival_ns = received
            self._seen = {r.serial: _state(r) for r in message.readings}
            reading = message.reading(self.serial)
            if reading is not None:
                t_capture_ns = self._capture_time(message.t_unix_ns, t_arrival_ns)
                self._emit_reading(reading, t_capture_ns, message.t_unix_ns, message.sequence)
                return True
        return False

    def _capture_time(self, t_unix_ns: int, t_arrival_ns: int) -> int:
        """The poll's time on the station's monotonic clock (ns), never after arrival."""
        if self.options.clock == "unix":
            station_unix_ns = time.time_ns() - time.monotonic_ns()
            t_sender_ns = t_unix_ns - int(self.options.clock_offset_ms * 1e6)
            return min(t_sender_ns - station_unix_ns, t_arrival_ns)
        latency_ns = int(self.options.latency_ms * 1e6)
        return self._estimator.capture_time(t_unix_ns, t_arrival_ns) - latency_ns

    def _lost(self) -> DeviceError:
        timeout = f"{self.options.timeout_s:g} s"
        if self._seen is None:
            return DeviceError(
                f"no tracker poses from {self.options.endpoint} for {timeout}; fix: {SENDER_FIX}"
            )
        return self._missing(self._seen, f"sent by {self.options.endpoint} in the last {timeout}")
