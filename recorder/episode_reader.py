"""Reading recorded episodes: metadata, streams, timing arrays, fields and JPEG frames."""

from __future__ import annotations

import logging
from functools import cached_property
from pathlib import Path

import numpy as np
import zarr
import zarr.errors
from pydantic import ValidationError

from devices.streams import StreamSpec
from recorder.episode_id import is_episode_id
from recorder.jpeg import decode_jpeg
from recorder.layout import (
    STREAMS_GROUP,
    TIMING_FIELDS,
    jpeg_bytes_name,
    jpeg_offsets_name,
    spec_from_attrs,
)
from recorder.metadata import EpisodeMetadata

log = logging.getLogger(__name__)

GROUP_JSON = "zarr.json"
"""The metadata file of a zarr v3 group (or array); an episode's own is its commit marker."""


BLOCK_ROWS = 64
"""Rows of a raw field :meth:`StreamData.frame` reads at once: walking a stream row by row
decodes each chunk once, not once per row."""


class EpisodeFormatError(ValueError):
    """A folder is not a readable episode; the message names the path and the problem."""


def _fix(path: Path, trimmable: bool = False) -> str:
    """What to do about the damaged episode ``path``; ``trimmable``: the damage is in rows,
    which a trim can leave out."""
    trim = f"trim the damaged rows off (dexstation episodes trim {path.name} ...), "
    trim = trim if trimmable else ""
    return (
        f"restore the file from a copy, {trim}or move the episode to the trash (dexstation "
        f"episodes delete {path.name}); every other episode stays usable"
    )


def _open(path: Path) -> tuple[zarr.Group, EpisodeMetadata]:
    group_json = path / GROUP_JSON
    if not path.is_dir():
        raise EpisodeFormatError(f"{path}: no such episode folder")
    try:
        group = zarr.open_group(path, mode="r", zarr_format=3)
    except (OSError, ValueError, zarr.errors.BaseZarrError) as exc:
        raise EpisodeFormatError(
            f"{group_json}: not a zarr v3 group ({exc}); {_fix(path)}"
        ) from exc
    attrs = group.attrs.asdict()
    if not attrs:
        raise EpisodeFormatError(
            f"{group_json}: no episode metadata (the group has no attributes); {_fix(path)}"
        )
    try:
        metadata = EpisodeMetadata.model_validate(attrs)
    except ValidationError as exc:
        raise EpisodeFormatError(
            f"{group_json}: invalid episode metadata: {exc}\n{_fix(path)}"
        ) from exc
    if metadata.episode_id != path.name:
        raise EpisodeFormatError(
            f"{group_json}: metadata names episode {metadata.episode_id!r}, not the folder's "
            f"name; {_fix(path)}"
        )
    return group, metadata


def read_metadata(path: Path | str) -> EpisodeMetadata:
    """The metadata of the episode in folder ``path``; EpisodeFormatError if unreadable."""
    return _open(Path(path))[1]


def open_episode(path: Path | str) -> Episode:
    """Open the episode in folder ``path``; EpisodeFormatError if it is not one."""
    path = Path(path)
    group, metadata = _open(path)
    return Episode(path, group, metadata)


def list_episodes(root: Path | str) -> list[tuple[str, EpisodeMetadata]]:
    """(episode id, metadata) of every readable episode directly under ``root``, by id.

    Only folders named by an episode id count (never ``.trash`` or a trim in progress);
    those that are not readable episodes are skipped with a warning naming the problem.
    """
    found = []
    folders = [p for p in Path(root).iterdir() if is_episode_id(p.name)]
    for path in sorted(p for p in folders if (p / GROUP_JSON).is_file()):
        try:
            found.append((path.name, read_metadata(path)))
        except EpisodeFormatError as exc:
            log.warning("skipping %s", exc)
    return found


