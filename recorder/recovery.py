"""Finalising episodes whose recording process died (killed, crashed, out of memory).

The writer publishes rows only after their bytes are written and flushes at least every second
(see :mod:`recorder.zarr_append`), so an interrupted episode is readable as it is, each stream
as long as its shortest array. Recovery makes it a finished episode, under its writer lock
(:mod:`recorder.writer_lock`) so a live recording is never touched:

1. every array of a stream is cut to the rows all of them hold and whose last chunk decodes
   (a row some arrays lack, or a chunk that does not decode, never appears as data); a JPEG
   field keeps the frames whose bytes are all there, and its bytes array ends with the last;
   chunk files past the new shapes and temporary files are removed;
2. the metadata: status ``recovered``, per-stream counts, ``end_utc`` at the last sample
   captured, a note; then its catalog entry.

The metadata is written last, so recovery interrupted in turn is simply run again. Finished
episodes are never touched. A recording killed while starting holds no sample and left a folder
without a group ``zarr.json`` (not an episode); recovery removes it.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import zarr

from recorder.dataset_store import DatasetStore, as_store
from recorder.episode_id import is_episode_id
from recorder.episode_reader import (
    GROUP_JSON,
    EpisodeFormatError,
    StreamData,
    open_episode,
    read_metadata,
)
from recorder.layout import JPEG_BYTES_SUFFIX, WRITER_LOCK, jpeg_offsets_name
from recorder.metadata import EpisodeMetadata
from recorder.writer_lock import WriterLock, is_held
from recorder.zarr_append import truncate

RECOVERED_NOTE = "recovered after the recording process ended without stopping"


@dataclass(frozen=True)
class Recovered:
    """One recovered episode: its new metadata, the time its samples span (s, first to last
    capture over every stream), and the rows cut because not every array of their stream
    held them readably."""

    metadata: EpisodeMetadata
    duration_s: float
    cut_rows: int


@dataclass
class RecoveryReport:
    """What :func:`recover_dataset` did: episodes recovered; ids of folders removed (recordings
    killed while starting, no samples); ids still being recorded (left alone); one message per
    episode that could not be read, naming it and the fix."""

    recovered: list[Recovered] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    live: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def recover_episode(folder: Path) -> Recovered | None:
    """Finalise the interrupted episode in ``folder`` (its catalog entry is the caller's);
    None when it is finished or still being written. EpisodeFormatError when it cannot be
    read."""
    if read_metadata(folder).status != "recording":
        return None  # checked before taking the lock: a finished episode is never touched
    lock = WriterLock.try_acquire(folder)
    if lock is None:
        return None
    try:
        episode = open_episode(folder)  # again, under the lock: the writer may just have ended
        if episode.metadata.status != "recording":
            return None
        for temporary in folder.rglob("*.partial"):
            temporary.unlink()
        kept = {name: _finalise(episode.stream(name)) for name in episode.streams}
        captured = [t for t, _ in kept.values() if len(t)]
        first = min((int(t.min()) for t in captured), default=None)
        last = max((int(t.max()) for t in captured), default=None)
        counts = {name: len(t) for name, (t, _) in kept.items()}
        metadata = _recovered_metadata(episode.metadata, counts, last)
        zarr.open_group(folder, mode="r+", zarr_format=3).attrs.put(
            metadata.model_dump(mode="json")
        )  # zarr writes zarr.json atomically (a temporary file renamed over it)
    finally:
        lock.release()
    duration = (last - first) * 1e-9 if first is not None and last is not None else 0.0
    return Recovered(metadata, duration, sum(cut for _, cut in kept.values()))


def remove_unstarted(folder: Path) -> bool:
    """Remove ``folder`` if it is what a recording killed while starting leaves: a writer lock
    nobody holds and no group ``zarr.json``. False (nothing done) otherwise."""
    if (folder / GROUP_JSON).exists() or not (folder / WRITER_LOCK).is_file():
        return False
    lock = WriterLock.try_acquire(folder)
    if lock is None:
        return False
    try:
        if (folder / GROUP_JSON).exists():
            return False
        shutil.rmtree(folder)
    finally:
        lock.release()
    return True


def recover_dataset(store_or_root: DatasetStore | Path | str) -> RecoveryReport:
    """Recover every interrupted episode of a local dataset (or spool) folder and write its
    catalog entry; remove the folders of recordings killed while starting. ValueError for an
    object store: recovery runs where episodes are recorded."""
    store = as_store(store_or_root)
    if store.local_path is None:
        raise ValueError(
            f"{store.url}: recover runs where episodes are recorded: give the station's "
            "dataset or spool folder"
        )
    report = RecoveryReport()
    if not store.local_path.is_dir():
        return report
    for folder in sorted(p for p in store.local_path.iterdir() if is_episode_id(p.name)):
        if not (folder / GROUP_JSON).is_file():
            if remove_unstarted(folder):
                report.removed.append(folder.name)
            elif is_held(folder):
                report.live.append(folder.name)
            continue
        try:
            result = recover_episode(folder)
        except EpisodeFormatError as exc:
            report.problems.append(str(exc))
            continue
        if result is not None:
            store.write_catalog_entry(result.metadata)
            report.recovered.append(result)
        elif is_held(folder):
            report.live.append(folder.name)
    return report


def _finalise(stream: StreamData) -> tuple[np.ndarray, int]:
    """Cut every array of ``stream`` to its consistent rows (module docstring, step 1);
    returns the kept rows' capture times (ns) and how many rows the longest array lost."""
    per_row = [a for a in stream.arrays if not a.endswith(JPEG_BYTES_SUFFIX)]
    longest = max(stream.extent(a)[0] for a in per_row)
    rows = min(_readable_rows(stream, a, len(stream)) for a in per_row)
    ends = {}
    for name in (a for a in stream.arrays if a.endswith(JPEG_BYTES_SUFFIX)):
        offsets = stream.stored(jpeg_offsets_name(name.removesuffix(JPEG_BYTES_SUFFIX)), 0, rows)
        ends[name] = offsets.sum(axis=1)
        whole = _readable_rows(stream, name, stream.extent(name)[0])
        rows = min(rows, int(np.searchsorted(ends[name], whole, side="right")))
    for name in per_row:
        truncate(stream.path / name, rows)
    for name, frame_ends in ends.items():
        truncate(stream.path / name, int(frame_ends[rows - 1]) if rows else 0)
    return stream.t_capture_ns[:rows], longest - rows


def _readable_rows(stream: StreamData, array: str, rows: int) -> int:
    """The most rows, at most ``rows``, of ``array`` whose last chunk is there and decodes."""
    chunk_rows = stream.extent(array)[1]
    while rows > 0:
        start = (rows - 1) // chunk_rows * chunk_rows
        try:
            stream.stored(array, start, rows)
        except EpisodeFormatError:
            rows = start
            continue
        return rows
    return 0


def _recovered_metadata(
    meta: EpisodeMetadata, counts: dict[str, int], last_ns: int | None
) -> EpisodeMetadata:
    """``meta`` finalised: status, note, per-stream counts, and ``end_utc`` at station
    monotonic time ``last_ns`` (ns; None: no sample, the episode ends where it started)."""
    end_utc = meta.start_utc
    if last_ns is not None and meta.start_utc and meta.start_monotonic_ns is not None:
        offset = timedelta(microseconds=(last_ns - meta.start_monotonic_ns) / 1e3)
        end_utc = (datetime.fromisoformat(meta.start_utc) + offset).isoformat("T", "microseconds")
    return EpisodeMetadata.model_validate(
        {
            **meta.model_dump(),
            "status": "recovered",
            "end_utc": end_utc,
            "notes": f"{meta.notes}; {RECOVERED_NOTE}" if meta.notes else RECOVERED_NOTE,
            "streams": {
                name: {**info.model_dump(), "count": counts.get(name, 0)}
                for name, info in meta.streams.items()
            },
        }
    )
