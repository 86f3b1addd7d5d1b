"""The base every device backend derives from: streams, start/stop, emission, status."""

from __future__ import annotations

import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from devices.faults import FaultInjector, FaultSpec, Verdict
from devices.sample import Sample
from devices.streams import StreamSpec

SampleSink = Callable[[Sample], None]


@dataclass(slots=True)
class DeviceStatus:
    """What the health panel shows about a device beside its streams' rates."""

    connected: bool
    message: str = ""
    info: dict[str, str] = field(default_factory=dict)


class Device(ABC):
    """A source of samples on one or more streams.

    A backend runs its own thread or SDK callbacks and calls :meth:`_emit` for every sample;
    emission stamps the seq and arrival time, applies injected faults and hands the sample to
    the sink given to :meth:`start`. Sinks must be quick and must never block.
    """

    family: str = ""
    backend: str = ""

    def __init__(self, name: str, faults: FaultSpec | None = None) -> None:
        self.name = name
        self._faults = FaultInjector(faults)
        self._sink: SampleSink | None = None
        self._seq: dict[str, int] = {}
        self._t_start_ns = 0
        self._message = ""

    @abstractmethod
    def streams(self) -> tuple[StreamSpec, ...]:
        """The streams this device emits."""

    def start(self, sink: SampleSink) -> None:
        """Connect and begin emitting samples to ``sink``."""
        self._sink = sink
        self._t_start_ns = time.monotonic_ns()
        self._open()

    def stop(self) -> None:
        """Stop emitting and release the hardware. Safe to call twice."""
        self._close()
        self._sink = None

    @abstractmethod
    def _open(self) -> None:
        """Backend-specific connect and thread start."""

    @abstractmethod
    def _close(self) -> None:
        """Backend-specific thread stop and disconnect."""

    def info(self) -> dict[str, str]:
        """Serial numbers, SDK versions and backend name, written into episode metadata."""
        return {"backend": self.backend, "family": self.family}

    def status(self) -> DeviceStatus:
        """Connection state now, with the reason when disconnected."""
        connected = self._sink is not None and not self._faults.disconnected(self._elapsed_s())
        message = self._message if connected else (self._message or "disconnected")
        return DeviceStatus(connected=connected, message=message, info=self.info())

    def _elapsed_s(self, t_ns: int | None = None) -> float:
        """Seconds since start; a sample captured just before start (a device's capture
        latency) counts as at start, so fault windows from 0 s cover it."""
        return max(((t_ns or time.monotonic_ns()) - self._t_start_ns) * 1e-9, 0.0)

    def _emit(
        self,
        stream: str,
        t_capture_ns: int,
        data: dict[str, np.ndarray],
        t_device_ns: int | None = None,
        valid: bool = True,
        seq: int | None = None,
    ) -> None:
        """Stamp, fault-filter and deliver one sample. A dropped sample still uses a seq.

        ``seq`` is the device's own counter where it has one (a replayed episode keeps its
        recorded gaps); by default samples are numbered 0, 1, 2... per stream.
        """
        if seq is None:
            seq = self._seq.get(stream, 0)
        self._seq[stream] = seq + 1
        sink = self._sink
        if sink is None:
            return
        verdict = (
            self._faults.verdict(self._elapsed_s(t_capture_ns))
            if self._faults.active
            else (Verdict.DELIVER)
        )
        if verdict in (Verdict.DROP, Verdict.STALL, Verdict.DISCONNECTED):
            return
        if verdict is Verdict.NAN:
            data = FaultInjector.corrupt(data)
        sink(Sample(stream, seq, t_capture_ns, time.monotonic_ns(), t_device_ns, valid, data))


class ThreadedDevice(Device):
    """A device whose samples come from its own thread running :meth:`_run` until
    :attr:`_stop` is set."""

    def __init__(self, name: str, faults: FaultSpec | None = None) -> None:
        super().__init__(name, faults)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _open(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name=f"device-{self.name}", daemon=True)
        self._thread.start()

    def _close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2.0)
            self._thread = None

    @abstractmethod
    def _run(self) -> None:
        """Emit samples until ``self._stop`` is set."""


class PeriodicDevice(ThreadedDevice):
    """A device polled at a fixed rate (Hz) on absolute deadlines.

    Started with :meth:`start`, its own thread polls it. Started with :meth:`drive`, it has no
    thread and its owner calls :meth:`step` (a simulator stepped by the control loop, so
    that no other thread competes with the loop for the interpreter).
    """

    def __init__(self, name: str, rate_hz: float, faults: FaultSpec | None = None) -> None:
        super().__init__(name, faults)
        if rate_hz <= 0:
            raise ValueError(f"{name}: rate_hz must be > 0, got {rate_hz}")
        self.rate_hz = rate_hz
        self._driven = False
        self._next_poll_ns = 0

    def drive(self, sink: SampleSink) -> None:
        """Start without a thread; the caller must call :meth:`step` at least at ``rate_hz``."""
        self._driven = True
        self.start(sink)

    def step(self, now_ns: int, tolerance_ns: int = 0) -> None:
        """Poll when the next period is due (within ``tolerance_ns``) at ``now_ns``."""
        if now_ns + tolerance_ns < self._next_poll_ns:
            return
        period_ns = int(1e9 / self.rate_hz)
        self._next_poll_ns = max(self._next_poll_ns + period_ns, now_ns - tolerance_ns)
        self._poll(now_ns)

    def _open(self) -> None:
        if not self._driven:
            super()._open()

    def _run(self) -> None:
        period_ns = int(1e9 / self.rate_hz)
        deadline = time.monotonic_ns()
        while not self._stop.is_set():
            self._poll(deadline)
            deadline += period_ns
            now = time.monotonic_ns()
            if deadline < now:  # fell behind: skip missed periods rather than burst
                deadline = now + period_ns - (now - deadline) % period_ns
            self._stop.wait((deadline - now) * 1e-9)

    @abstractmethod
    def _poll(self, t_ns: int) -> None:
        """Produce the samples due at ``t_ns`` (station monotonic clock) via :meth:`_emit`."""
