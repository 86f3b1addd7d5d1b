"""Editing a local dataset's episodes: trim, delete to the trash, restore.

Every operation touches one episode folder, found by its id (never a user-typed name), and
changes it by renames within the dataset's filesystem, so another episode can never be
affected and a crash leaves either the old or the new state:

- :func:`delete` moves ``<root>/<id>`` to ``<root>/.trash/<id>``, then drops its catalog entry;
- :func:`restore` moves it back and writes its catalog entry again;
- :func:`trim` writes the kept samples into ``<root>/.trim-<id>/``, moves the original to the
  trash (where :func:`restore` can bring it back once the trimmed one is deleted), then moves
  the trimmed copy in. A second trim keeps the first original in the trash.

Relabelling is :meth:`~recorder.dataset_store.DatasetStore.update_metadata`. The trash and
trim work on local dataset folders; an object-store dataset is refused with that message.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np
import zarr

from recorder.dataset_store import DatasetStore
from recorder.episode_id import is_episode_id
from recorder.episode_reader import open_episode
from recorder.layout import STREAMS_GROUP, TIMING_FIELDS, jpeg_bytes_name, jpeg_offsets_name
from recorder.metadata import EpisodeMetadata

TRASH = ".trash"


def _root(store: DatasetStore) -> Path:
    """The folder of a local store; ValueError for an object store."""
    if store.local_path is None:
        raise ValueError(
            f"{store.url}: trash and trim work on a local dataset folder; "
            "edit a local copy, or delete with the object store's own tools"
        )
    return store.local_path


def _folder(store: DatasetStore, episode_id: str) -> Path:
    """``<root>/<episode_id>``; ValueError for a bad id or an object store."""
    if not is_episode_id(episode_id):
        raise ValueError(f"{episode_id!r} is not an episode id")
    return _root(store) / episode_id


def _finished(path: Path) -> EpisodeMetadata:
    if not path.is_dir():
        raise FileNotFoundError(f"{path}: no such episode")
    metadata = open_episode(path).metadata
    if metadata.status == "recording":
        raise ValueError(f"{path}: still recording; stop it (or recover it) first")
    return metadata


def delete(store: DatasetStore, episode_id: str) -> Path:
    """Move an episode to the trash; returns its place there."""
    source = _folder(store, episode_id)
    _finished(source)
    target = source.parent / TRASH / episode_id
    if target.exists():
        raise FileExistsError(f"{target} exists: restore or empty that one first")
    target.parent.mkdir(exist_ok=True)
    os.rename(source, target)
    os.utime(target)  # the trash lists by deletion time
    store.remove_catalog_entry(episode_id)
    return target


def list_trash(store: DatasetStore) -> list[str]:
    """Ids in the trash, oldest deletion first."""
    trash = _root(store) / TRASH
    if not trash.is_dir():
        return []
    found = [p for p in trash.iterdir() if p.is_dir() and is_episode_id(p.name)]
    return [p.name for p in sorted(found, key=lambda p: p.stat().st_mtime)]


def restore(store: DatasetStore, episode_id: str) -> EpisodeMetadata:
    """Move an episode back from the trash and catalog it again."""
    target = _folder(store, episode_id)
    source = target.parent / TRASH / episode_id
    if not source.is_dir():
        raise FileNotFoundError(f"{episode_id} is not in the trash of {store.url}")
    if target.exists():
        raise FileExistsError(f"{target} exists (a trimmed version?): delete it first")
    os.rename(source, target)
    metadata = open_episode(target).metadata
    store.write_catalog_entry(metadata)
    return metadata


def trim(store: DatasetStore, episode_id: str, start_s: float, end_s: float) -> EpisodeMetadata:
    """Keep only the samples captured from ``start_s`` to ``end_s`` (s after the episode's
    first sample, both included); returns the new metadata."""
    folder = _folder(store, episode_id)
    _finished(folder)
    if not 0.0 <= start_s < end_s:
        raise ValueError(f"trim window {start_s}..{end_s} s is empty or negative")
    episode = open_episode(folder)
    streams = {name: episode.stream(name) for name in episode.streams}
    first = min((int(s.t_capture_ns[0]) for s in streams.values() if len(s)), default=0)
    lo, hi = first + round(start_s * 1e9), first + round(end_s * 1e9)
    scratch = folder.parent / f".trim-{episode_id}"
    shutil.rmtree(scratch, ignore_errors=True)
    source = zarr.open_group(folder, mode="r", zarr_format=3)
    copy = zarr.open_group(scratch, mode="w", zarr_format=3)
    counts = {}
    for name, stream in streams.items():
        keep = np.flatnonzero((stream.t_capture_ns >= lo) & (stream.t_capture_ns <= hi))
        counts[name] = len(keep)
        _copy_rows(source[f"{STREAMS_GROUP}/{name}"], copy, name, stream.fields, len(stream), keep)
    meta = episode.metadata
    note = f"trimmed to {start_s:.3f}..{end_s:.3f} s"
    updated = EpisodeMetadata.model_validate(
        {
            **meta.model_dump(),
            "notes": f"{meta.notes}; {note}" if meta.notes else note,
            "streams": {
                n: {**info.model_dump(), "count": counts.get(n, 0)}
                for n, info in meta.streams.items()
            },
        }
    )
    copy.attrs.update(updated.model_dump(mode="json"))
    original = folder.parent / TRASH / episode_id
    original.parent.mkdir(exist_ok=True)
    if original.exists():  # the first original is kept
        shutil.rmtree(folder)
    else:
        os.rename(folder, original)
    os.rename(scratch, folder)
    store.write_catalog_entry(updated)
    return updated


def _copy_rows(
    source: zarr.Group,
    target_root: zarr.Group,
    name: str,
    fields: tuple[str, ...],
    rows: int,
    keep: np.ndarray,
) -> None:
    """Copy rows ``keep`` of every array of one stream group, with its attributes, codecs
    and chunking."""
    group = target_root.require_group(f"{STREAMS_GROUP}/{name}")
    group.attrs.update(source.attrs.asdict())
    jpeg = {f for f in fields if jpeg_offsets_name(f) in source}
    per_row = [*TIMING_FIELDS, *(f for f in fields if f not in jpeg)]
    for array in per_row:
        _write_like(source[array], group, array, source[array][:rows][keep])
    for field in jpeg:
        offsets = source[jpeg_offsets_name(field)][:rows][keep]
        blob = source[jpeg_bytes_name(field)]
        files = [blob[int(start) : int(start + length)] for start, length in offsets]
        lengths = offsets[:, 1].astype(np.int64)
        new_offsets = np.stack([np.cumsum(lengths) - lengths, lengths], axis=1)
        data = np.concatenate(files) if files else np.zeros(0, np.uint8)
        _write_like(blob, group, jpeg_bytes_name(field), data)
        _write_like(source[jpeg_offsets_name(field)], group, jpeg_offsets_name(field), new_offsets)


def _write_like(template: zarr.Array, group: zarr.Group, name: str, data: np.ndarray) -> None:
    array = group.create_array(
        name,
        shape=data.shape,
        dtype=template.dtype,
        chunks=template.chunks,
        compressors=template.compressors,
        attributes=template.attrs.asdict(),
        fill_value=template.fill_value,
    )
    if data.size:
        array[...] = data
