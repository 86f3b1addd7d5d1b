"""Editing a local dataset's episodes: relabel, trim, delete to the trash, restore, purge.

Every operation touches one episode, found by its id (never a user-typed name), and changes
its folder by renames within the dataset's filesystem, so no other episode can be affected and
a crash leaves the old or the new state, never a mix:

- :func:`delete` moves ``<root>/<id>`` to ``<root>/.trash/<id>``, then drops its catalog
  entry; :func:`restore` moves it back and writes the entry again; :func:`purge` removes a
  trashed episode for good;
- :func:`trim` writes the kept samples into ``<root>/.trim-<id>/``, renames that into the trash
  as ``<root>/.trash/<id>``, then swaps it with ``<root>/<id>`` in one atomic step: the trimmed
  episode is in place and the original in the trash. :func:`restore` of a trimmed episode
  swaps them back.

The trash keeps one version per id: when a second one comes (a trimmed episode trimmed again
or deleted, an original trimmed again after a restore), it keeps the one holding every sample
of the other and removes the other, so no sample is ever lost. Relabelling is
:meth:`~recorder.dataset_store.DatasetStore.update_metadata`. An object-store dataset is
refused with a message: edit a local copy.
"""

from __future__ import annotations

import ctypes
import errno
import os
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import zarr

from recorder.dataset_store import DatasetStore, as_store
from recorder.episode_id import is_episode_id
from recorder.episode_reader import (
    Episode,
    EpisodeFormatError,
    StreamData,
    open_episode,
    read_metadata,
)
from recorder.layout import STREAMS_GROUP, jpeg_bytes_name, jpeg_offsets_name
from recorder.metadata import EpisodeMetadata
from recorder.writer_lock import is_held
from recorder.zarr_append import Appender, create_appendable

TRASH = ".trash"
TRIM_PREFIX = ".trim-"

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100
_renameat2 = getattr(ctypes.CDLL(None, use_errno=True), "renameat2", None)
"""glibc's renameat2 (Linux 3.15+, glibc 2.28+), or None."""


def relabel(
    store_or_root: DatasetStore | Path | str, episode_id: str, changes: Mapping[str, Any]
) -> EpisodeMetadata:
    """Change the labels of an episode (see DatasetStore.update_metadata); returns them all."""
    return as_store(store_or_root).update_metadata(episode_id, changes)


def delete(store_or_root: DatasetStore | Path | str, episode_id: str) -> Path:
    """Move an episode to the trash (an unreadable or interrupted one too, never a live
    recording); returns its place there. When the trash holds a version already (the
    original of a trim), the one holding every sample of the other stays there."""
    store = as_store(store_or_root)
    source = _folder(store, episode_id)
    if not source.is_dir():
        raise FileNotFoundError(f"{source}: no such episode")
    if is_held(source):
        raise ValueError(f"{source}: still recording; stop it first")
    target = _trashed(store, episode_id)
    if _make_room(target, source):
        shutil.rmtree(source)
    else:
        target.parent.mkdir(exist_ok=True)
        os.rename(source, target)
    os.utime(target)  # the trash lists by deletion time
    store.remove_catalog_entry(episode_id)
    return target


def list_trash(store_or_root: DatasetStore | Path | str) -> list[str]:
    """Ids in the trash, oldest deletion first."""
    trash = _root(as_store(store_or_root)) / TRASH
    if not trash.is_dir():
        return []
    found = [p for p in trash.iterdir() if p.is_dir() and is_episode_id(p.name)]
    return [p.name for p in sorted(found, key=lambda p: p.stat().st_mtime)]


def restore(store_or_root: DatasetStore | Path | str, episode_id: str) -> EpisodeMetadata | None:
    """Bring an episode back from the trash and catalog it again. When a trimmed version is in
    place the two swap (undoing the trim; the trimmed one goes to the trash). Returns the
    restored metadata, or None when it is unreadable or unfinished (then it has no catalog
    entry, as before it was deleted)."""
    store = as_store(store_or_root)
    target = _folder(store, episode_id)
    source = _trashed(store, episode_id)
    if not source.is_dir():
        raise FileNotFoundError(f"{episode_id} is not in the trash of {store.url}")
    if target.exists():
        _exchange(source, target)
        os.utime(source)
    else:
        os.rename(source, target)
    try:
        metadata = read_metadata(target)
    except EpisodeFormatError:
        return None
    if metadata.status == "recording":
        return None
    store.write_catalog_entry(metadata)
    return metadata


