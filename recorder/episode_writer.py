"""The background episode writer: producers put samples, one thread batches them to disk.

``put`` only appends to a bounded per-stream queue. The writer thread wakes every poll period
and writes a stream's queued samples as one batch when the oldest has waited half the flush
interval, when they fill whole compressed chunks, or when the queue is half full. The other
half of the interval is the margin for writing one round of every stream, so while the writer
keeps up no sample waits in memory longer than the flush interval and a killed process loses at
most that. JPEG encoding and compression happen on the writer thread, never in a producer.
"""

from __future__ import annotations

import logging
import math
import shutil
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import zarr

from devices.sample import Sample
from devices.streams import StreamSpec
from recorder.layout import STREAMS_GROUP, check_field_names
from recorder.metadata import EpisodeMetadata, StreamInfo, utc_now_iso
from recorder.stream_queue import StreamQueue
from recorder.stream_writer import StreamWriter
from recorder.writer_lock import WriterLock

log = logging.getLogger(__name__)

WRITER_OWNED_KEYS = frozenset(
    {
        "schema_version",
        "episode_id",
        "status",
        "start_utc",
        "start_monotonic_ns",
        "end_utc",
        "drops",
        "streams",
    }
)
"""Metadata the writer sets itself; ``stop`` refuses updates to them."""

MAX_POLL_S = 0.05


class RecordingFailed(RuntimeError):
    """The writer thread could not write; the episode stays ``recording`` until recovered."""


@dataclass(frozen=True, slots=True)
class StreamStats:
    """One stream's counts at the recorder: samples waiting (of ``capacity``), written, dropped.

    ``last_flush_s`` is the wall time (s) of the stream's last batch write, JPEG encoding and
    compression included; ``max_wait_s`` the longest any sample took from ``put`` to being
    readable on disk.
    """

    queued: int
    capacity: int
    written: int
    dropped: int
    last_flush_s: float
    max_wait_s: float


@dataclass(frozen=True, slots=True)
class WriterStats:
    """The writer's health: per-stream counts, writer thread CPU time (s), error if any."""

    streams: dict[str, StreamStats]
    cpu_s: float
    error: str | None


@dataclass(slots=True)
class _Channel:
    """A declared stream's queue and counters."""

    queue: StreamQueue
    written: int = 0
    rejected: int = 0
    last_flush_s: float = 0.0
    max_wait_s: float = 0.0

    @property
    def dropped(self) -> int:
        return self.queue.dropped + self.rejected


def _updated(metadata: EpisodeMetadata, changes: Mapping[str, Any]) -> EpisodeMetadata:
    return EpisodeMetadata.model_validate({**metadata.model_dump(), **changes})


