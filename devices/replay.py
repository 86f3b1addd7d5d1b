"""Replay of a recorded episode as device sources: ``backend = "replay"`` for any sensor family.

A replay device emits the recorded samples of its ``streams`` with their recorded spacing: a
sample captured ``dt`` after the episode's first sample is emitted ``dt`` after the replay
started, stamped with that emission time as ``t_capture_ns`` (the station's clock), its
recorded device time (shifted by whole episode spans when looping), its recorded ``valid``
and its recorded ``seq``, so gaps stay gaps. All replay devices of one process share the
start, so streams stay in step. Looping (default) starts over after the last sample, with
seq continuing from the recorded maximum; otherwise the device reports "replay finished".
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from devices.device import DeviceStatus, ThreadedDevice
from devices.faults import FaultSpec
from devices.registry import BuildContext
from devices.sim.shared import shared_instance
from devices.streams import StreamSpec
from recorder.episode_reader import open_episode

START_LEAD_NS = 50_000_000
"""Time from the first device's start to the first replayed sample (ns)."""


@dataclass
class _Start:
    """The shared replay start on the station clock (ns), set by the first device started."""

    t_ns: int | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def get(self) -> int:
        with self.lock:
            if self.t_ns is None:
                self.t_ns = time.monotonic_ns() + START_LEAD_NS
            return self.t_ns


class ReplayDevice(ThreadedDevice):
    """Replays recorded streams of one family on its own thread."""

    backend = "replay"

    class Options(BaseModel):
        """The episode folder, the recorded streams to replay, looping, injected faults."""

        model_config = ConfigDict(extra="forbid")

        episode: str = Field(min_length=1, description="episode folder")
        streams: list[str] = Field(min_length=1, description="recorded stream names")
        loop: bool = True
        faults: FaultSpec = Field(default_factory=FaultSpec)

    def __init__(self, name: str, options: Options, context: BuildContext) -> None:
        super().__init__(name, options.faults)
        episode = open_episode(options.episode)
        self._streams = [episode.stream(s) for s in options.streams]
        for stream in self._streams:
            if stream.spec.family != self.family:
                raise ValueError(
                    f"{name}: stream {stream.name!r} of {episode.path} is a "
                    f"{stream.spec.family} stream, not {self.family}"
                )
        self.episode_id = episode.metadata.episode_id
        self._loop = options.loop
        times = [s.t_capture_ns for s in self._streams]
        counts = [len(t) for t in times]
        if not sum(counts):
            raise ValueError(f"{name}: {episode.path} has no samples of {options.streams}")
        which = np.repeat(np.arange(len(times)), counts)
        row = np.concatenate([np.arange(n) for n in counts])
        t = np.concatenate(times)
        order = np.argsort(t, kind="stable")
        self._events = (which[order], row[order], t[order])
        """(stream index, row, recorded t_capture_ns) of every sample in capture order."""
        first = min(int(ts[0]) for ts in times if len(ts))
        last = max(int(ts[-1]) for ts in times if len(ts))
        self._first_ns = first
        self._span_ns = last - first + int(1e9 / max(s.rate_hz for s in self.streams()))
        self._seq_span = [
            int(s.seq.max() - s.seq.min()) + 1 if len(s) else 0 for s in self._streams
        ]
        """Per stream, how far seq moves on per lap: the next lap continues where one ends."""
        self._start = shared_instance(context, "replay-start", _Start)
        self._finished = False

    def streams(self) -> tuple[StreamSpec, ...]:
        return tuple(s.spec for s in self._streams)

    def info(self) -> dict[str, str]:
        return {**super().info(), "episode": self.episode_id}

    def status(self) -> DeviceStatus:
        if self._finished:
            return DeviceStatus(connected=False, message="replay finished", info=self.info())
        return super().status()

    def _open(self) -> None:
        self._finished = False
        super()._open()

    def _run(self) -> None:
        start = self._start.get()
        which, rows, times = self._events
        lap = 0
        while not self._stop.is_set():
            for k, i, t in zip(which.tolist(), rows.tolist(), times.tolist(), strict=True):
                shift = lap * self._span_ns
                due = start + (t - self._first_ns) + shift
                wait = (due - time.monotonic_ns()) * 1e-9
                if wait > 0 and self._stop.wait(wait):
                    return
                self._replay(k, i, due, shift, lap)
            if not self._loop:
                self._finished = True
                return
            lap += 1

    def _replay(self, k: int, row: int, due_ns: int, shift_ns: int, lap: int) -> None:
        stream = self._streams[k]
        device_ns = int(stream.t_device_ns[row]) + shift_ns if stream.has_t_device[row] else None
        self._emit(
            stream.name,
            due_ns,
            {name: stream.frame(name, row) for name in stream.fields},
            t_device_ns=device_ns,
            valid=bool(stream.valid[row]),
            seq=int(stream.seq[row]) + lap * self._seq_span[k],
        )


class ReplayGlove(ReplayDevice):
    family = "glove"


class ReplayTracker(ReplayDevice):
    family = "tracker"


class ReplayCamera(ReplayDevice):
    family = "camera"


class ReplayTactile(ReplayDevice):
    family = "tactile"