class Episode:
    """One recorded episode: its metadata and streams."""

    def __init__(self, path: Path, group: zarr.Group, metadata: EpisodeMetadata) -> None:
        self.path = path
        self.metadata = metadata
        self._group = group

    @cached_property
    def streams(self) -> tuple[str, ...]:
        """Names of the recorded streams, sorted."""
        if STREAMS_GROUP not in self._group:
            return ()
        return tuple(sorted(self._group[STREAMS_GROUP].group_keys()))

    def stream(self, name: str) -> StreamData:
        """The arrays of stream ``name``; KeyError naming the known streams if absent,
        EpisodeFormatError naming the file and the fix if the stream cannot be read."""
        if name not in self.streams:
            raise KeyError(f"{self.path}: no stream {name!r}; streams: {', '.join(self.streams)}")
        folder = self.path / STREAMS_GROUP / name
        try:
            group = self._group[f"{STREAMS_GROUP}/{name}"]
            spec = spec_from_attrs(name, group.attrs.asdict())
        except (KeyError, TypeError, ValueError, OSError, zarr.errors.BaseZarrError) as exc:
            raise EpisodeFormatError(
                f"{folder / GROUP_JSON}: stream {name!r} has no valid spec ({exc}); "
                f"{_fix(self.path)}"
            ) from exc
        return StreamData(spec, group, folder)