def purge(store_or_root: DatasetStore | Path | str, episode_id: str) -> None:
    """Remove an episode from the trash for good."""
    store = as_store(store_or_root)
    trashed = _trashed(store, episode_id)
    if not trashed.is_dir():
        raise FileNotFoundError(f"{episode_id} is not in the trash of {store.url}")
    shutil.rmtree(trashed)


def trim(
    store_or_root: DatasetStore | Path | str, episode_id: str, start_s: float, end_s: float
) -> EpisodeMetadata:
    """Keep only the samples captured from ``start_s`` to ``end_s`` (s after the episode's
    first sample, both included); returns the new metadata. Chunking, codecs and attributes
    stay; JPEG frames are copied, never re-encoded. ValueError for an empty window, one that
    keeps no sample, or an episode still recording."""
    store = as_store(store_or_root)
    folder = _folder(store, episode_id)
    if not 0.0 <= start_s < end_s:
        raise ValueError(f"trim window {start_s}..{end_s} s is empty or negative")
    episode = open_episode(folder)
    if episode.metadata.status == "recording":
        raise ValueError(f"{folder}: still recording; stop it (or recover it) first")
    streams = {name: episode.stream(name) for name in episode.streams}
    first = min((int(s.t_capture_ns.min()) for s in streams.values() if len(s)), default=0)
    lo, hi = first + round(start_s * 1e9), first + round(end_s * 1e9)
    keep = {
        name: np.flatnonzero((s.t_capture_ns >= lo) & (s.t_capture_ns <= hi))
        for name, s in streams.items()
    }
    if not any(len(rows) for rows in keep.values()):
        raise ValueError(f"{folder}: no sample was captured {start_s}..{end_s} s after the first")
    meta = episode.metadata
    note = f"trimmed to {start_s:.3f}..{end_s:.3f} s"
    updated = EpisodeMetadata.model_validate(
        {
            **meta.model_dump(),
            "notes": f"{meta.notes}; {note}" if meta.notes else note,
            "streams": {
                n: {**info.model_dump(), "count": len(keep.get(n, ()))}
                for n, info in meta.streams.items()
            },
        }
    )
    original = _trashed(store, episode_id)
    keep_original = _make_room(original, folder)
    scratch = folder.parent / f"{TRIM_PREFIX}{episode_id}"
    shutil.rmtree(scratch, ignore_errors=True)  # a trim cut short: a partial copy
    copy = zarr.create_group(scratch / STREAMS_GROUP, zarr_format=3)
    for name, stream in streams.items():
        _copy_stream(stream, copy, keep[name])
    zarr.create_group(scratch, zarr_format=3, attributes=updated.model_dump(mode="json"))
    if keep_original:  # this episode was trimmed from it: the trimmed one need not be kept
        _exchange(scratch, folder)
        shutil.rmtree(scratch)
    else:
        original.parent.mkdir(exist_ok=True)
        os.rename(scratch, original)
        _exchange(original, folder)
        os.utime(original)
    store.write_catalog_entry(updated)
    return updated


def _root(store: DatasetStore) -> Path:
    """The folder of a local store; ValueError for an object store."""
    if store.local_path is None:
        raise ValueError(
            f"{store.url}: the trash and trim work on a local dataset folder; edit a local "
            "copy, or delete with the object store's own tools"
        )
    return store.local_path


def _folder(store: DatasetStore, episode_id: str) -> Path:
    """``<root>/<episode_id>``; ValueError for a bad id or an object store."""
    if not is_episode_id(episode_id):
        raise ValueError(f"{episode_id!r} is not an episode id")
    return _root(store) / episode_id


def _trashed(store: DatasetStore, episode_id: str) -> Path:
    """``<root>/.trash/<episode_id>``; ValueError for a bad id or an object store."""
    return _root(store) / TRASH / _folder(store, episode_id).name


