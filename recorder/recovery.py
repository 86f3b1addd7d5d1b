"""Finalising episodes whose recording process died (killed, crashed, power lost).

The writer publishes rows only after their bytes are on disk and flushes at least every
second (see :mod:`recorder.zarr_append`), so an interrupted episode is readable as it is: each
stream has as many rows as its shortest array. Recovery makes it a finished episode: status
``recovered``, per-stream counts, ``end_utc`` at the last sample captured, a note, and its
catalog entry. An episode is interrupted when its status is still ``recording`` and no process
holds its writer lock (:data:`~recorder.layout.WRITER_LOCK`); a live recording is never
touched, nor is any finished episode.
"""

from __future__ import annotations

import fcntl
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import zarr

from recorder.dataset_store import DatasetStore
from recorder.episode_reader import EpisodeFormatError, open_episode
from recorder.layout import WRITER_LOCK
from recorder.metadata import EpisodeMetadata

RECOVERED_NOTE = "recovered after the recording process ended without stopping"


@dataclass(frozen=True)
class Recovered:
    """One recovered episode: its new metadata and the seconds of data it holds."""

    metadata: EpisodeMetadata
    duration_s: float


def writer_alive(folder: Path) -> bool:
    """True while a process holds the episode's writer lock."""
    try:
        with (folder / WRITER_LOCK).open("r") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            fcntl.flock(lock, fcntl.LOCK_UN)
    except BlockingIOError:
        return True
    except FileNotFoundError:
        return False
    return False


def recover_episode(folder: Path) -> Recovered | None:
    """Finalise the interrupted episode in ``folder``; None when it is not interrupted
    (finished, or still being written). EpisodeFormatError when it cannot be read."""
    episode = open_episode(folder)
    meta = episode.metadata
    if meta.status != "recording" or writer_alive(folder):
        return None
    streams = {name: episode.stream(name) for name in episode.streams}
    last = max((int(s.t_capture_ns[-1]) for s in streams.values() if len(s)), default=None)
    first = min((int(s.t_capture_ns[0]) for s in streams.values() if len(s)), default=None)
    end_utc = meta.start_utc
    if last is not None and meta.start_utc and meta.start_monotonic_ns is not None:
        start = datetime.fromisoformat(meta.start_utc)
        end = start + timedelta(microseconds=(last - meta.start_monotonic_ns) / 1e3)
        end_utc = end.isoformat(timespec="microseconds")
    counts = {name: len(stream) for name, stream in streams.items()}
    recovered = EpisodeMetadata.model_validate(
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
    group = zarr.open_group(folder, mode="r+", zarr_format=3)
    group.attrs.put(recovered.model_dump(mode="json"))  # zarr writes zarr.json atomically
    duration = (last - first) * 1e-9 if last is not None and first is not None else 0.0
    return Recovered(recovered, duration)


def recover_dataset(store: DatasetStore) -> tuple[list[Recovered], list[str]]:
    """Recover every interrupted episode of a local dataset and catalog it; returns the
    recovered episodes and, for each episode that could not be read, a message naming it."""
    if store.local_path is None:
        raise ValueError(f"{store.url}: recover runs where episodes are recorded (a folder)")
    recovered, problems = [], []
    for folder in sorted(p for p in store.local_path.iterdir() if p.is_dir()):
        if not (folder / "zarr.json").is_file() or folder.name.startswith("."):
            continue
        try:
            result = recover_episode(folder)
        except EpisodeFormatError as exc:
            problems.append(str(exc))
            continue
        if result is not None:
            store.write_catalog_entry(result.metadata)
            recovered.append(result)
    return recovered, problems