class StreamData:
    """One stream of an episode: timing arrays (loaded), fields (read on demand).

    Rows are samples in arrival order. ``t_device_ns`` holds -1 where ``has_t_device`` is
    false. The stream has as many rows as its shortest array: while an episode is being
    written, or after a crash, its arrays can differ by one flush.
    """

    def __init__(self, spec: StreamSpec, group: zarr.Group, path: Path) -> None:
        """``path``: the stream group's folder, named in errors."""
        self.spec = spec
        self.path = path
        self._group = group
        self._offsets: dict[str, np.ndarray] = {}
        self._blocks: dict[str, tuple[int, np.ndarray]] = {}  # field -> (first row, rows)
        per_row = [*TIMING_FIELDS, *(self._array_name(f) for f in spec.fields)]
        jpeg_bytes = [jpeg_bytes_name(f) for f in spec.fields if self._is_jpeg(f)]
        self._arrays = {name: self._open_array(name) for name in [*per_row, *jpeg_bytes]}
        self.arrays = tuple(self._arrays)
        """Names of the stored arrays: one row per sample, then the JPEG fields' bytes."""
        self._rows = min(self._arrays[name].shape[0] for name in per_row)
        self.seq = self._read("seq")
        self.t_capture_ns = self._read("t_capture_ns")
        self.t_arrival_ns = self._read("t_arrival_ns")
        self.t_device_ns = self._read("t_device_ns")
        self.has_t_device = self._read("has_t_device")
        self.valid = self._read("valid")

    def __len__(self) -> int:
        return self._rows

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def fields(self) -> tuple[str, ...]:
        """The stream's field names, as declared when it was recorded."""
        return tuple(self.spec.fields)

    def field(self, name: str) -> np.ndarray:
        """All rows of field ``name``, shape (N, *field shape); JPEG fields decoded (RGB)."""
        if not self._is_jpeg(name):
            return self._read(name)
        offsets = self._jpeg_offsets(name)
        frames = np.empty((self._rows, *self.spec.fields[name].shape), np.uint8)
        if self._rows:
            first = int(offsets[0, 0])
            files = self.stored(jpeg_bytes_name(name), first, int(offsets[-1].sum()))
            for i, (start, length) in enumerate(offsets - [first, 0]):
                frames[i] = decode_jpeg(files[start : start + length])
        return frames

    def frame(self, name: str, index: int) -> np.ndarray:
        """Row ``index`` of field ``name`` (negative counts from the end); JPEG decoded.
        Raw fields are read BLOCK_ROWS rows at a time and the block kept."""
        i = range(self._rows)[index]
        if not self._is_jpeg(name):
            first, block = self._blocks.get(name, (-1, np.empty(0)))
            if not first <= i < first + len(block):
                first = i - i % BLOCK_ROWS
                block = self.stored(name, first, min(first + BLOCK_ROWS, self._rows))
                self._blocks[name] = (first, block)
            return block[i - first]
        start, length = (int(v) for v in self._jpeg_offsets(name)[i])
        return decode_jpeg(self.stored(jpeg_bytes_name(name), start, start + length))

    def rows(self, name: str, start: int, stop: int) -> np.ndarray:
        """Rows ``start:stop`` (clipped to the stream) of raw field ``name``, one read."""
        if self._is_jpeg(name):
            raise ValueError(f"{name!r} is a JPEG field: read it frame by frame with frame()")
        return self.stored(name, start, min(stop, self._rows))

    def _is_jpeg(self, name: str) -> bool:
        if name not in self.spec.fields:
            raise KeyError(f"stream {self.name!r} has no field {name!r}; fields: {self.fields}")
        return self.spec.fields[name].encoding == "jpeg"

    def _array_name(self, field: str) -> str:
        return jpeg_offsets_name(field) if self._is_jpeg(field) else field

    def _read(self, array: str) -> np.ndarray:
        return self.stored(array, 0, self._rows)

    def extent(self, array: str) -> tuple[int, int]:
        """(rows stored, rows per chunk) of the stored array ``array``: what its shape says,
        which may exceed the stream's length while it is written or after a crash."""
        stored = self._arrays[array]
        return stored.shape[0], stored.chunks[0]

    def stored(self, array: str, start: int, stop: int) -> np.ndarray:
        """Rows ``start:stop`` of the stored array ``array`` as on disk: a timing array, a raw
        field, or a JPEG field's ``.jpeg_offsets`` or ``.jpeg_bytes`` (rows are bytes there).

        The recorder writes every chunk inside an array's shape (with ``.`` chunk keys), so
        there a missing chunk file is damage, like one that does not decode: EpisodeFormatError
        naming the array and the fix, never rows of fill values. (Other zarr writers, with
        ``/`` keys, may leave out chunks holding only the fill value.)
        """
        stored = self._arrays[array]
        if getattr(stored.metadata.chunk_key_encoding, "separator", "/") == ".":
            chunk_rows = stored.chunks[0]
            last = min(stop, stored.shape[0]) - 1
            for index in range(start // chunk_rows, last // chunk_rows + 1 if last >= start else 0):
                key = stored.metadata.encode_chunk_key((index, *(0 for _ in stored.shape[1:])))
                if not (self.path / array / key).is_file():
                    raise self._damaged(array, f"chunk file {key} is missing")
        try:
            return stored[start:stop]
        except (RuntimeError, ValueError, OSError, zarr.errors.BaseZarrError) as exc:
            raise self._damaged(array, str(exc)) from exc

    def _open_array(self, name: str) -> zarr.Array:
        try:
            array = self._group[name]
        except KeyError as exc:
            raise EpisodeFormatError(
                f"{self.path}: stream {self.name!r} lacks array {name!r}; "
                f"{_fix(self.path.parents[1])}"
            ) from exc
        except (ValueError, OSError, zarr.errors.BaseZarrError) as exc:
            raise self._damaged(f"{name}/{GROUP_JSON}", str(exc)) from exc
        if not isinstance(array, zarr.Array):
            raise self._damaged(name, "a group where an array belongs")
        return array

    def _damaged(self, array: str, problem: str) -> EpisodeFormatError:
        return EpisodeFormatError(
            f"{self.path / array}: damaged ({problem}); {_fix(self.path.parents[1], True)}"
        )

    def _jpeg_offsets(self, name: str) -> np.ndarray:
        if name not in self._offsets:
            self._offsets[name] = self._read(jpeg_offsets_name(name))
        return self._offsets[name]