class EpisodeWriter:
    """Records the declared streams into the zarr v3 group ``<root>/<episode_id>/``.

    ``flush_interval_s`` bounds how long a sample waits in memory; each stream's queue holds
    ``queue_capacity_s`` seconds at its nominal rate. Samples put before :meth:`start` or after
    :meth:`stop` are ignored; samples of undeclared streams are counted as drops under their
    stream name (and logged once).
    """

    def __init__(
        self,
        root: Path | str,
        specs: Sequence[StreamSpec],
        metadata: EpisodeMetadata,
        flush_interval_s: float = 1.0,
        queue_capacity_s: float = 4.0,
    ) -> None:
        if flush_interval_s <= 0 or queue_capacity_s <= 0:
            raise ValueError("flush_interval_s and queue_capacity_s must be > 0")
        names = [s.name for s in specs]
        if len(set(names)) != len(names):
            raise ValueError(f"stream names must be unique, got {names}")
        for spec in specs:
            check_field_names(spec)
        self.path = Path(root) / metadata.episode_id
        self._specs = list(specs)
        self._metadata = metadata
        self._flush_interval_s = flush_interval_s
        self._max_wait_ns = int(flush_interval_s * 1e9 / 2)
        self._poll_s = min(MAX_POLL_S, flush_interval_s / 10)
        self._channels = {
            s.name: _Channel(StreamQueue(max(1, math.ceil(queue_capacity_s * s.rate_hz))))
            for s in specs
        }
        self._unknown: dict[str, int] = {}
        self._unknown_lock = threading.Lock()
        self._recording = False
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._group: zarr.Group | None = None
        self._lock: WriterLock | None = None
        self._error: BaseException | None = None
        self._cpu_s = 0.0

    @property
    def metadata(self) -> EpisodeMetadata:
        """The metadata as last written to the episode."""
        return self._metadata

    def start(self) -> None:
        """Create the episode (status ``recording``) and start the writer thread.

        The folder and its writer lock come first, then every array (a few ms each, filesystem
        bound), then the group ``zarr.json`` with the metadata: a process killed while starting
        leaves a folder without ``zarr.json``, which no reader takes for an episode and
        recovery removes. Samples are accepted from the moment ``start_utc`` and
        ``start_monotonic_ns`` are stamped, as this returns. A failure removes what was created.
        Raises FileExistsError when the episode folder exists, RuntimeError when called twice.
        """
        if self._thread is not None:
            raise RuntimeError(f"{self.path}: writer already started")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.path.mkdir()
        except FileExistsError:
            raise FileExistsError(f"{self.path} already exists") from None
        lock = WriterLock.try_acquire(self.path)
        if lock is None:
            raise FileExistsError(f"{self.path}: taken by another process while starting")
        try:
            group, writers = self._create()
        except BaseException:
            lock.release()
            shutil.rmtree(self.path, ignore_errors=True)
            raise
        self._lock = lock
        self._group = group
        self._recording = True
        self._thread = threading.Thread(
            target=self._run, args=(writers,), name=f"recorder-{self.path.name}", daemon=True
        )
        self._thread.start()

    def _create(self) -> tuple[zarr.Group, dict[str, StreamWriter]]:
        """Create the arrays, then the group with the starting metadata (lock held)."""
        streams_group = zarr.create_group(self.path / STREAMS_GROUP, zarr_format=3)
        writers = {
            s.name: StreamWriter(streams_group, s, self._flush_interval_s) for s in self._specs
        }
        streams = {s.name: StreamInfo(family=s.family, rate_hz=s.rate_hz) for s in self._specs}
        self._metadata = _updated(
            self._metadata,
            {
                "status": "recording",
                "drops": {s.name: 0 for s in self._specs},
                "streams": streams,
                "start_utc": utc_now_iso(),
                "start_monotonic_ns": time.monotonic_ns(),
            },
        )
        group = zarr.create_group(
            self.path, zarr_format=3, attributes=self._metadata.model_dump(mode="json")
        )
        return group, writers

    def put(self, sample: Sample) -> None:
        """Queue ``sample`` for writing. Never blocks on the writer and never raises."""
        if not self._recording:
            return
        channel = self._channels.get(sample.stream)
        if channel is None:
            self._count_unknown(sample.stream)
            return
        channel.queue.offer(sample)

    def stop(self, metadata_updates: Mapping[str, Any] | None = None) -> EpisodeMetadata:
        """Write everything queued, then the final metadata (status ``complete``); return it.

        ``metadata_updates`` sets operator fields (outcome, notes, ...). They are checked before
        anything stops: ValueError for unknown fields, invalid values or WRITER_OWNED_KEYS.
        Raises RecordingFailed when the writer thread failed (the episode stays
        ``recording``), RuntimeError when not started or already stopped.
        """
        updates = dict(metadata_updates or {})
        if owned := WRITER_OWNED_KEYS & updates.keys():
            raise ValueError(f"the writer sets {sorted(owned)} itself")
        base = _updated(self._metadata, updates)
        if self._thread is None or self._group is None or not self._recording:
            raise RuntimeError(f"{self.path}: writer not recording")
        self._recording = False
        self._stopping.set()
        self._thread.join()
        if self._error is not None:
            self._release_lock()  # the writer is done: recovery may finalise what it wrote
            raise RecordingFailed(
                f"{self.path}: {self._error}; the samples written so far stay readable, and "
                f"`dexstation recover --dataset {self.path.parent}` finalises the episode"
            ) from self._error
        for channel in self._channels.values():
            channel.queue.discard()
        self._metadata = _updated(
            base,
            {
                "status": "complete",
                "end_utc": utc_now_iso(),
                "drops": self._drops(),
                "streams": {
                    s.name: StreamInfo(
                        family=s.family, rate_hz=s.rate_hz, count=self._channels[s.name].written
                    )
                    for s in self._specs
                },
            },
        )
        self._group.attrs.put(self._metadata.model_dump(mode="json"))
        self._release_lock()
        return self._metadata

    def _release_lock(self) -> None:
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def stats(self) -> WriterStats:
        """Per-stream queued/written/dropped counts and flush times, for the health panel."""
        streams = {
            name: StreamStats(
                len(c.queue), c.queue.capacity, c.written, c.dropped, c.last_flush_s, c.max_wait_s
            )
            for name, c in self._channels.items()
        }
        streams |= {
            name: StreamStats(0, 0, 0, n, 0.0, 0.0) for name, n in self._unknown_drops().items()
        }
        error = None if self._error is None else str(self._error)
        return WriterStats(streams, self._cpu_s, error)

    def _drops(self) -> dict[str, int]:
        return {name: c.dropped for name, c in self._channels.items()} | self._unknown_drops()

    def _unknown_drops(self) -> dict[str, int]:
        with self._unknown_lock:
            return dict(self._unknown)

    def _count_unknown(self, stream: str) -> None:
        with self._unknown_lock:
            first = stream not in self._unknown
            self._unknown[stream] = self._unknown.get(stream, 0) + 1
        if first:
            log.warning("%s: dropping samples of undeclared stream %r", self.path.name, stream)

    def _run(self, writers: dict[str, StreamWriter]) -> None:
        try:
            while not self._stopping.wait(self._poll_s):
                for name, channel in self._channels.items():
                    writer = writers[name]
                    self._flush(writer, channel, self._rows_due(writer, channel))
                self._cpu_s = time.thread_time()
            for name, channel in self._channels.items():
                self._flush(writers[name], channel, len(channel.queue))
        except Exception as exc:
            log.exception("%s: recording failed", self.path)
            self._error = exc
        finally:
            self._cpu_s = time.thread_time()

    def _rows_due(self, writer: StreamWriter, channel: _Channel) -> int:
        """How many queued samples to write now (0: wait)."""
        queue = channel.queue
        oldest = queue.oldest_ns()
        if oldest is None:
            return 0
        pending = len(queue)
        if time.monotonic_ns() - oldest >= self._max_wait_ns or pending >= queue.capacity // 2:
            return pending
        if writer.chunk_rows is not None:
            return pending - pending % writer.chunk_rows
        return 0

    @staticmethod
    def _flush(writer: StreamWriter, channel: _Channel, rows: int) -> None:
        oldest = channel.queue.oldest_ns()
        if rows == 0 or oldest is None:
            return
        t0 = time.perf_counter()
        batch = channel.queue.take(rows)
        channel.rejected += writer.write(batch)
        channel.written = writer.rows
        channel.last_flush_s = time.perf_counter() - t0
        channel.max_wait_s = max(channel.max_wait_s, (time.monotonic_ns() - oldest) * 1e-9)