def _make_room(trashed: Path, live: Path) -> bool:
    """Before the episode folder ``live`` goes to the trash at ``trashed`` (same id): True when
    ``trashed`` holds every sample of ``live`` (the original ``live`` was trimmed from), so
    ``live`` need not be kept; False when the place is free, ``trashed`` absent or removed
    because ``live`` holds every sample of it. The trash thus keeps one version per id and no
    sample is ever lost. FileExistsError when neither holds the other."""
    if not trashed.exists():
        return False
    try:
        kept, new = open_episode(trashed), open_episode(live)
    except EpisodeFormatError as exc:
        raise FileExistsError(
            f"{trashed} is in the way and cannot be compared ({exc}); restore it (they swap) "
            f"or purge it for good (dexstation episodes purge {live.name}) first"
        ) from exc
    if _holds(kept, new):
        return True
    if not _holds(new, kept):
        raise FileExistsError(
            f"{trashed} holds other samples than {live}: restore it (they swap) or purge it "
            f"for good (dexstation episodes purge {live.name}) first"
        )
    shutil.rmtree(trashed)
    return False


def _holds(big: Episode, small: Episode) -> bool:
    """Every sample of ``small`` is in ``big``: same streams, capture times a subset."""
    return all(
        name in big.streams
        and np.isin(small.stream(name).t_capture_ns, big.stream(name).t_capture_ns).all()
        for name in small.streams
    )


def _exchange(a: Path, b: Path) -> None:
    """Swap folders ``a`` and ``b`` (same filesystem) in one atomic step (renameat2
    RENAME_EXCHANGE); where the system or the filesystem (NFS, ...) cannot, by three renames
    through ``.swap-<name of a>``."""
    if _renameat2 is not None:
        if _renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
            return
        code = ctypes.get_errno()
        if code not in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP):
            raise OSError(code, os.strerror(code), str(a), None, str(b))
    aside = a.with_name(f".swap-{a.name}")
    os.rename(a, aside)
    os.rename(b, a)
    os.rename(aside, b)


def _copy_stream(stream: StreamData, streams: zarr.Group, keep: np.ndarray) -> None:
    """Copy rows ``keep`` (ascending) of every array of ``stream`` into a new group of
    ``streams``, with the same attributes, chunking and codecs."""
    source = zarr.open_group(stream.path, mode="r", zarr_format=3)
    group = streams.create_group(stream.name, attributes=source.attrs.asdict())
    jpeg = [f for f in stream.fields if stream.spec.fields[f].encoding == "jpeg"]
    for field in jpeg:
        _copy_frames(stream, source, group, field, keep)
    copied = {name for f in jpeg for name in (jpeg_bytes_name(f), jpeg_offsets_name(f))}
    for name in (a for a in stream.arrays if a not in copied):
        target = _like(source[name], group, name)
        for part in _parts(keep, target.chunk_rows):
            target.append(stream.stored(name, int(part[0]), int(part[-1]) + 1)[part - part[0]])
        target.publish()


def _copy_frames(
    stream: StreamData, source: zarr.Group, group: zarr.Group, field: str, keep: np.ndarray
) -> None:
    """Copy the JPEG files of frames ``keep`` of ``field`` and their new (start, length)."""
    files_name, offsets_name = jpeg_bytes_name(field), jpeg_offsets_name(field)
    files = _like(source[files_name], group, files_name)
    offsets = _like(source[offsets_name], group, offsets_name)
    for part in _parts(keep, offsets.chunk_rows):
        rows = stream.stored(offsets_name, int(part[0]), int(part[-1]) + 1)[part - part[0]]
        start = int(rows[0, 0])
        blob = stream.stored(files_name, start, int(rows[-1].sum()))
        lengths = rows[:, 1]
        offsets.append(np.stack([files.rows + np.cumsum(lengths) - lengths, lengths], axis=1))
        files.append(np.concatenate([blob[s - start : s - start + n] for s, n in rows]))
    files.publish()
    offsets.publish()


def _parts(keep: np.ndarray, size: int) -> list[np.ndarray]:
    """``keep`` in consecutive pieces of at most ``size`` rows."""
    return [keep[i : i + size] for i in range(0, len(keep), size)]


def _like(template: zarr.Array, group: zarr.Group, name: str) -> Appender:
    """An empty appendable array ``name`` in ``group`` with ``template``'s row shape, dtype,
    chunking, codecs and attributes."""
    return create_appendable(
        group,
        name,
        tuple(template.shape[1:]),
        str(template.dtype),
        template.chunks[0],
        bool(template.compressors),
        template.attrs.asdict(),
    )
